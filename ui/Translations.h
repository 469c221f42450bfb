#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace outhook::ui {

// The QSettings key of the UI language: "" (or missing) follows the system locale, otherwise one of
// supportedLanguages(). The Settings dialog writes it; it takes effect the next time the app starts.
QString languageSettingsKey();

// The language codes the UI can be shown in: "en" (the source language) first, then each translation
// built into the app.
QStringList supportedLanguages();

// The stored ui/language value.
QString languageSetting();

// Installs Outhook's translation for `language` ("" = the system locale's UI languages) on app, and
// with it Qt's own (qtbase) translation for the same language when the system has one, so standard
// dialog buttons match. Translators that an earlier call installed are removed first, so calling it
// again switches language (for widgets created afterwards). Returns the language now in effect:
// "en" when Outhook has no translation for the requested one.
QString installTranslations(QCoreApplication& app, const QString& language);

} // namespace outhook::ui
