#include "TestDatabases.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Engine.h"
#include "delivery/TestSender.h"
#include "events/Emitter.h"
#include "signing/Signer.h"
#include "storage/DeliveryLog.h"
#include "storage/WebhookStore.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// The whole engine against a real HTTPS receiver: claim, sign, send, classify, record, retry.
class TestDispatcher : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<TlsReceiver> m_receiver;
    std::unique_ptr<Engine> m_engine;

    TransportFactory transport() const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        o.policy.allow(QStringLiteral("::1/128"));
        return [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); };
    }

    Webhook addWebhook(const QString& url, RetrySchedule schedule = RetrySchedule(), int timeout = 5)
    {
        Webhook w;
        w.name = QStringLiteral("receiver");
        w.url = url;
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        w.auth = {AuthConfig::Type::Basic, QStringLiteral("outhook"), QStringLiteral("pa55"), {}};
        w.headers = {{QStringLiteral("X-Tenant"), QStringLiteral("acme"), false}};
        w.retrySchedule = schedule;
        w.timeoutSeconds = timeout;
        const auto created = m_store->create(w);
        if (!created)
            qFatal("%s", qPrintable(created.error().message));
        return *created;
    }

    void startEngine()
    {
        Dispatcher::Options options;
        options.concurrency = 16;
        m_engine = std::make_unique<Engine>(m_db, m_clock, options, transport());
        m_emitter->setOnQueued([e = m_engine.get()] { e->wake(); });
        m_engine->start();
    }

    Delivery waitForFinal(qint64 deliveryId, int timeoutMs = 15000)
    {
        DeliveryLog log(m_db);
        Delivery d;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            d = *log.get(deliveryId);
            if (d.status == DeliveryStatus::Succeeded || d.status == DeliveryStatus::Failed)
                return d;
            QTest::qWait(20);
        }
        return d;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }

    void init()
    {
        static int n = 0;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("d%1.db").arg(++n))));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        m_receiver = std::make_unique<TlsReceiver>(m_pki);
        QVERIFY(m_receiver->listen());
    }
    void cleanup()
    {
        if (m_engine)
            m_engine->stopAndWait(1000);
        m_engine.reset();
        m_receiver.reset();
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void deliversSignedRequest()
    {
        const Webhook w = addWebhook(m_receiver->url());
        startEngine();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("id"), 7}});
        QVERIFY(emitted);
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 1, 10000);
        const TlsReceiver::Request req = m_receiver->requests().first();
        const Delivery d = waitForFinal(emitted->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Succeeded);
        QCOMPARE(req.method, QByteArray("POST"));
        QCOMPARE(req.path, QByteArray("/hook"));
        QCOMPARE(req.header("content-type"), QByteArray("application/json"));
        QVERIFY(req.header("user-agent").startsWith("Outhook/"));
        QCOMPARE(req.header("webhook-id"), d.msgId.toLatin1());
        QCOMPARE(req.header("authorization"), QByteArray("Basic ") + QByteArray("outhook:pa55").toBase64());
        QCOMPARE(req.header("x-tenant"), QByteArray("acme"));
        QCOMPARE(req.body, DeliveryLog(m_db).get(d.id)->payload);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QCOMPARE(signing::verify(w.secret, req.header("webhook-id"), req.header("webhook-timestamp"), req.body,
                                 req.header("webhook-signature"), now),
                 signing::VerifyResult::Ok);

        const auto attempts = *DeliveryLog(m_db).attempts(d.id);
        QCOMPARE(attempts.size(), 1);
        QCOMPARE(attempts.first().statusCode, std::optional<int>(200));
        QCOMPARE(attempts.first().trigger, AttemptTrigger::Scheduled);
        bool authRedacted = false;
        for (const auto& [k, v] : attempts.first().requestHeaders)
            authRedacted |= k == "authorization" && v == "Basic [redacted]";
        QVERIFY(authRedacted);
        const Webhook after = *m_store->get(w.id);
        QVERIFY(after.lastSuccessAt);
        QCOMPARE(after.failureCount, 0);
    }

    void retriesUntilSuccessWithStableId()
    {
        addWebhook(m_receiver->url(), RetrySchedule({1, 1, 1}));
        TlsReceiver::Reply fail;
        fail.status = 500;
        fail.body = "overloaded";
        m_receiver->enqueueReply(fail);
        m_receiver->enqueueReply(fail);
        startEngine();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        const Delivery d = waitForFinal(emitted->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Succeeded);
        QCOMPARE(d.attemptCount, 3);
        const auto requests = m_receiver->requests();
        QCOMPARE(requests.size(), 3);
        for (const auto& r : requests) {
            QCOMPARE(r.header("webhook-id"), d.msgId.toLatin1());
            QCOMPARE(r.body, requests.first().body); // frozen envelope
        }
        // ~1 s apart (±10% jitter), not immediately.
        QVERIFY(requests.at(1).receivedAtMs - requests.at(0).receivedAtMs >= 850);
        const auto attempts = *DeliveryLog(m_db).attempts(d.id);
        QCOMPARE(attempts.size(), 3);
        QCOMPARE(attempts.at(0).statusCode, std::optional<int>(500));
        QCOMPARE(attempts.at(0).responseBody, QByteArray("overloaded"));
        QCOMPARE(attempts.at(2).statusCode, std::optional<int>(200));
        // pending, retrying twice, then succeeded: the health counters moved with it
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
    }

    void outcomeClasses_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("behavior");
        QTest::addColumn<int>("delayMs");
        QTest::addColumn<qint64>("bodyBytes");
        QTest::addColumn<int>("cert");
        QTest::addColumn<QString>("errorClass");
        QTest::addColumn<int>("deliveryStatus");
        using B = TlsReceiver::Reply::Behavior;
        using C = TlsReceiver::CertKind;
        const int ok = int(DeliveryStatus::Succeeded);
        const int failed = int(DeliveryStatus::Failed);
        QTest::newRow("201") << 201 << int(B::Normal) << 0 << qint64(0) << int(C::Valid) << "" << ok;
        QTest::newRow("404") << 404 << int(B::Normal) << 0 << qint64(0) << int(C::Valid) << "http_status" << failed;
        QTest::newRow("500") << 500 << int(B::Normal) << 0 << qint64(0) << int(C::Valid) << "http_status" << failed;
        QTest::newRow("slow reply") << 200 << int(B::Normal) << 4000 << qint64(0) << int(C::Valid) << "timeout"
                                    << failed;
        QTest::newRow("5 MB body") << 200 << int(B::Normal) << 0 << qint64(5 * 1024 * 1024) << int(C::Valid) << ""
                                   << ok;
        QTest::newRow("reset") << 200 << int(B::Reset) << 0 << qint64(0) << int(C::Valid) << "connection_reset"
                               << failed;
        QTest::newRow("wrong host cert") << 200 << int(B::Normal) << 0 << qint64(0) << int(C::WrongHost) << "tls_error"
                                         << failed;
        QTest::newRow("expired cert") << 200 << int(B::Normal) << 0 << qint64(0) << int(C::Expired) << "tls_error"
                                      << failed;
        QTest::newRow("unknown CA") << 200 << int(B::Normal) << 0 << qint64(0) << int(C::UnknownCa) << "tls_error"
                                    << failed;
    }
    void outcomeClasses()
    {
        QFETCH(int, status);
        QFETCH(int, behavior);
        QFETCH(int, delayMs);
        QFETCH(qint64, bodyBytes);
        QFETCH(int, cert);
        QFETCH(QString, errorClass);
        QFETCH(int, deliveryStatus);
        m_receiver = std::make_unique<TlsReceiver>(m_pki, TlsReceiver::CertKind(cert));
        QVERIFY(m_receiver->listen());
        TlsReceiver::Reply reply;
        reply.status = status;
        reply.behavior = TlsReceiver::Reply::Behavior(behavior);
        reply.delayMs = delayMs;
        reply.generatedBodyBytes = bodyBytes;
        m_receiver->setDefaultReply(reply);
        addWebhook(m_receiver->url(), RetrySchedule(), 2);
        startEngine();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        const Delivery d = waitForFinal(emitted->deliveryIds.first());
        QCOMPARE(int(d.status), deliveryStatus);
        const auto attempts = *DeliveryLog(m_db).attempts(d.id);
        QCOMPARE(attempts.size(), 1);
        QCOMPARE(attempts.first().errorClass, errorClass);
        if (!errorClass.isEmpty())
            QVERIFY(!attempts.first().error.isEmpty());
        if (bodyBytes > 0) {
            QVERIFY(attempts.first().truncated);
            QCOMPARE(attempts.first().responseBody.size(), 64 * 1024);
            QCOMPARE(attempts.first().responseBodySize, bodyBytes);
        }
    }

    void redirectIsNotFollowed()
    {
        TlsReceiver other(m_pki);
        QVERIFY(other.listen());
        TlsReceiver::Reply redirect;
        redirect.status = 302;
        redirect.headers = {{"Location", other.url().toUtf8()}};
        m_receiver->setDefaultReply(redirect);
        addWebhook(m_receiver->url());
        startEngine();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        const Delivery d = waitForFinal(emitted->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Failed);
        QCOMPARE(d.lastErrorClass, QStringLiteral("redirect_not_followed"));
        QTest::qWait(300);
        QCOMPARE(other.requestCount(), 0);
        QCOMPARE(m_receiver->requestCount(), 1);
    }

    void metadataAddressIsBlocked()
    {
        addWebhook(QStringLiteral("https://169.254.169.254/latest/meta-data"));
        startEngine();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        const Delivery d = waitForFinal(emitted->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Failed);
        const auto attempts = *DeliveryLog(m_db).attempts(d.id);
        QCOMPARE(attempts.first().errorClass, QStringLiteral("blocked_destination"));
        QVERIFY(attempts.first().error.contains(QLatin1String("169.254.169.254")));
    }

    void goneDisablesTheWebhook()
    {
        TlsReceiver::Reply gone;
        gone.status = 410;
        m_receiver->setDefaultReply(gone);
        const Webhook w = addWebhook(m_receiver->url(), RetrySchedule({1}));
        startEngine();
        QSignalSpy disabled(m_engine.get(), &Engine::webhooksDisabled);
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        QCOMPARE(waitForFinal(emitted->deliveryIds.first()).status, DeliveryStatus::Failed);
        QTRY_COMPARE(disabled.size(), 1);
        const Webhook after = *m_store->get(w.id);
        QVERIFY(!after.isActive);
        QCOMPARE(after.disabledReason, QStringLiteral("410 Gone from endpoint"));
    }

    void rotationSendsTwoSignatures()
    {
        const Webhook w = addWebhook(m_receiver->url());
        const Webhook rotated = *m_store->rotateSecret(w.id, 3600);
        startEngine();
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 1, 10000);
        const auto req = m_receiver->requests().first();
        QCOMPARE(req.header("webhook-signature").split(' ').size(), 2);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        for (const QString& secret : {w.secret, rotated.secret})
            QCOMPARE(signing::verify(secret, req.header("webhook-id"), req.header("webhook-timestamp"), req.body,
                                     req.header("webhook-signature"), now),
                     signing::VerifyResult::Ok);
    }

    void testSendReachesInactiveWebhook()
    {
        TlsReceiver::Reply reply;
        reply.status = 202;
        reply.body = R"({"received":true})";
        reply.headers = {{"X-Receiver", "test"}};
        m_receiver->setDefaultReply(reply);
        Webhook w = addWebhook(m_receiver->url());
        w = *m_store->setActive(w.id, false);
        TestSender sender(m_db, m_clock, transport()());
        QSignalSpy finished(&sender, &TestSender::finished);
        const auto tag = sender.send(w.id, QStringLiteral("invoice.paid"));
        QVERIFY(tag);
        QVERIFY(finished.wait(10000));
        const auto result = finished.first().at(1).value<TestSendResult>();
        QCOMPARE(result.status, DeliveryStatus::Succeeded);
        QCOMPARE(result.attempt.statusCode, std::optional<int>(202));
        QCOMPARE(result.attempt.responseBody, QByteArray(R"({"received":true})"));
        QVERIFY(result.signatureSent);
        QCOMPARE(result.eventType, QStringLiteral("invoice.paid"));
        const auto body = m_receiver->requests().first().body;
        QVERIFY(body.contains("\"type\":\"invoice.paid\""));
        QVERIFY(body.contains("INV-2026-0412")); // the catalog's sample payload
        const auto attempts = *DeliveryLog(m_db).attempts(result.deliveryId);
        QCOMPARE(attempts.size(), 1);
        QCOMPARE(attempts.first().trigger, AttemptTrigger::Test);
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
        QCOMPARE(sender.send(9999).error().kind, Error::Kind::NotFound);
    }

    // Team mode: an event emitted by another process (no in-process wake) reaches an idle engine at once
    // through LISTEN/NOTIFY, not at its next periodic look (set to a minute here).
    void postgresNotifyWakesTheEngine()
    {
        const QString url = qEnvironmentVariable("OUTHOOK_TEST_PG_URL");
        if (url.isEmpty())
            QFAIL("OUTHOOK_TEST_PG_URL is not set: run through scripts/test-postgres");
        {
            const auto parsed = DatabaseUrl::parse(url);
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("reset"));
            raw.setHostName(parsed->host);
            raw.setPort(parsed->port);
            raw.setUserName(parsed->user);
            raw.setDatabaseName(parsed->databaseName);
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            q.exec(QStringLiteral("CREATE DATABASE outhook_test_notify"));
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("reset"));
        DatabaseUrl parsed = *DatabaseUrl::parse(url);
        parsed.databaseName = QStringLiteral("outhook_test_notify");
        auto pg = Database::open(parsed);
        QVERIFY2(pg, qPrintable(pg.error().message));
        m_db = *pg;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        addWebhook(m_receiver->url());

        Dispatcher::Options options;
        options.maxIdleWakeMs = 60000;
        m_engine = std::make_unique<Engine>(m_db, m_clock, options, transport());
        QSignalSpy idle(m_engine.get(), &Engine::idle);
        m_engine->start();
        QVERIFY(idle.wait(10000)); // subscribed and idle

        // "Another process": its own Database object, connection and Emitter, no wake callback.
        auto other = Database::open(parsed);
        QVERIFY(other);
        EventCatalog otherCatalog(*other, m_clock);
        Emitter otherEmitter(*other, otherCatalog, m_clock);
        QElapsedTimer t;
        t.start();
        QVERIFY(otherEmitter.emit(QStringLiteral("job.created"), {}));
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 1, 5000);
        qInfo() << "emit to request over NOTIFY:" << t.elapsed() << "ms";
        QVERIFY(t.elapsed() < 5000);
    }

    void shutdownReleasesInFlightWork()
    {
        TlsReceiver::Reply never;
        never.behavior = TlsReceiver::Reply::Behavior::NeverAnswer;
        m_receiver->setDefaultReply(never);
        addWebhook(m_receiver->url(), RetrySchedule(), 60);
        startEngine();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 1, 10000);
        // Leased: due again only at the lease's end.
        QVERIFY(DeliveryLog(m_db).get(emitted->deliveryIds.first())->nextAttemptAt.value_or(0) >
                m_clock.nowMs() + 5000);
        QElapsedTimer t;
        t.start();
        m_engine->stopAndWait(500);
        QVERIFY(t.elapsed() < 5000);
        const Delivery d = *DeliveryLog(m_db).get(emitted->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Pending); // handed back, due again, nothing recorded
        QVERIFY(d.nextAttemptAt.value_or(LLONG_MAX) <= m_clock.nowMs());
        QCOMPARE(DeliveryLog(m_db).attempts(d.id)->size(), 0);
    }

    // Deliveries claimed ahead of a free slot are leased but unsent: a shutdown hands them back at once,
    // untouched, instead of leaving them to a lease that only expires later.
    void claimedAheadIsHandedBackAtShutdown()
    {
        TlsReceiver::Reply never;
        never.behavior = TlsReceiver::Reply::Behavior::NeverAnswer;
        m_receiver->setDefaultReply(never);
        addWebhook(m_receiver->url(), RetrySchedule(), 60);
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i)
            ids << m_emitter->emit(QStringLiteral("job.created"), {})->deliveryIds.first();
        Dispatcher::Options options;
        options.concurrency = 1;
        options.claimBatch = 8;
        m_engine = std::make_unique<Engine>(m_db, m_clock, options, transport());
        m_engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 1, 10000);
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE lease_owner IS NOT NULL")) && q.next());
        QCOMPARE(q.value(0).toInt(), 5); // one in flight, four claimed ahead
        q.finish();
        QTest::qWait(200);
        QCOMPARE(m_receiver->requestCount(), 1); // concurrency 1 holds

        m_engine->stopAndWait(300);
        for (const qint64 id : std::as_const(ids)) {
            const Delivery d = *DeliveryLog(m_db).get(id);
            QCOMPARE(d.status, DeliveryStatus::Pending);
            QVERIFY(d.nextAttemptAt.value_or(LLONG_MAX) <= m_clock.nowMs());
            QCOMPARE(d.attemptCount, 0);
        }
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE lease_owner IS NOT NULL")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }

    // The engine's concurrency applies to one host too: with 40 slots and one slow receiver, 40 requests
    // are on the wire (the transport's own cap is 32), none waits unsent with its timeout running.
    void concurrencyAppliesToOneHost()
    {
        TlsReceiver::Reply never;
        never.behavior = TlsReceiver::Reply::Behavior::NeverAnswer;
        m_receiver->setDefaultReply(never);
        addWebhook(m_receiver->url(), RetrySchedule(), 60);
        for (int i = 0; i < 50; ++i)
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        Dispatcher::Options options;
        options.concurrency = 40;
        QVERIFY(CurlTransport::Options().maxConnectionsPerHost < options.concurrency);
        m_engine = std::make_unique<Engine>(m_db, m_clock, options, transport());
        m_engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 40, 30000);
        m_engine->stopAndWait(300);
        m_receiver->dropConnections();
        QCOMPARE(m_receiver->requestCount(), 40); // and no more than the slots
    }

    // A sent attempt whose record cannot be written yet stays this engine's: the heartbeat keeps its lease,
    // so neither this engine nor another sends it again while the write is retried.
    void leaseOutlivesAFailingRecord()
    {
        addWebhook(m_receiver->url());
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral(
            "CREATE TRIGGER poison BEFORE INSERT ON attempts BEGIN SELECT RAISE(ABORT, 'poisoned'); END")));
        Dispatcher::Options options;
        options.leaseMs = 400;
        options.heartbeatMs = 50;
        options.maxIdleWakeMs = 200;
        m_engine = std::make_unique<Engine>(m_db, m_clock, options, transport());
        QSignalSpy errors(m_engine.get(), &Engine::storageError);
        m_engine->start();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        m_engine->wake();
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requestCount(), 1, 10000);
        QTRY_VERIFY(!errors.isEmpty()); // the record failed
        QTest::qWait(1200);             // three leases long
        QCOMPARE(m_receiver->requestCount(), 1);
        QVERIFY(q.exec(QStringLiteral("SELECT lease_owner, next_attempt_at FROM deliveries")) && q.next());
        QVERIFY(!q.value(0).isNull());
        QVERIFY(q.value(1).toLongLong() > m_clock.nowMs());
        q.finish();

        QVERIFY(q.exec(QStringLiteral("DROP TRIGGER poison")));
        const Delivery d = waitForFinal(emitted->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Succeeded);
        QCOMPARE(DeliveryLog(m_db).attempts(d.id)->size(), 1);
        QCOMPARE(m_receiver->requestCount(), 1);
    }

    // `outhookd serve` keeps committing API requests while the engine shuts down; each commit wakes the
    // engine. Waking (or stopping, reloading, restarting) an engine whose dispatcher has stopped and been
    // deleted used to post to freed memory and hung the process in postEvent(). Under ASan (CI) any
    // such post is a use-after-free report.
    void callsAfterStopAreIgnored()
    {
        addWebhook(m_receiver->url());
        startEngine();
        QSignalSpy stopped(m_engine.get(), &Engine::stopped);
        m_engine->stop(100);
        QVERIFY(stopped.wait(5000));
        QTRY_VERIFY(!m_engine->isRunning());
        QTest::qWait(50); // the dispatcher's deferred deletion runs as its thread finishes

        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {}); // wakes the stopped engine
        QVERIFY2(emitted, qPrintable(emitted.error().message));
        for (int i = 0; i < 100; ++i)
            m_engine->wake();
        m_engine->reloadSettings();
        m_engine->setAutoDisableAfterMs(1000);
        m_engine->stop(100);
        m_engine->start(); // one run per Engine
        QTest::qWait(200);
        QVERIFY(!m_engine->isRunning());
        QCOMPARE(stopped.size(), 1);
        // The event is committed and waits for the next engine: nothing was sent meanwhile.
        QCOMPARE(m_receiver->requestCount(), 0);
        QCOMPARE(DeliveryLog(m_db).get(emitted->deliveryIds.first())->status, DeliveryStatus::Pending);
    }
};

QTEST_GUILESS_MAIN(TestDispatcher)
#include "tst_dispatcher.moc"
