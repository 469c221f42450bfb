#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Dispatcher.h"
#include "delivery/Engine.h"
#include "events/Emitter.h"
#include "storage/DeliveryLog.h"
#include "storage/WebhookStore.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;
using Behavior = TlsReceiver::Reply::Behavior;
using CertKind = TlsReceiver::CertKind;

namespace {

// One hostile endpoint and what the engine must make of it.
struct Scenario
{
    CertKind cert = CertKind::Valid;
    TlsReceiver::Reply reply;
    bool redirectToSelf = false; // Location: the endpoint's own URL (a redirect loop)
    int timeoutSeconds = 1;
    bool lastAttempt = false; // the webhook has no retries left: the attempt ends the delivery
    // Expectations
    QString errorClass;
    int statusCode = 0;     // recorded HTTP status; 0: none
    qint64 capturedMin = 0; // response body bytes kept
    qint64 capturedMax = 0;
    bool truncated = false;
    DeliveryStatus outcome = DeliveryStatus::Retrying;
    QString errorContains; // a piece of the readable error
    qint64 bodySize = -1;  // responseBodySize; -1: not checked
};

constexpr qint64 Cap = 64 * 1024;
constexpr qint64 RetryDelayMs = 60 * 1000;

Scenario row(Behavior behavior, int status = 200)
{
    Scenario s;
    s.reply.behavior = behavior;
    s.reply.status = status;
    return s;
}

qint64 vmHwmKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

Q_DECLARE_METATYPE(Scenario)

// The hostile-receiver fault matrix: the whole dispatcher (claim, send, classify, record, schedule)
// against real HTTPS endpoints that misbehave, with a fixed clock and no jitter so the retry decision is
// exact. Then everything at once next to a healthy endpoint, and the memory of a real outhookd process.
class TestHostileReceivers : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    ManualClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<Dispatcher> m_dispatcher;

