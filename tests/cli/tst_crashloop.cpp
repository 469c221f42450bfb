#include "TestPki.h"
#include "TlsReceiver.h"

#include "events/Emitter.h"
#include "storage/WebhookStore.h"

#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// `outhookd serve` killed with SIGKILL twenty times at random moments while 2,000 events flow: every
// acknowledged event's delivery ends up succeeded at the receiver, and a delivery sent twice (sent by
// an engine that died before recording it) carries the same webhook-id and body both times.
//
// The moments are points in the stream of requests the receiver sees (plus a few milliseconds), so the
// test means the same under ASan as in a release build. Set OUTHOOK_CRASHLOOP_SEED to replay a run.
class TestCrashLoop : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }

    void killNineTwentyTimes()
    {
        constexpr int kKills = 20;
        constexpr int kUpfront = 1000;
        constexpr int kPerCycle = 50; // emitted after each kill: 1,000 + 20 * 50 = 2,000 events
        constexpr int kEvents = kUpfront + kKills * kPerCycle;
        const quint32 seed = qEnvironmentVariableIsSet("OUTHOOK_CRASHLOOP_SEED")
                                 ? quint32(qEnvironmentVariableIntValue("OUTHOOK_CRASHLOOP_SEED"))
                                 : QRandomGenerator::system()->generate();
        qInfo("crash loop seed: %u (replay with OUTHOOK_CRASHLOOP_SEED=%u)", seed, seed);
        QRandomGenerator random(seed);

        TlsReceiver receiver(m_pki);
        QVERIFY(receiver.listen());
        QHash<QByteArray, QByteArray> bodyById; // webhook-id → body: every copy must be identical
        QHash<QByteArray, int> copies;
        bool mismatch = false;
        connect(&receiver, &TlsReceiver::requestReceived, this, [&](const TlsReceiver::Request& r) {
            const QByteArray id = r.header("webhook-id");
            const auto it = bodyById.constFind(id);
            if (it != bodyById.constEnd() && *it != r.body)
                mismatch = true;
            bodyById.insert(id, r.body);
            ++copies[id];
        });

        const QString path = m_dir.filePath(QStringLiteral("crash.db"));
        SystemClock clock;
        auto opened = Database::open(*DatabaseUrl::parse(path));
        QVERIFY(opened);
        std::shared_ptr<Database> db = *opened;
        EventCatalog catalog(db, clock);
        WebhookStore store(db, catalog, clock);
        Emitter emitter(db, catalog, clock);
        Webhook w;
        w.name = QStringLiteral("receiver");
        w.url = receiver.url();
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        w.retrySchedule = RetrySchedule({1, 1, 1, 1, 1});
        QVERIFY(store.create(w));
        QHash<QByteArray, qint64> acknowledged; // msg_id → event id, for every emit that returned
        const auto emitSome = [&](int count) {
            for (int i = 0; i < count; ++i) {
                const auto r = emitter.emit(QStringLiteral("job.created"),
                                            QJsonObject{{QStringLiteral("n"), acknowledged.size()}});
                if (!r)
                    return false;
                QSqlQuery q(db->connection());
                q.prepare(QStringLiteral("SELECT msg_id FROM deliveries WHERE id = ?"));
                q.addBindValue(r->deliveryIds.value(0));
                if (r->deliveryIds.size() != 1 || !q.exec() || !q.next())
                    return false;
                acknowledged.insert(q.value(0).toString().toLatin1(), r->eventId);
            }
            return true;
        };
        QVERIFY(emitSome(kUpfront));

        const QStringList serveArgs{QStringLiteral("--db"),
                                    path,
                                    QStringLiteral("--ca-file"),
                                    m_pki.caFile(),
                                    QStringLiteral("--allow-destination"),
                                    QStringLiteral("127.0.0.0/8"),
                                    QStringLiteral("serve"),
                                    QStringLiteral("--lease"),
                                    QStringLiteral("2s"),
                                    QStringLiteral("--concurrency"),
                                    QStringLiteral("8")};
        // Each kill comes 10-90 requests (duplicates included) after the engine's start, then 0-30 ms more:
        // about the 50 events emitted per cycle, so there is always work in flight when the signal lands.
        int kills = 0;
        for (int cycle = 0; cycle < kKills; ++cycle) {
            const int at = receiver.requestCount() + 10 + int(random.bounded(81));
            QProcess serve;
            serve.start(QStringLiteral(OUTHOOKD_PATH), serveArgs);
            QVERIFY(serve.waitForStarted());
            QTRY_VERIFY_WITH_TIMEOUT(receiver.requestCount() >= at || serve.state() == QProcess::NotRunning, 30000);
            QVERIFY2(serve.state() == QProcess::Running, serve.readAllStandardError().constData());
            QTest::qWait(int(random.bounded(30)));
            serve.kill(); // SIGKILL
            QVERIFY(serve.waitForFinished());
            QCOMPARE(serve.exitStatus(), QProcess::CrashExit);
            ++kills;
            QVERIFY(emitSome(kPerCycle)); // the host keeps emitting while no engine runs
        }
        QCOMPARE(kills, kKills);
        QCOMPARE(acknowledged.size(), kEvents);

        QProcess last;
        last.start(QStringLiteral(OUTHOOKD_PATH), serveArgs);
        QVERIFY(last.waitForStarted());
        const auto succeeded = [&db] {
            QSqlQuery q(db->connection());
            q.exec(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'"));
            return q.next() ? q.value(0).toInt() : -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(succeeded(), kEvents, 60000);
        last.terminate();
        QTRY_VERIFY_WITH_TIMEOUT(last.state() == QProcess::NotRunning, 15000);
        QCOMPARE(last.exitStatus(), QProcess::NormalExit);

        QVERIFY2(receiver.requestCount() < kEvents * 2, "far more duplicates than 20 kills can explain");
        QVERIFY(!mismatch);
        for (auto it = acknowledged.constBegin(); it != acknowledged.constEnd(); ++it)
            QVERIFY2(copies.value(it.key()) >= 1, it.key().constData());
        QCOMPARE(bodyById.size(), kEvents); // and nothing the receiver saw is unknown
        for (auto it = bodyById.constBegin(); it != bodyById.constEnd(); ++it)
            QVERIFY2(acknowledged.contains(it.key()), it.key().constData());
        QSqlQuery q(db->connection());
        QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        qInfo("%d kills, %d requests for %d events (%d duplicates)", kills, receiver.requestCount(), kEvents,
              receiver.requestCount() - kEvents);
    }
};

QTEST_GUILESS_MAIN(TestCrashLoop)
#include "tst_crashloop.moc"
