#include "AutoDisableNotifier.h"
#include "MainWindow.h"
#include "SingleInstance.h"

#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"

#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;

// Desktop integration: one app per user and database, and the notice when a webhook is turned off.
class TestDesktop : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    // The app as a user starts it: its own settings folder, offscreen, on `db`.
    std::unique_ptr<QProcess> startApp(const QString& db)
    {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.remove(QStringLiteral("OUTHOOK_DB"));
        p->setProcessEnvironment(env);
        p->setProgram(QStringLiteral(OUTHOOK_APP_PATH));
        p->setArguments({QStringLiteral("--db"), db, QStringLiteral("--no-engine")});
        p->start();
        return p;
    }

    static bool answers(const QString& serverName)
    {
        QLocalSocket s;
        s.connectToServer(serverName);
        const bool ok = s.waitForConnected(200);
        s.abort();
        return ok;
    }

    static void stop(QProcess& p)
    {
        if (p.state() == QProcess::NotRunning)
            return;
        p.terminate();
        if (!p.waitForFinished(5000)) {
            p.kill();
            p.waitForFinished(2000);
        }
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void secondInstanceForwardsInProcess()
    {
        const QString key = m_dir.filePath(QStringLiteral("inproc.db"));
        SingleInstance first(key, QStringLiteral("alice"));
        QVERIFY(!first.forwardToRunning("activate", 300)); // nobody there yet
        QVERIFY(first.listen());
        QSignalSpy received(&first, &SingleInstance::messageReceived);

        // A second instance runs on its own thread, as a second process would (blocking calls).
        SingleInstance second(key, QStringLiteral("alice"));
        bool forwarded = false;
        std::unique_ptr<QThread> t(QThread::create([&] { forwarded = second.forwardToRunning("activate"); }));
        t->start();
        QTRY_COMPARE(received.count(), 1);
        t->wait();
        QVERIFY(forwarded);
        QCOMPARE(received.first().first().toByteArray(), QByteArray("activate"));

        // Another user, or another database: a separate instance.
        SingleInstance otherUser(key, QStringLiteral("bob"));
        QVERIFY(otherUser.serverName() != first.serverName());
        QVERIFY(!otherUser.forwardToRunning("activate", 300));
        SingleInstance otherDb(m_dir.filePath(QStringLiteral("other.db")), QStringLiteral("alice"));
        QVERIFY(otherDb.serverName() != first.serverName());
    }

    void staleSocketIsReplaced()
    {
        const QString key = m_dir.filePath(QStringLiteral("stale.db"));
        // A crashed instance leaves its socket file behind, with nobody listening.
        const QString name = SingleInstance::serverName(key, QStringLiteral("carol"));
        QFile leftover(QDir::temp().filePath(name));
        QVERIFY(leftover.open(QIODevice::WriteOnly));
        leftover.close();
        SingleInstance next(key, QStringLiteral("carol"));
        QVERIFY(!next.forwardToRunning("activate", 300));
        QVERIFY(next.listen());
        QVERIFY(next.isListening());
    }

    void secondProcessFocusesFirstAndExits()
    {
        const QString db = m_dir.filePath(QStringLiteral("app.db"));
        const QString name = SingleInstance::serverName(db, QString());
        auto first = startApp(db);
        QVERIFY(first->waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(answers(name), 20000);

        auto second = startApp(db);
        QVERIFY(second->waitForFinished(10000));
        QCOMPARE(second->exitStatus(), QProcess::NormalExit);
        QCOMPARE(second->exitCode(), 0);
        QCOMPARE(first->state(), QProcess::Running);

        // Another database is another instance: it keeps running next to the first.
        const QString otherDb = m_dir.filePath(QStringLiteral("app2.db"));
        auto third = startApp(otherDb);
        QTRY_VERIFY_WITH_TIMEOUT(answers(SingleInstance::serverName(otherDb, QString())), 20000);
        QCOMPARE(third->state(), QProcess::Running);
        QCOMPARE(first->state(), QProcess::Running);
        stop(*third);
        stop(*first);
    }

    void autoDisabledWebhookIsAnnounced()
    {
        SystemClock clock;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("notify.db"))));
        QVERIFY(db);
        EventCatalog catalog(*db, clock);
        WebhookStore store(*db, catalog, clock);
        Webhook w;
        w.name = QStringLiteral("Billing");
        w.url = QStringLiteral("https://billing.example.com/hook");
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        const auto created = store.create(w);
        QVERIFY(created);
        Webhook manual = w;
        manual.name = QStringLiteral("Paused by hand");
        const auto second = store.create(manual);
        QVERIFY(second);

        StorageWorker storage(*db, clock);
        ui::AppContext ctx;
        ctx.db = *db;
        ctx.clock = &clock;
        ctx.storage = &storage;
        ctx.databaseName = QStringLiteral("notify.db");
        ui::MainWindow window(ctx);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE(window.webhookPanel()->model()->rowCount(), 2);
        QSignalSpy notified(window.autoDisableNotifier(), &ui::AutoDisableNotifier::notified);

        // Turned off by hand: no notice.
        QVERIFY(store.setActive(second->id, false));
        window.webhookPanel()->reload();
        storage.drain();
        QTest::qWait(100);
        QCOMPARE(notified.count(), 0);

        // Turned off by another engine (as DeliveryQueue does after the auto-disable period).
        QSqlQuery q((*db)->connection());
        QVERIFY(q.exec(QStringLiteral("UPDATE webhooks SET is_active = 0, disabled_reason = 'failing for 5 days' "
                                      "WHERE id = %1")
                           .arg(created->id)));
        window.webhookPanel()->reload();
        QTRY_COMPARE(notified.count(), 1);
        const QString message = notified.first().first().toString();
        QVERIFY2(message.contains(QLatin1String("Billing")) && message.contains(QLatin1String("failing for 5 days")),
                 qPrintable(message));
        if (!window.autoDisableNotifier()->hasTray())
            QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("Billing")));

        // Once is enough: the next reload says nothing new.
        window.webhookPanel()->reload();
        storage.drain();
        QTest::qWait(100);
        QCOMPARE(notified.count(), 1);
    }
};

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
