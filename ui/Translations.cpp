#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QSettings>
#include <QTranslator>

namespace outhook::ui {

namespace {

// Where qt_add_translations embeds the .qm files (its default RESOURCE_PREFIX).
const QString kResourceDir = QStringLiteral(":/i18n");
const QString kBaseName = QStringLiteral("outhook");

QPointer<QTranslator> s_outhook;
QPointer<QTranslator> s_qt;

void removeInstalled()
{
    for (QPointer<QTranslator>* t : {&s_outhook, &s_qt}) {
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete t->data();
        }
    }
}

} // namespace

QString languageSettingsKey()
{
    return QStringLiteral("ui/language");
}

QStringList supportedLanguages()
{
    QStringList languages{QStringLiteral("en")};
    const QStringList files =
        QDir(kResourceDir).entryList({kBaseName + QStringLiteral("_*.qm")}, QDir::Files, QDir::Name);
    for (const QString& file : files)
        languages << file.mid(kBaseName.size() + 1).chopped(3);
    return languages;
}

QString languageSetting()
{
    return QSettings().value(languageSettingsKey()).toString();
}

QString installTranslations(QCoreApplication& app, const QString& language)
{
    removeInstalled();
    // English is the source language: asking for it explicitly must win over a German system locale.
    if (language == QLatin1String("en"))
        return QStringLiteral("en");

    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto outhook = new QTranslator(&app);
    // Tries each of the locale's UI languages in order (de-AT, de, ...), so a system asking for
    // "fr:en" gets French and one asking for "en_US" gets no translator at all.
    if (!outhook->load(locale, kBaseName, QStringLiteral("_"), kResourceDir)) {
        delete outhook;
        return QStringLiteral("en");
    }
    QCoreApplication::installTranslator(outhook);
    s_outhook = outhook;

    const QLocale loaded(outhook->language());
    auto qt = new QTranslator(&app);
    if (qt->load(loaded, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
        s_qt = qt;
    } else {
        delete qt;
    }
    return QLocale::languageToCode(loaded.language());
}

} // namespace outhook::ui
