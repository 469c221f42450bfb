#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Engine.h"
#include "events/Emitter.h"
#include "storage/DeliveryLog.h"
#include "storage/WebhookStore.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// The ingest path leases new deliveries to the engine of its own process in the inserting transaction
// and hands them over in memory, instead of the engine claiming them back with a transaction of its own.
class TestClaimHandoff : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    ManualClock m_manual;
    SystemClock m_system;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<TlsReceiver> m_receiver;

    TransportFactory transport() const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        return [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); };
    }

    Webhook addWebhook()
    {
        Webhook w;
        w.name = QStringLiteral("receiver");
        w.url = m_receiver->url();
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        const auto created = m_store->create(w);
        if (!created)
            qFatal("%s", qPrintable(created.error().message));
        return *created;
    }

    static QList<EmitRequest> events(int n, const QString& marker = QStringLiteral("ok"))
    {
        QList<EmitRequest> out;
        for (int i = 0; i < n; ++i)
            out.append({QStringLiteral("job.created"), QJsonObject{{marker, i}}, {}, {}});
        return out;
    }

    static QList<int> handedOff(const QList<Result<EmitResult>>& results)
    {
        QList<int> out;
        for (const auto& r : results)
            out << (r ? r->handedOff : -1);
        return out;
    }

    // lease_owner (empty when NULL) and next_attempt_at of one delivery.
    QPair<QString, qint64> leaseOf(qint64 deliveryId)
    {
        QSqlQuery q(m_db->connection());
        q.prepare(QStringLiteral("SELECT lease_owner, next_attempt_at FROM deliveries WHERE id = ?"));
        q.addBindValue(deliveryId);
        if (!q.exec() || !q.next())
            return {QStringLiteral("missing"), 0};
        return {q.value(0).toString(), q.value(1).toLongLong()};
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }

    void init()
    {
        static int n = 0;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("h%1.db").arg(++n))));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_manual);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_manual);
        m_receiver = std::make_unique<TlsReceiver>(m_pki);
        QVERIFY(m_receiver->listen());
    }
    void cleanup()
    {
        m_receiver.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    // The rows are leased in their own transaction, as far as the engine has room, and what it is handed
    // is what was stored; the rest is queued due now, unleased, for a claim.
    void leasesWhatFitsAndHandsItOver()
    {
        const Webhook w = addWebhook();
        auto handoff = std::make_shared<ClaimHandoff>();
        int arrived = 0;
        handoff->open({"engine-a", 20000}, 3, [&] { ++arrived; });
        Emitter emitter(m_db, *m_catalog, m_manual);
        emitter.setHandoff(handoff);

        const auto results = emitter.emitMany(events(5));
        QCOMPARE(handedOff(results), (QList<int>{1, 1, 1, 0, 0}));
        QCOMPARE(arrived, 1);
        const qint64 now = m_manual.nowMs();
        for (int i = 0; i < 5; ++i) {
            const auto expected =
                i < 3 ? qMakePair(QStringLiteral("engine-a"), now + 20000) : qMakePair(QString(), now);
            QCOMPARE(leaseOf(results[i]->deliveryIds.first()), expected);
        }
        const QList<ClaimHandoff::Batch> taken = handoff->take();
        QCOMPARE(taken.size(), 1);
        QCOMPARE(taken.first().deliveries.size(), 3);
        QCOMPARE(taken.first().webhooks.size(), 1);
        QCOMPARE(taken.first().webhooks.first().secret, w.secret);
        for (int i = 0; i < 3; ++i) {
            const ClaimedDelivery& c = taken.first().deliveries[i];
            const Delivery stored = *DeliveryLog(m_db).get(results[i]->deliveryIds.first());
            QCOMPARE(c.id, stored.id);
            QCOMPARE(c.webhookId, w.id);
            QCOMPARE(c.eventId, results[i]->eventId);
            QCOMPARE(c.msgId, stored.msgId.toLatin1());
            QCOMPARE(c.payload, stored.payload);
            QCOMPARE(c.eventType, QStringLiteral("job.created"));
            QCOMPARE(c.attemptCount, 0);
        }

        // Taken counts as held until the engine says it sent them.
        QCOMPARE(handedOff(emitter.emitMany(events(1))), (QList<int>{0}));
        handoff->setHeld(1);
        QCOMPARE(handedOff(emitter.emitMany(events(3))), (QList<int>{1, 1, 0}));
        QCOMPARE(arrived, 2);
        // Closed: nothing is leased, and what was never taken comes back for release.
        QCOMPARE(handoff->close().value(0).deliveries.size(), 2);
        QCOMPARE(handedOff(emitter.emitMany(events(2))), (QList<int>{0, 0}));
    }

    // A transaction that fails gives its room back; each event is then tried alone, unleased.
    void failedTransactionGivesTheRoomBack()
    {
        addWebhook();
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral("CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.payload LIKE "
                                      "'%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned'); END")));
        auto handoff = std::make_shared<ClaimHandoff>();
        int arrived = 0;
        handoff->open({"engine-b", 20000}, 10, [&] { ++arrived; });
        Emitter emitter(m_db, *m_catalog, m_manual);
        emitter.setHandoff(handoff);

        QList<EmitRequest> batch = events(2);
        batch.insert(1, events(1, QStringLiteral("poison")).first());
        const auto results = emitter.emitMany(batch);
        QVERIFY(results[0] && results[2]);
        QVERIFY(!results[1]);
        QCOMPARE(handedOff(results).value(0), 0);
        QCOMPARE(leaseOf(results[0]->deliveryIds.first()), qMakePair(QString(), m_manual.nowMs()));
        QCOMPARE(arrived, 0);
        ClaimHandoff::Lease lease;
        QCOMPARE(handoff->reserve(100, &lease), 10);
        QCOMPARE(lease.owner, QByteArray("engine-b"));
    }

    // A running engine sends what it was handed without claiming: a due row queued behind its back (no
    // wake-up, as from another process) waits for the next look, and goes once the engine is woken.
    void engineSendsHandedDeliveriesWithoutClaiming()
    {
        addWebhook();
        Dispatcher::Options options;
        options.concurrency = 4;
        options.maxIdleWakeMs = 60000; // no periodic look during the test
        Engine engine(m_db, m_system, options, transport());
        QSignalSpy idle(&engine, &Engine::idle);
        engine.start();
        QVERIFY(idle.wait(10000)); // its first claim found nothing

        Emitter behindItsBack(m_db, *m_catalog, m_system);
        const qint64 unannounced = behindItsBack.emit(QStringLiteral("job.created"), {})->deliveryIds.first();
        Emitter ingest(m_db, *m_catalog, m_system);
        ingest.setHandoff(engine.handoff());
        const auto results = ingest.emitMany(events(3));
        QCOMPARE(handedOff(results), (QList<int>{1, 1, 1}));

        for (const auto& r : results) {
            const qint64 id = r->deliveryIds.first();
            QTRY_COMPARE_WITH_TIMEOUT(DeliveryLog(m_db).get(id)->status, DeliveryStatus::Succeeded, 10000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(idle.size() >= 2, 10000); // all written, and it did not look again
        QCOMPARE(m_receiver->requestCount(), 3);
        const Delivery waiting = *DeliveryLog(m_db).get(unannounced);
        QCOMPARE(waiting.status, DeliveryStatus::Pending);
        QCOMPARE(waiting.attemptCount, 0);

        engine.wake();
        QTRY_COMPARE_WITH_TIMEOUT(DeliveryLog(m_db).get(unannounced)->status, DeliveryStatus::Succeeded, 10000);
        QCOMPARE(m_receiver->requestCount(), 4);
        engine.stopAndWait(1000);
    }

    // Handed over but not yet taken when the engine stops: the leases are given back, due now.
    void stopReleasesWhatWasNotTaken()
    {
        addWebhook();
        Dispatcher dispatcher(m_db, m_system, Dispatcher::Options(), transport());
        QSignalSpy stopped(&dispatcher, &Dispatcher::stopped);
        dispatcher.start();
        Emitter ingest(m_db, *m_catalog, m_system);
        ingest.setHandoff(dispatcher.handoff());
        const auto results = ingest.emitMany(events(2)); // no event loop runs: nothing is taken yet
        QCOMPARE(handedOff(results), (QList<int>{1, 1}));
        QVERIFY(!leaseOf(results[0]->deliveryIds.first()).first.isEmpty());

        dispatcher.stop(0);
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10000);
        for (const auto& r : results) {
            const auto [owner, due] = leaseOf(r->deliveryIds.first());
            QCOMPARE(owner, QString());
            QVERIFY(due <= m_system.nowMs());
        }
        QCOMPARE(m_receiver->requestCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestClaimHandoff)
#include "tst_claimhandoff.moc"