    CurlTransport::Options transportOptions() const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        o.policy.allow(QStringLiteral("::1/128"));
        return o;
    }

    Webhook addWebhook(const QString& url, const RetrySchedule& schedule, int timeoutSeconds,
                       const QString& name = QStringLiteral("hostile"))
    {
        Webhook w;
        w.name = name;
        w.url = url;
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        w.retrySchedule = schedule;
        w.timeoutSeconds = timeoutSeconds;
        const auto created = m_store->create(w);
        if (!created)
            qFatal("%s", qPrintable(created.error().message));
        return *created;
    }

    // The dispatcher on this thread (the receivers live here too), jitter-free.
    void startDispatcher(const CurlTransport::Options& o)
    {
        Dispatcher::Options options;
        options.concurrency = 8;
        m_dispatcher = std::make_unique<Dispatcher>(
            m_db, m_clock, options, [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); },
            RetryPolicy([] { return 0.5; }));
        m_emitter->setOnQueued([d = m_dispatcher.get()] { d->wake(); });
        m_dispatcher->start();
    }

    QList<Attempt> waitForAttempts(qint64 deliveryId, int count, int timeoutMs = 20000)
    {
        DeliveryLog log(m_db);
        QElapsedTimer t;
        t.start();
        QList<Attempt> attempts;
        while (t.elapsed() < timeoutMs) {
            attempts = *log.attempts(deliveryId);
            if (attempts.size() >= count)
                return attempts;
            QTest::qWait(20);
        }
        return attempts;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }

    void init()
    {
        static int n = 0;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("h%1.db").arg(++n))));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
    }

    void cleanup()
    {
        if (m_dispatcher) {
            QSignalSpy stopped(m_dispatcher.get(), &Dispatcher::stopped);
            m_dispatcher->stop(0);
            if (stopped.isEmpty())
                QVERIFY(stopped.wait(5000));
        }
        m_dispatcher.reset();
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void matrix_data()
    {
        QTest::addColumn<Scenario>("s");

        Scenario s = row(Behavior::SlowHeaders);
        s.reply.delayMs = 300; // slowloris: 17 bytes of status line alone take 5 s
        s.errorClass = QStringLiteral("timeout");
        QTest::newRow("slow headers (slowloris)") << s;

        s = row(Behavior::SlowBody);
        s.reply.body = QByteArray(100, 'b');
        s.reply.delayMs = 100; // headers at once, then a byte every 100 ms: 10 s for the body
        s.errorClass = QStringLiteral("timeout");
        s.statusCode = 200;
        s.capturedMin = 1;
        s.capturedMax = 99;
        QTest::newRow("slow body") << s;

        s = row(Behavior::NeverEnding);
        s.reply.delayMs = 50; // a small chunk every 50 ms, forever
        s.errorClass = QStringLiteral("timeout");
        s.statusCode = 200;
        s.capturedMin = 5;
        s.capturedMax = 5 * 40;
        QTest::newRow("never-ending response (trickle)") << s;

        s = row(Behavior::NeverEnding);
        s.reply.body = QByteArray(16 * 1024, 'n');
        s.reply.delayMs = 1; // a flood: the cap is reached and reading stops
        s.timeoutSeconds = 10;
        s.statusCode = 200;
        s.capturedMin = s.capturedMax = Cap;
        s.truncated = true;
        s.outcome = DeliveryStatus::Succeeded;
        QTest::newRow("never-ending response (flood)") << s;

        s = row(Behavior::Normal);
        s.reply.generatedBodyBytes = qint64(1) << 30; // 1 GB, generated as it is sent
        s.timeoutSeconds = 10;
        s.statusCode = 200;
        s.capturedMin = s.capturedMax = Cap;
        s.truncated = true;
        s.bodySize = qint64(1) << 30;
        s.outcome = DeliveryStatus::Succeeded;
        QTest::newRow("1 GB body") << s;

        s = row(Behavior::ResetMidBody);
        s.reply.generatedBodyBytes = 40000; // half of it (under the cap) arrives, then RST
        s.timeoutSeconds = 5;
        s.errorClass = QStringLiteral("connection_reset");
        s.statusCode = 200;
        s.capturedMin = 1;
        s.capturedMax = 20000;
        QTest::newRow("reset mid-body") << s;

        s = row(Behavior::Raw);
        s.reply.body = "SSH-2.0-OpenSSH_9.2p1\r\n";
        s.timeoutSeconds = 5;
        s.errorClass = QStringLiteral("protocol_error");
        QTest::newRow("invalid HTTP (not HTTP at all)") << s;

        s = row(Behavior::Raw);
        s.reply.body = "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n";
        s.timeoutSeconds = 5;
        s.errorClass = QStringLiteral("protocol_error");
        QTest::newRow("invalid HTTP (garbled status line)") << s;

        s = row(Behavior::Raw);
        s.reply.body = "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n";
        s.timeoutSeconds = 5;
        s.statusCode = 200; // the status line was fine and is recorded; the error class decides
        s.errorClass = QStringLiteral("protocol_error");
        QTest::newRow("invalid HTTP (negative Content-Length)") << s;

        s = row(Behavior::Raw);
        s.reply.body = "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(1024 * 1024, 'h') + "\r\nContent-Length: 0\r\n\r\n";
        s.timeoutSeconds = 5;
        s.statusCode = 200;
        s.errorClass = QStringLiteral("protocol_error");
        s.errorContains = QStringLiteral("headers too large");
        QTest::newRow("1 MB header line") << s;

        s = row(Behavior::Normal, 302);
        s.redirectToSelf = true;
        s.errorClass = QStringLiteral("redirect_not_followed");
        s.statusCode = 302;
        s.errorContains = QStringLiteral("redirects are never followed");
        QTest::newRow("redirect loop") << s;

        s = row(Behavior::Normal, 307);
        s.reply.headers = {{"Location", "https://169.254.169.254/latest/meta-data/iam/security-credentials/"}};
        s.errorClass = QStringLiteral("redirect_not_followed");
        s.statusCode = 307;
        s.errorContains = QStringLiteral("169.254.169.254");
        QTest::newRow("redirect to 169.254.169.254") << s;

        for (const auto& [kind, name] :
             {std::pair{CertKind::WrongHost, "wrong host"}, std::pair{CertKind::Expired, "expired"},
              std::pair{CertKind::UnknownCa, "unknown CA"}}) {
            s = row(Behavior::Normal);
            s.cert = kind;
            s.timeoutSeconds = 5;
            s.errorClass = QStringLiteral("tls_error");
            QTest::newRow(qPrintable(QStringLiteral("TLS certificate: %1").arg(QLatin1String(name)))) << s;
        }

        s = row(Behavior::NeverAnswer);
        s.errorClass = QStringLiteral("timeout");
        QTest::newRow("accepts, never answers") << s;

        s = row(Behavior::NeverAnswer);
        s.lastAttempt = true;
        s.errorClass = QStringLiteral("timeout");
        s.outcome = DeliveryStatus::Failed;
        QTest::newRow("never answers, no retries left") << s;

        s = row(Behavior::Normal, 410);
        s.lastAttempt = false;
        s.errorClass = QStringLiteral("http_status");
        s.statusCode = 410;
        s.outcome = DeliveryStatus::Failed; // and the webhook is disabled
        QTest::newRow("410 Gone") << s;
    }

    void matrix()
    {
        QFETCH(Scenario, s);
        TlsReceiver receiver(m_pki, s.cert);
        QVERIFY(receiver.listen());
        TlsReceiver::Reply reply = s.reply;
        if (s.redirectToSelf)
            reply.headers = {{"Location", receiver.url().toUtf8()}};
        receiver.setDefaultReply(reply);
        const Webhook w =
            addWebhook(receiver.url(), s.lastAttempt ? RetrySchedule() : RetrySchedule({60}), s.timeoutSeconds);
        startDispatcher(transportOptions());
        const qint64 now = m_clock.nowMs();
        const auto emitted = m_emitter->emit(QStringLiteral("job.created"), {});
        QVERIFY(emitted);
        const qint64 id = emitted->deliveryIds.first();

        const QList<Attempt> attempts = waitForAttempts(id, 1);
        QCOMPARE(attempts.size(), 1);
        const Attempt a = attempts.first();
        const Delivery d = *DeliveryLog(m_db).get(id);
        qInfo().noquote() << "attempt:" << a.errorClass << a.statusCode.value_or(0) << "kept" << a.responseBody.size()
                          << "of" << a.responseBodySize << "in" << a.durationMs << "ms:" << a.error.left(160);

        QCOMPARE(a.errorClass, s.errorClass);
        QCOMPARE(a.statusCode.value_or(0), s.statusCode);
        QVERIFY2(a.responseBody.size() >= s.capturedMin && a.responseBody.size() <= s.capturedMax,
                 qPrintable(QString::number(a.responseBody.size())));
        QCOMPARE(a.truncated, s.truncated);
        if (s.bodySize >= 0)
            QCOMPARE(a.responseBodySize, s.bodySize);
        if (!s.errorClass.isEmpty())
            QVERIFY(!a.error.isEmpty());
        if (!s.errorContains.isEmpty())
            QVERIFY2(a.error.contains(s.errorContains), qPrintable(a.error));
        // No attempt may outlive the webhook's timeout by much, whatever the server does.
        QVERIFY2(a.durationMs < s.timeoutSeconds * 1000 + 2000, qPrintable(QString::number(a.durationMs)));
        QVERIFY(receiver.requestCount() <= 1); // nothing followed, nothing re-sent at once
        if (s.cert != CertKind::Valid)
            QCOMPARE(receiver.requestCount(), 0); // TLS failed before any byte of the request

        // The retry decision, exact: fixed clock, no jitter.
        QCOMPARE(d.status, s.outcome);
        QCOMPARE(d.attemptCount, 1);
        if (s.outcome == DeliveryStatus::Retrying)
            QCOMPARE(d.nextAttemptAt.value_or(0), now + RetryDelayMs);
        const Webhook after = *m_store->get(w.id);
        QCOMPARE(after.isActive, s.reply.status != 410);
    }

    // DNS rebinding: the name first resolves to an allowed address (127.0.0.2 stands in for a public host:
    // the policy allows only it), then to 127.0.0.1. The second connection is refused at connect time.
    void dnsRebindingIsRefusedAtConnect()
    {
        TlsReceiver publicHost(m_pki);
        QVERIFY(publicHost.listen(QStringLiteral("127.0.0.2"), 0));
        TlsReceiver loopback(m_pki);
        QVERIFY(loopback.listen(QStringLiteral("127.0.0.1"), publicHost.port()));
        TlsReceiver::Reply reply;
        reply.headers = {{"Connection", "close"}}; // no connection to reuse: the second send must look up again
        publicHost.setDefaultReply(reply);
        loopback.setDefaultReply(reply);

        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.2/32")); // "public"; 127.0.0.1 stays refused as loopback
        auto lookups = std::make_shared<std::atomic<int>>(0);
        o.resolver = [lookups](const QString& host, int) {
            if (host != QLatin1String("localhost"))
                return QStringList();
            return QStringList{++*lookups == 1 ? QStringLiteral("127.0.0.2") : QStringLiteral("127.0.0.1")};
        };
        addWebhook(publicHost.url(), RetrySchedule({60}), 5);
        startDispatcher(o);
        const qint64 now = m_clock.nowMs();

        const auto first = m_emitter->emit(QStringLiteral("job.created"), {});
        const QList<Attempt> a1 = waitForAttempts(first->deliveryIds.first(), 1);
        QCOMPARE(a1.size(), 1);
        QCOMPARE(a1.first().statusCode.value_or(0), 200);
        QCOMPARE(a1.first().remoteAddress, QStringLiteral("127.0.0.2"));
        QCOMPARE(publicHost.requestCount(), 1);

        const auto second = m_emitter->emit(QStringLiteral("job.created"), {});
        const QList<Attempt> a2 = waitForAttempts(second->deliveryIds.first(), 1);
        QCOMPARE(a2.size(), 1);
        QCOMPARE(a2.first().errorClass, QStringLiteral("blocked_destination"));
        QCOMPARE(a2.first().error, QStringLiteral("blocked destination 127.0.0.1 (loopback)"));
        QCOMPARE(a2.first().statusCode.value_or(0), 0);
        QVERIFY(a2.first().responseBody.isEmpty());
        QCOMPARE(lookups->load(), 2);
        QTest::qWait(200);
        QCOMPARE(loopback.requestCount(), 0); // not one byte reached 127.0.0.1
        const Delivery d = *DeliveryLog(m_db).get(second->deliveryIds.first());
        QCOMPARE(d.status, DeliveryStatus::Retrying);
        QCOMPARE(d.nextAttemptAt.value_or(0), now + RetryDelayMs);
    }

    // Every hostile endpoint at once, next to one healthy webhook, all subscribed to the same events: the
    // healthy webhook's deliveries keep flowing while the hostile ones hang. Before requests that hang
    // stopped counting against the concurrency once slow, 4 hanging endpoints x 16 events filled all 64
    // slots and the healthy deliveries waited for the hostile timeouts (36 s instead of 5 s here).
    void allTogetherHealthyKeepsFlowing()
    {
        QList<std::shared_ptr<TlsReceiver>> hostile;
        qint64 neverAnswerId = 0;
        const auto addHostile = [&](CertKind cert, const TlsReceiver::Reply& reply) {
            auto r = std::make_shared<TlsReceiver>(m_pki, cert);
            QVERIFY(r->listen());
            r->setDefaultReply(reply);
            const qint64 id = addWebhook(r->url(), RetrySchedule({60}), 20).id;
            if (reply.behavior == Behavior::NeverAnswer)
                neverAnswerId = id;
            hostile << r;
        };
        TlsReceiver::Reply r;
        for (Behavior b : {Behavior::NeverAnswer, Behavior::SlowHeaders, Behavior::SlowBody, Behavior::NeverEnding}) {
            r = TlsReceiver::Reply();
            r.behavior = b;
            r.body = QByteArray(1000, 'b');
            r.delayMs = 500;
            addHostile(CertKind::Valid, r);
        }
        r = TlsReceiver::Reply();
        r.generatedBodyBytes = qint64(1) << 30;
        addHostile(CertKind::Valid, r);
        r = TlsReceiver::Reply();
        r.behavior = Behavior::ResetMidBody;
        r.generatedBodyBytes = 40000;
        addHostile(CertKind::Valid, r);
        r = TlsReceiver::Reply();
        r.behavior = Behavior::Raw;
        r.body = "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(1024 * 1024, 'h') + "\r\n\r\n";
        addHostile(CertKind::Valid, r);
        r = TlsReceiver::Reply();
        r.status = 302;
        r.headers = {{"Location", "https://169.254.169.254/"}};
        addHostile(CertKind::Valid, r);
        for (CertKind c : {CertKind::WrongHost, CertKind::Expired, CertKind::UnknownCa})
            addHostile(c, TlsReceiver::Reply());

        TlsReceiver healthy(m_pki);
        QVERIFY(healthy.listen());
        addWebhook(healthy.url(), RetrySchedule({60}), 20, QStringLiteral("healthy"));

        Dispatcher::Options options; // production defaults (concurrency 64)
        const auto o = transportOptions();
        SystemClock clock;
        Engine engine(m_db, clock, options, [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); });
        Emitter emitter(m_db, *m_catalog, clock);
        emitter.setOnQueued([&engine] { engine.wake(); });
        engine.start();

        constexpr int N = 30;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < N; ++i)
            QVERIFY(emitter.emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("n"), i}}));
        QTRY_COMPARE_WITH_TIMEOUT(healthy.requestCount(), N, 15000);
        const qint64 elapsed = t.elapsed();
        // ...while the endpoint that never answers still holds its requests: not one attempt recorded yet.
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id "
                                      "WHERE d.webhook_id = %1")
                           .arg(neverAnswerId)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QVERIFY(hostile.first()->requestCount() > 0);
        qInfo() << hostile.size() << "hostile endpoints," << N * hostile.size() << "hostile deliveries: all" << N
                << "healthy deliveries arrived in" << elapsed << "ms";
        QVERIFY(elapsed < 15000); // well inside the hostile endpoints' 20 s timeout
        engine.stopAndWait(200);
    }

    // A real `outhookd dispatch` against 1 GB bodies and never-ending responses: its peak RSS stays small.
    void outhookdMemoryIsBounded()
    {
        TlsReceiver gig(m_pki);
        QVERIFY(gig.listen());
        TlsReceiver::Reply big;
        big.generatedBodyBytes = qint64(1) << 30;
        gig.setDefaultReply(big);
        TlsReceiver flood(m_pki);
        QVERIFY(flood.listen());
        TlsReceiver::Reply endless;
        endless.behavior = Behavior::NeverEnding;
        endless.body = QByteArray(32 * 1024, 'n');
        endless.delayMs = 1;
        flood.setDefaultReply(endless);
        TlsReceiver trickle(m_pki);
        QVERIFY(trickle.listen());
        endless.body = "tick\n";
        endless.delayMs = 20;
        trickle.setDefaultReply(endless);
        TlsReceiver healthy(m_pki);
        QVERIFY(healthy.listen());

        for (int i = 0; i < 4; ++i)
            addWebhook(gig.url(QStringLiteral("/gig%1").arg(i)), RetrySchedule(), 30);
        addWebhook(flood.url(), RetrySchedule(), 30);
        addWebhook(trickle.url(), RetrySchedule(), 3);
        addWebhook(healthy.url(), RetrySchedule(), 30, QStringLiteral("healthy"));
        constexpr int N = 5;
        for (int i = 0; i < N; ++i)
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));

        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(OUTHOOKD_PATH),
                {QStringLiteral("--db"), m_db->url().path, QStringLiteral("--ca-file"), m_pki.caFile(),
                 QStringLiteral("--allow-destination"), QStringLiteral("127.0.0.0/8"), QStringLiteral("dispatch"),
                 QStringLiteral("--until-idle")});
        QVERIFY(p.waitForStarted());
        qint64 peakKb = 0;
        QElapsedTimer t;
        t.start();
        while (p.state() != QProcess::NotRunning && t.elapsed() < 60000) {
            peakKb = std::max(peakKb, vmHwmKb(p.processId()));
            QTest::qWait(5);
        }
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished();
            QFAIL("outhookd dispatch did not finish");
        }
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(healthy.requestCount(), N);
        QCOMPARE(gig.requestCount(), 4 * N);
        qInfo() << "outhookd dispatch: peak RSS (VmHWM)" << peakKb / 1024 << "MB for" << 4 * N << "x 1 GB bodies,"
                << 2 * N << "never-ending responses and" << N << "healthy deliveries";
        QVERIFY(peakKb > 0);
        QVERIFY2(peakKb < 200 * 1024, qPrintable(QString::number(peakKb)));
    }
};

QTEST_GUILESS_MAIN(TestHostileReceivers)
#include "tst_hostilereceivers.moc"
