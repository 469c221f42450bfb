#include "SettingsDialog.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Engine.h"
#include "events/Emitter.h"
#include "settings/ConnectionTester.h"
#include "settings/DatabasePage.h"
#include "settings/GeneralPage.h"
#include "settings/NetworkPage.h"
#include "settings/TeamPage.h"
#include "storage/DeliveryLog.h"
#include "storage/EventCatalog.h"
#include "storage/SettingsStore.h"
#include "storage/StorageWorker.h"
#include "storage/WebhookStore.h"
#include "webhooks/WebhookEditor.h"
#include "webhooks/WebhookListPanel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// The Settings dialog with real widgets, a real SQLite file and real QSettings (in Qt's test location),
// and the engine reading the team settings it saved.
class TestSettings : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<StorageWorker> m_storage;
    QString m_dbPath;

    std::unique_ptr<ui::SettingsDialog> openDialog()
    {
        auto dialog = std::make_unique<ui::SettingsDialog>(m_storage.get());
        dialog->show();
        if (!QTest::qWaitForWindowExposed(dialog.get()))
            return nullptr;
        if (!QTest::qWaitFor([&] { return dialog->teamPage()->isLoaded(); }, 5000))
            return nullptr;
        return dialog;
    }

    TeamSettings storedTeam() { return SettingsStore(m_db, m_clock).load().value(); }

    static void setText(QLineEdit* edit, const QString& text)
    {
        edit->clear();
        QTest::keyClicks(edit, text);
    }

    TransportFactory transport() const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        return [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); };
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OuthookTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_settings"));
        QVERIFY(m_pki.isValid());
    }

    void init()
    {
        QSettings().clear();
        static int n = 0;
        m_dbPath = m_dir.filePath(QStringLiteral("s%1.db").arg(++n));
        auto db = Database::open(*DatabaseUrl::parse(m_dbPath));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_storage = std::make_unique<StorageWorker>(m_db, m_clock);
    }

    void cleanup()
    {
        m_storage.reset();
        m_db.reset();
        QSettings().clear();
    }

    void testConnection_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");
        QTest::newRow("existing database") << QStringLiteral("existing") << true << QStringLiteral("Connected to");
        QTest::newRow("new file") << QStringLiteral("new") << true << QStringLiteral("does not exist yet");
        QTest::newRow("not sqlite") << QStringLiteral("garbage") << false
                                    << QStringLiteral("is not an Outhook database");
        QTest::newRow("bad url") << QStringLiteral("badurl") << false << QStringLiteral("");
    }

    void testConnection()
    {
        QFETCH(QString, kind);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        QString target;
        if (kind == QLatin1String("existing"))
            target = m_dbPath;
        else if (kind == QLatin1String("new"))
            target = m_dir.filePath(QStringLiteral("sub/fresh.db"));
        else if (kind == QLatin1String("garbage")) {
            target = m_dir.filePath(QStringLiteral("notes.db"));
            QFile f(target);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        } else
            target = QStringLiteral("mysql://somewhere/db");
        const QByteArray before = QFileInfo::exists(target) ? [&] {
            QFile f(target);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }()
                                                            : QByteArray();

        auto dialog = openDialog();
        QVERIFY(dialog);
        ui::DatabasePage* page = dialog->databasePage();
        dialog->tabs()->setCurrentWidget(page);
        setText(page->urlEdit(), target);
        QTest::mouseClick(page->testButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->testButton()->isEnabled() && !page->tester()->isRunning(), 10000);
        const QString shown = page->testResult()->text();
        QVERIFY(page->testResult()->isVisible());
        QVERIFY2(shown.startsWith(ok ? QStringLiteral("✔") : QStringLiteral("✘")), qPrintable(shown));
        QVERIFY2(shown.contains(expected), qPrintable(shown));
        // A test changes nothing: no new file, no migration of a foreign one.
        if (kind == QLatin1String("new"))
            QVERIFY(!QFileInfo::exists(target));
        if (kind == QLatin1String("garbage")) {
            QFile f(target);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), before);
        }
    }

    void olderSchemaIsReportedAsUpgrade()
    {
        // An empty SQLite file Outhook never touched: connected, "will set it up", and left empty.
        const QString path = m_dir.filePath(QStringLiteral("empty.db"));
        QFile(path).open(QIODevice::WriteOnly);
        const auto [ok, message] = ui::ConnectionTester::check(path);
        QVERIFY(ok);
        QVERIFY2(message.contains(QLatin1String("empty")), qPrintable(message));
        QCOMPARE(QFileInfo(path).size(), 0);
    }

    void invalidTeamValueShowsInlineErrorAndSavesNothing_data()
    {
        QTest::addColumn<QString>("retry");
        QTest::addColumn<QString>("autoDisable");
        QTest::addColumn<QString>("field");
        QTest::newRow("retry not durations")
            << QStringLiteral("5m, soon") << QStringLiteral("5d") << QStringLiteral("default_retry_schedule");
        QTest::newRow("too many retries") << QStringLiteral("1m,").repeated(21).chopped(1) << QStringLiteral("5d")
                                          << QStringLiteral("default_retry_schedule");
        QTest::newRow("retry delay too long")
            << QStringLiteral("30d") << QStringLiteral("5d") << QStringLiteral("default_retry_schedule");
        QTest::newRow("auto-disable too short")
            << QStringLiteral("5m") << QStringLiteral("10s") << QStringLiteral("auto_disable_after");
        QTest::newRow("auto-disable not a duration")
            << QStringLiteral("5m") << QStringLiteral("a week") << QStringLiteral("auto_disable_after");
    }

    void invalidTeamValueShowsInlineErrorAndSavesNothing()
    {
        QFETCH(QString, retry);
        QFETCH(QString, autoDisable);
        QFETCH(QString, field);
        auto dialog = openDialog();
        QVERIFY(dialog);
        // A personal change too: it must not be saved either.
        dialog->generalPage()->languageCombo()->setCurrentIndex(2);
        ui::TeamPage* team = dialog->teamPage();
        dialog->tabs()->setCurrentIndex(0);
        setText(team->retryEdit(), retry);
        setText(team->autoDisableEdit(), autoDisable);
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);

        QLabel* message = team->messages().message(field);
        QVERIFY(message);
        QVERIFY(message->isVisible());
        const QString label = field == QLatin1String("auto_disable_after") ? QStringLiteral("Auto-disable after: ")
                                                                           : QStringLiteral("Default retry delays: ");
        QVERIFY2(message->text().startsWith(label), qPrintable(message->text()));
        QCOMPARE(dialog->tabs()->currentWidget(), team);
        QVERIFY(dialog->errorLabel()->isVisible());
        QVERIFY(dialog->isVisible()); // not accepted
        QTest::qWait(100);            // give a wrongly started save time to land
        QCOMPARE(storedTeam(), TeamSettings());
        QVERIFY(!QSettings().contains(QStringLiteral("ui/language")));
    }

    void invalidPersonalValueSavesNothing()
    {
        auto dialog = openDialog();
        QVERIFY(dialog);
        setText(dialog->teamPage()->retryEdit(), QStringLiteral("1m"));
        setText(dialog->databasePage()->urlEdit(), QStringLiteral("mysql://db.example.com/x"));
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);
        QLabel* message = dialog->databasePage()->messages().message(QStringLiteral("database"));
        QVERIFY(message->isVisible());
        QVERIFY2(message->text().startsWith(QLatin1String("Database: ")), qPrintable(message->text()));
        QCOMPARE(dialog->tabs()->currentWidget(), dialog->databasePage());
        QTest::qWait(100);
        QCOMPARE(storedTeam(), TeamSettings());
        QVERIFY(!QSettings().contains(QStringLiteral("database/url")));

        // A bad range is refused when it is added, with the field named.
        ui::NetworkPage* network = dialog->networkPage();
        dialog->tabs()->setCurrentWidget(network);
        setText(network->destinationEdit(), QStringLiteral("10.0.0.0/99"));
        QTest::mouseClick(network->addDestinationButton(), Qt::LeftButton);
        QCOMPARE(network->destinationList()->count(), 0);
        QVERIFY(network->messages().message(QStringLiteral("allowed_destinations"))->isVisible());
        QVERIFY(network->warning()->isVisible());
    }

    void teamSettingsLandInDatabaseAndReadBack()
    {
        auto dialog = openDialog();
        QVERIFY(dialog);
        // The defaults are shown while nothing is stored.
        QCOMPARE(dialog->teamPage()->retryEdit()->text(), QStringLiteral("5m,10m,20m"));
        QCOMPARE(dialog->teamPage()->timeoutSpin()->value(), 30);
        QCOMPARE(dialog->teamPage()->autoDisableEdit()->text(), QStringLiteral("5d"));
        QCOMPARE(dialog->teamPage()->bodyCapSpin()->value(), 64);

        ui::TeamPage* team = dialog->teamPage();
        setText(team->retryEdit(), QStringLiteral("1m, 2m"));
        team->timeoutSpin()->setValue(12);
        setText(team->autoDisableEdit(), QStringLiteral("2d"));
        team->bodyCapSpin()->setValue(8);
        QSignalSpy saved(dialog.get(), &ui::SettingsDialog::teamSettingsSaved);
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);
        QTRY_COMPARE(saved.count(), 1);
        QTRY_VERIFY(!dialog->isVisible());
        QCOMPARE(dialog->result(), int(QDialog::Accepted));

        TeamSettings expected;
        expected.defaultRetrySchedule = RetrySchedule({60, 120});
        expected.defaultTimeoutSeconds = 12;
        expected.autoDisableAfterSeconds = 2 * 86400;
        expected.maxResponseBodyBytes = 8 * 1024;
        QCOMPARE(storedTeam(), expected);

        // Another dialog reads them back.
        auto again = openDialog();
        QVERIFY(again);
        QCOMPARE(again->teamPage()->retryEdit()->text(), QStringLiteral("1m,2m"));
        QCOMPARE(again->teamPage()->timeoutSpin()->value(), 12);
        QCOMPARE(again->teamPage()->autoDisableEdit()->text(), QStringLiteral("2d"));
        QCOMPARE(again->teamPage()->bodyCapSpin()->value(), 8);
        QVERIFY(!again->teamPage()->isChanged());
    }

    void personalSettingsLandInQSettings()
    {
        const QString ca = m_pki.caFile();
        auto dialog = openDialog();
        QVERIFY(dialog);
        dialog->generalPage()->languageCombo()->setCurrentIndex(
            dialog->generalPage()->languageCombo()->findText(QStringLiteral("Français")));
        dialog->generalPage()->engineCheck()->setChecked(false);
        setText(dialog->databasePage()->urlEdit(), m_dbPath);
        dialog->databasePage()->durabilityCombo()->setCurrentIndex(1);
        ui::NetworkPage* network = dialog->networkPage();
        network->setFilePicker([ca](QWidget*) { return QStringList{ca}; });
        QTest::mouseClick(network->addCaButton(), Qt::LeftButton);
        setText(network->destinationEdit(), QStringLiteral("10.1.0.0/16"));
        QTest::keyClick(network->destinationEdit(), Qt::Key_Return);
        QCOMPARE(network->destinationList()->count(), 1);
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);
        QTRY_VERIFY(!dialog->isVisible());

        const QSettings s;
        QCOMPARE(s.value(QStringLiteral("ui/language")).toString(), QStringLiteral("fr"));
        QCOMPARE(s.value(QStringLiteral("engine/inProcess")).toBool(), false);
        QCOMPARE(s.value(QStringLiteral("database/url")).toString(), m_dbPath);
        QCOMPARE(s.value(QStringLiteral("database/durability")).toString(), QStringLiteral("full"));
        QCOMPARE(s.value(QStringLiteral("network/caFiles")).toStringList(), QStringList{ca});
        QCOMPARE(s.value(QStringLiteral("network/allowedDestinations")).toStringList(),
                 QStringList{QStringLiteral("10.1.0.0/16")});
        // Nothing changed on the Team tab, so nothing was written to the database.
        QCOMPARE(storedTeam(), TeamSettings());
        const ui::PersonalSettings p = ui::PersonalSettings::load();
        QCOMPARE(p.durability, Database::Durability::Full);
        QVERIFY(ui::SettingsDialog::databaseUrl() == m_dbPath);
        QVERIFY(!ui::SettingsDialog::runEngineInProcess());
    }

    void newWebhooksGetTeamDefaults()
    {
        TeamSettings team;
        team.defaultRetrySchedule = RetrySchedule({30, 90});
        team.defaultTimeoutSeconds = 7;
        QVERIFY(SettingsStore(m_db, m_clock).save(team));
        ui::WebhookListPanel panel(m_storage.get());
        panel.show();
        panel.reload();
        QTRY_VERIFY(!panel.eventTypes().isEmpty());
        m_storage->drain();
        QTest::qWait(50);
        panel.newAction()->trigger();
        ui::WebhookEditor* editor = panel.openEditor();
        QVERIFY(editor);
        QCOMPARE(editor->retryEdit()->text(), QStringLiteral("30s,90s"));
        QCOMPARE(editor->timeoutSpin()->value(), 7);
        editor->close();
    }

    void engineUsesTeamBodyCapAndAutoDisable()
    {
        TeamSettings team;
        team.maxResponseBodyBytes = 2048;
        team.autoDisableAfterSeconds = 3600;
        QVERIFY(SettingsStore(m_db, m_clock).save(team));

        TlsReceiver receiver(m_pki);
        QVERIFY(receiver.listen());
        TlsReceiver::Reply reply;
        reply.status = 200;
        reply.body = QByteArray(10000, 'b');
        receiver.setDefaultReply(reply);
        EventCatalog catalog(m_db, m_clock);
        Webhook w = team.newWebhook();
        w.name = QStringLiteral("big replies");
        w.url = receiver.url();
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        QVERIFY(WebhookStore(m_db, catalog, m_clock).create(w));

        // The options say 64 KiB and 5 days; the team's values win.
        Engine engine(m_db, m_clock, Dispatcher::Options(), transport());
        engine.start();
        Emitter emitter(m_db, catalog, m_clock);
        emitter.setOnQueued([&engine] { engine.wake(); });
        const auto emitted = emitter.emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("id"), 1}});
        QVERIFY(emitted);
        const qint64 deliveryId = emitted->deliveryIds.first();
        DeliveryLog log(m_db);
        QTRY_VERIFY_WITH_TIMEOUT(log.get(deliveryId)->status == DeliveryStatus::Succeeded, 10000);
        engine.stopAndWait(1000);
        const auto attempts = log.attempts(deliveryId);
        QVERIFY(attempts);
        QCOMPARE(attempts->size(), 1);
        QCOMPARE(attempts->first().responseBody.size(), 2048);
        QVERIFY(attempts->first().truncated);

        // The auto-disable period: the team's, unless a flag pinned it; re-read on reloadSettings().
        Dispatcher fromTeam(m_db, m_clock, Dispatcher::Options(), transport());
        fromTeam.start();
        QCOMPARE(fromTeam.effectiveOptions().autoDisableAfterMs, 3600LL * 1000);
        QCOMPARE(fromTeam.effectiveOptions().maxResponseBodyBytes, qint64(2048));
        team.autoDisableAfterSeconds = 7200;
        QVERIFY(SettingsStore(m_db, m_clock).save(team));
        fromTeam.reloadSettings();
        QCOMPARE(fromTeam.effectiveOptions().autoDisableAfterMs, 7200LL * 1000);
        fromTeam.stop(0);

        Dispatcher::Options pinned;
        pinned.autoDisableAfterMs = 60'000;
        pinned.pinAutoDisable = true;
        Dispatcher fromFlag(m_db, m_clock, pinned, transport());
        fromFlag.start();
        QCOMPARE(fromFlag.effectiveOptions().autoDisableAfterMs, qint64(60'000));
        fromFlag.setAutoDisableAfterMs(0); // the flag went away on reload: the team's value again
        QCOMPARE(fromFlag.effectiveOptions().autoDisableAfterMs, 7200LL * 1000);
        fromFlag.stop(0);

        // Unset again: the built-in defaults.
        QVERIFY(SettingsStore(m_db, m_clock).save(TeamSettings()));
        Dispatcher defaults(m_db, m_clock, Dispatcher::Options(), transport());
        defaults.start();
        QCOMPARE(defaults.effectiveOptions().autoDisableAfterMs, Dispatcher::Options().autoDisableAfterMs);
        QCOMPARE(defaults.effectiveOptions().maxResponseBodyBytes, Dispatcher::Options().maxResponseBodyBytes);
        defaults.stop(0);
    }

    void storeRefusesBadValues()
    {
        TeamSettings bad;
        bad.defaultTimeoutSeconds = 0;
        bad.maxResponseBodyBytes = 10;
        const Status s = SettingsStore(m_db, m_clock).save(bad);
        QVERIFY(!s);
        QCOMPARE(s.error().kind, Error::Kind::Validation);
        QCOMPARE(s.error().fields.size(), 2);
        QCOMPARE(s.error().fields.at(0).field, QStringLiteral("default_timeout"));
        QCOMPARE(s.error().fields.at(1).field, QStringLiteral("max_response_body"));
        QCOMPARE(storedTeam(), TeamSettings());
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
