#include "MainWindow.h"
#include "SettingsDialog.h"
#include "Translations.h"

#include "model/WebhookValidator.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;

// The UI language: ui/language in QSettings picks German, French or English, and "" follows the system
// locale. ctest runs this twice: under a C locale (where "" means English) and under de_DE (where ""
// means German); OUTHOOK_EXPECT_SYSTEM_LANGUAGE says which.
class TestTranslations : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<StorageWorker> m_storage;

    struct Expected
    {
        QString language;
        QStringList menus;
        QString settingsTitle;
        QString databaseLabel;
        QString cancel;       // from Qt's own translation (qt6-translations-l10n)
        QString nameRequired; // core's WebhookValidator, shown live in the editor
    };

    static Expected expected(const QString& language)
    {
        if (language == QLatin1String("de"))
            return {language,
                    {QStringLiteral("&Datei"), QStringLiteral("&Webhook"), QStringLiteral("&Protokoll"),
                     QStringLiteral("&Engine"), QStringLiteral("&Hilfe")},
                    QStringLiteral("Einstellungen"),
                    QStringLiteral("&Datenbank:"),
                    QStringLiteral("Abbrechen"),
                    QStringLiteral("Name ist erforderlich")};
        if (language == QLatin1String("fr"))
            return {language,
                    {QStringLiteral("&Fichier"), QStringLiteral("&Webhook"), QStringLiteral("&Journal"),
                     QStringLiteral("&Moteur"), QStringLiteral("&Aide")},
                    QStringLiteral("Paramètres"),
                    QStringLiteral("&Base de données :"),
                    QStringLiteral("Annuler"),
                    QStringLiteral("Le nom est obligatoire")};
        return {QStringLiteral("en"),
                {QStringLiteral("&File"), QStringLiteral("&Webhook"), QStringLiteral("&Log"), QStringLiteral("&Engine"),
                 QStringLiteral("&Help")},
                QStringLiteral("Settings"),
                QStringLiteral("&Database:"),
                QStringLiteral("Cancel"),
                QStringLiteral("Name is required")};
    }

    // Each action has an &-accelerator, and no two share a letter.
    static void verifyMnemonics(const QList<QAction*>& actions, const QString& where)
    {
        QStringList letters;
        for (QAction* a : actions) {
            if (a->isSeparator())
                continue;
            const QString key = QKeySequence::mnemonic(a->text()).toString().toLower();
            QVERIFY2(!key.isEmpty(), qPrintable(where + QLatin1String(": no & accelerator in ") + a->text()));
            QVERIFY2(!letters.contains(key), qPrintable(where + QLatin1String(": two entries use ") + key));
            letters << key;
        }
    }

    static QStringList menuTitles(QMainWindow& window)
    {
        QStringList titles;
        for (QAction* a : window.menuBar()->actions())
            titles << a->text();
        return titles;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("i18n.db"))));
        QVERIFY(db);
        m_db = *db;
        m_storage = std::make_unique<StorageWorker>(m_db, m_clock);
    }

    void cleanupTestCase() { ui::installTranslations(*qApp, QStringLiteral("en")); }

    void supportedLanguages()
    {
        QCOMPARE(ui::supportedLanguages(),
                 QStringList({QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr")}));
    }

    void followsSetting_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("language");
        const QString system = qEnvironmentVariable("OUTHOOK_EXPECT_SYSTEM_LANGUAGE", QStringLiteral("en"));
        QTest::newRow("de") << QStringLiteral("de") << QStringLiteral("de");
        QTest::newRow("fr") << QStringLiteral("fr") << QStringLiteral("fr");
        QTest::newRow("en overrides the system") << QStringLiteral("en") << QStringLiteral("en");
        QTest::newRow("system") << QString() << system;
        // A language Outhook has no translation for falls back to English, not to a half-German UI.
        QTest::newRow("unsupported") << QStringLiteral("ja") << QStringLiteral("en");
    }

    void followsSetting()
    {
        QFETCH(QString, setting);
        QFETCH(QString, language);
        QSettings().setValue(ui::languageSettingsKey(), setting);
        QCOMPARE(ui::languageSetting(), setting);

        QCOMPARE(ui::installTranslations(*qApp, ui::languageSetting()), language);
        const Expected want = expected(language);

        ui::AppContext ctx;
        ctx.db = m_db;
        ctx.clock = &m_clock;
        ctx.storage = m_storage.get();
        ctx.databaseName = QStringLiteral("i18n.db");
        ui::MainWindow window(ctx);
        QCOMPARE(menuTitles(window), want.menus);
        // Every menu title and every entry of one menu can be reached by its own Alt+letter.
        verifyMnemonics(window.menuBar()->actions(), QStringLiteral("menu bar"));
        for (QAction* menu : window.menuBar()->actions())
            verifyMnemonics(menu->menu()->actions(), menu->text());

        ui::SettingsDialog dialog(m_storage.get(), &window);
        QCOMPARE(dialog.windowTitle(), want.settingsTitle);
        QStringList labels;
        for (QLabel* l : dialog.findChildren<QLabel*>())
            labels << l->text();
        QVERIFY2(labels.contains(want.databaseLabel), qPrintable(labels.join(QLatin1String(" | "))));
        auto* buttons = dialog.findChild<QDialogButtonBox*>();
        QVERIFY(buttons);
        QCOMPARE(buttons->button(QDialogButtonBox::Cancel)->text(), want.cancel);
        QCOMPARE(WebhookValidator::checkName(QString()), want.nameRequired);
    }

    // Switching back to English removes the earlier translators instead of stacking them.
    void switchingBackToEnglish()
    {
        QCOMPARE(ui::installTranslations(*qApp, QStringLiteral("de")), QStringLiteral("de"));
        QCOMPARE(ui::SettingsDialog(m_storage.get()).windowTitle(), QStringLiteral("Einstellungen"));
        QCOMPARE(ui::installTranslations(*qApp, QStringLiteral("en")), QStringLiteral("en"));
        QCOMPARE(ui::SettingsDialog(m_storage.get()).windowTitle(), QStringLiteral("Settings"));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
