#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"

#include <QAbstractEventDispatcher>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;
using Behavior = TlsReceiver::Reply::Behavior;
using CertKind = TlsReceiver::CertKind;

Q_DECLARE_METATYPE(outhook::test::TlsReceiver::CertKind)

namespace {

QByteArray header(const RawHeaders& headers, const QByteArray& name)
{
    for (const auto& [n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

int headerCount(const RawHeaders& headers, const QByteArray& name)
{
    int count = 0;
    for (const auto& h : headers)
        count += h.first.compare(name, Qt::CaseInsensitive) == 0 ? 1 : 0;
    return count;
}

// Collects finished() so tests can wait on it with QTRY_*.
class Collector
{
public:
    explicit Collector(Transport& transport)
    {
        QObject::connect(&transport, &Transport::finished, &transport,
                         [this](const HttpResponse& r) { responses.append(r); });
    }
    QList<HttpResponse> responses;
};

} // namespace

// CurlTransport against a real HTTPS receiver on 127.0.0.1: capture, limits, fault classification,
// and the SSRF guard on the address actually connected.
class TestCurlTransport : public QObject
{
    Q_OBJECT
    TestPki m_pki;

    CurlTransport::Options options(bool allowLoopback = true) const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        if (allowLoopback) {
            o.policy.allow(QStringLiteral("127.0.0.0/8"));
            o.policy.allow(QStringLiteral("::1/128"));
        }
        return o;
    }

    static HttpRequest request(const QString& url, quint64 tag = 1)
    {
        HttpRequest r;
        r.tag = tag;
        r.url = url.toUtf8();
        r.headers = {{"content-type", "application/json"}, {"user-agent", "Outhook/test"}};
        r.body = R"({"type":"job.created"})";
        r.connectTimeoutMs = 10000;
        r.totalTimeoutMs = 30000; // generous: client and receiver share one thread on a busy machine
        return r;
    }

    // Sends one request and waits for its result; a failed wait shows up as tag 0.
    static HttpResponse roundTrip(Transport& transport, const HttpRequest& r, int timeoutMs = 40000)
    {
        Collector c(transport);
        transport.send(r);
        QElapsedTimer t;
        t.start();
        while (c.responses.isEmpty() && t.elapsed() < timeoutMs)
            QTest::qWait(10);
        return c.responses.isEmpty() ? HttpResponse{} : c.responses.first();
    }

    // Event loop wake-ups of this thread over `ms` milliseconds.
    int wakeupsOver(int ms)
    {
        int wakeups = 0;
        auto* dispatcher = QAbstractEventDispatcher::instance();
        const auto counter = connect(dispatcher, &QAbstractEventDispatcher::awake, this, [&] { ++wakeups; });
        QEventLoop loop;
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        loop.exec();
        disconnect(counter);
        return wakeups;
    }

    // A receiver whose every reply behaves like `behavior`.
    std::unique_ptr<TlsReceiver> receiverAnswering(Behavior behavior)
    {
        auto r = receiver();
        if (r) {
            TlsReceiver::Reply reply;
            reply.behavior = behavior;
            r->setDefaultReply(reply);
        }
        return r;
    }

    std::unique_ptr<TlsReceiver> receiver(CertKind kind = CertKind::Valid)
    {
        auto r = std::make_unique<TlsReceiver>(m_pki, kind);
        if (!r->listen())
            return nullptr;
        return r;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }

    void errorClasses()
    {
        QCOMPARE(transportErrorClass(TransportError::None), QString());
        QCOMPARE(transportErrorClass(TransportError::Timeout), QStringLiteral("timeout"));
        QCOMPARE(transportErrorClass(TransportError::ConnectionRefused), QStringLiteral("connection_refused"));
        QCOMPARE(transportErrorClass(TransportError::ConnectionReset), QStringLiteral("connection_reset"));
        QCOMPARE(transportErrorClass(TransportError::Tls), QStringLiteral("tls_error"));
        QCOMPARE(transportErrorClass(TransportError::Dns), QStringLiteral("dns_error"));
        QCOMPARE(transportErrorClass(TransportError::BlockedDestination), QStringLiteral("blocked_destination"));
        QCOMPARE(transportErrorClass(TransportError::Protocol), QStringLiteral("protocol_error"));
        QCOMPARE(transportErrorClass(TransportError::Other), QStringLiteral("network_error"));
    }

    void okResponseCapturedAndRequestIntact()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.status = 200;
        reply.headers = {{"X-Reply", "  yes  "}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
        reply.body = "accepted";
        rx->setDefaultReply(reply);

        CurlTransport transport(options());
        HttpRequest r = request(rx->url(), 42);
        r.headers.append({QByteArray("X-Tenant"), QByteArray("acme")});
        r.headers.append({QByteArray("X-Empty"), QByteArray("")});
        const HttpResponse res = roundTrip(transport, r);

        QCOMPARE(res.tag, quint64(42));
        QCOMPARE(res.error, TransportError::None);
        QVERIFY2(res.errorMessage.isEmpty(), qPrintable(res.errorMessage));
        QCOMPARE(res.statusCode, 200);
        QCOMPARE(res.body, QByteArray("accepted"));
        QCOMPARE(res.bodySize, 8);
        QVERIFY(!res.truncated);
        QCOMPARE(header(res.headers, "x-reply"), QByteArray("yes"));
        QCOMPARE(headerCount(res.headers, "set-cookie"), 2);
        QCOMPARE(header(res.headers, "content-length"), QByteArray("8"));
        QCOMPARE(res.remoteAddress, QStringLiteral("127.0.0.1"));
        QVERIFY(res.durationMs >= 0 && res.durationMs < 10000);
        QCOMPARE(transport.inFlight(), 0);

        QCOMPARE(rx->requestCount(), 1);
        const TlsReceiver::Request got = rx->requests().first();
        QCOMPARE(got.method, QByteArray("POST"));
        QCOMPARE(got.path, QByteArray("/hook"));
        QCOMPARE(got.body, r.body);
        QCOMPARE(got.header("content-type"), QByteArray("application/json"));
        QCOMPARE(got.header("user-agent"), QByteArray("Outhook/test"));
        QCOMPARE(got.header("x-tenant"), QByteArray("acme"));
        QCOMPARE(headerCount(got.headers, "x-empty"), 1);
        QCOMPARE(headerCount(got.headers, "content-type"), 1);
        QCOMPARE(got.header("content-length"), QByteArray::number(r.body.size()));
        // Nothing curl would add on its own.
        QCOMPARE(headerCount(got.headers, "expect"), 0);
        QCOMPARE(headerCount(got.headers, "accept"), 0);
        QCOMPARE(headerCount(got.headers, "accept-encoding"), 0);
    }

    void interimResponsesAreDropped()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.status = 201;
        reply.headers = {{"X-Final", "1"}};
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        HttpRequest r = request(rx->url());
        r.headers.append({QByteArray("Expect"), QByteArray("100-continue")});
        r.body = QByteArray(200 * 1024, 'b');
        const HttpResponse res = roundTrip(transport, r);
        QCOMPARE(res.error, TransportError::None);
        QCOMPARE(res.statusCode, 201);
        QCOMPARE(header(res.headers, "x-final"), QByteArray("1"));
        QCOMPARE(rx->requestCount(), 1);
        QCOMPARE(rx->requests().first().body.size(), r.body.size());
    }

    void non2xxIsNotAnError()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.status = 503;
        reply.headers = {{"Retry-After", "120"}};
        reply.body = "busy";
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(rx->url()));
        QCOMPARE(res.error, TransportError::None);
        QCOMPARE(res.statusCode, 503);
        QCOMPARE(header(res.headers, "retry-after"), QByteArray("120"));
        QCOMPARE(res.body, QByteArray("busy"));
    }

    void redirectIsNotFollowed()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.status = 302;
        reply.headers = {{"Location", rx->url(QStringLiteral("/elsewhere")).toUtf8()}};
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(rx->url()));
        QCOMPARE(res.error, TransportError::None);
        QCOMPARE(res.statusCode, 302);
        QCOMPARE(header(res.headers, "location"), rx->url(QStringLiteral("/elsewhere")).toUtf8());
        QTest::qWait(200);
        QCOMPARE(rx->requestCount(), 1);
        QCOMPARE(rx->requests().first().path, QByteArray("/hook"));
    }

    void largeBodyIsTruncated()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.generatedBodyBytes = 5 * 1024 * 1024;
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        HttpRequest r = request(rx->url());
        r.maxResponseBodyBytes = 64 * 1024;
        const HttpResponse res = roundTrip(transport, r);
        QCOMPARE(res.error, TransportError::None);
        QVERIFY2(res.errorMessage.isEmpty(), qPrintable(res.errorMessage));
        QCOMPARE(res.statusCode, 200);
        QVERIFY(res.truncated);
        QCOMPARE(res.body.size(), 64 * 1024);
        QCOMPARE(res.body, QByteArray(64 * 1024, 'x'));
        QCOMPARE(res.bodySize, 5242880);
    }

    void resetIsConnectionReset()
    {
        auto rx = receiverAnswering(Behavior::Reset);
        QVERIFY(rx);
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(rx->url()));
        QCOMPARE(res.error, TransportError::ConnectionReset);
        QCOMPARE(res.statusCode, 0);
        QVERIFY(!res.errorMessage.isEmpty());
    }

    void resetMidBodyIsConnectionReset()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.behavior = Behavior::ResetMidBody;
        reply.generatedBodyBytes = 1024 * 1024;
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        HttpRequest r = request(rx->url());
        r.maxResponseBodyBytes = 4 * 1024 * 1024;
        const HttpResponse res = roundTrip(transport, r);
        QCOMPARE(res.error, TransportError::ConnectionReset);
        QCOMPARE(res.statusCode, 200);
    }

    void neverAnswerTimesOut()
    {
        auto rx = receiverAnswering(Behavior::NeverAnswer);
        QVERIFY(rx);
        CurlTransport transport(options());
        HttpRequest r = request(rx->url());
        r.totalTimeoutMs = 1000;
        const HttpResponse res = roundTrip(transport, r);
        QCOMPARE(res.error, TransportError::Timeout);
        QVERIFY2(res.durationMs >= 900 && res.durationMs < 5000, qPrintable(QString::number(res.durationMs)));
        QVERIFY(!res.errorMessage.isEmpty());
        rx->dropConnections();
    }

    void badCertificateIsTls_data()
    {
        QTest::addColumn<CertKind>("kind");
        QTest::newRow("wrong host") << CertKind::WrongHost;
        QTest::newRow("expired") << CertKind::Expired;
        QTest::newRow("unknown CA") << CertKind::UnknownCa;
    }

    void badCertificateIsTls()
    {
        QFETCH(CertKind, kind);
        auto rx = receiver(kind);
        QVERIFY(rx);
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(rx->url()));
        QCOMPARE(res.error, TransportError::Tls);
        QVERIFY(!res.errorMessage.isEmpty());
        QCOMPARE(res.statusCode, 0);
        QCOMPARE(rx->requestCount(), 0);
    }

    void metadataAddressIsBlocked()
    {
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(QStringLiteral("https://169.254.169.254/latest")));
        QCOMPARE(res.error, TransportError::BlockedDestination);
        QCOMPARE(res.errorMessage, QStringLiteral("blocked destination 169.254.169.254 (link-local)"));
        QVERIFY(res.remoteAddress.isEmpty());
        QCOMPARE(transportErrorClass(res.error), QStringLiteral("blocked_destination"));
    }

    void loopbackBlockedUnlessAllowed()
    {
        auto rx = receiver();
        QVERIFY(rx);
        CurlTransport closed(options(false));
        const HttpResponse res = roundTrip(closed, request(rx->url()));
        QCOMPARE(res.error, TransportError::BlockedDestination);
        QVERIFY2(res.errorMessage.contains(QLatin1String("(loopback)")), qPrintable(res.errorMessage));
        QCOMPARE(rx->requestCount(), 0);

        // Only IPv4 loopback opened: "localhost" may try ::1 first, which stays refused.
        CurlTransport::Options o = options(false);
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        CurlTransport open(o);
        const HttpResponse ok = roundTrip(open, request(rx->url()));
        QCOMPARE(ok.error, TransportError::None);
        QCOMPARE(ok.statusCode, 200);
        QCOMPARE(ok.remoteAddress, QStringLiteral("127.0.0.1"));
    }

    void reboundNameIsStillBlocked()
    {
        auto rx = receiver();
        QVERIFY(rx);
        const QString port = QString::number(rx->port());
        const QString url = QStringLiteral("https://rebind.test:") % port % QStringLiteral("/hook");

        CurlTransport::Options o = options(false);
        o.resolveOverrides << (QStringLiteral("rebind.test:") % port % QStringLiteral(":127.0.0.1"));
        CurlTransport closed(o);
        const HttpResponse res = roundTrip(closed, request(url));
        QCOMPARE(res.error, TransportError::BlockedDestination);
        QCOMPARE(res.errorMessage, QStringLiteral("blocked destination 127.0.0.1 (loopback)"));
        QCOMPARE(rx->requestCount(), 0);

        // Allowed, the connection is made; the certificate is not for rebind.test, so TLS fails instead.
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        CurlTransport open(o);
        const HttpResponse tls = roundTrip(open, request(url));
        QCOMPARE(tls.error, TransportError::Tls);
        QCOMPARE(tls.remoteAddress, QStringLiteral("127.0.0.1"));
    }

    void closedPortIsConnectionRefused()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(
            transport, request(QStringLiteral("https://127.0.0.1:") % QString::number(port) % QStringLiteral("/hook")));
        QCOMPARE(res.error, TransportError::ConnectionRefused);
        QVERIFY(!res.errorMessage.isEmpty());
    }

    void plainHttpIsRefused()
    {
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(QStringLiteral("http://127.0.0.1:1/hook")));
        QCOMPARE(res.error, TransportError::Protocol);
    }

    void hugeResponseHeadersAreProtocolErrors()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.headers = {{"X-Huge", QByteArray(300 * 1024, 'h')}};
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        const HttpResponse res = roundTrip(transport, request(rx->url()));
        QVERIFY2(res.error == TransportError::Protocol, qPrintable(res.errorMessage));
        QVERIFY(res.headers.size() < 100);
    }

    void concurrentRequestsAllComplete()
    {
        auto rx = receiver();
        QVERIFY(rx);
        TlsReceiver::Reply reply;
        reply.body = "ok";
        reply.delayMs = 50;
        rx->setDefaultReply(reply);
        CurlTransport transport(options());
        Collector c(transport);
        for (quint64 tag = 1; tag <= 20; ++tag)
            transport.send(request(rx->url(), tag));
        QCOMPARE(transport.inFlight(), 20);
        QTRY_COMPARE_WITH_TIMEOUT(c.responses.size(), 20, 40000);
        QSet<quint64> tags;
        for (const HttpResponse& r : std::as_const(c.responses)) {
            QCOMPARE(r.error, TransportError::None);
            QCOMPARE(r.statusCode, 200);
            QCOMPARE(r.body, QByteArray("ok"));
            tags.insert(r.tag);
        }
        QCOMPARE(tags.size(), 20);
        QCOMPARE(rx->requestCount(), 20);
        QCOMPARE(transport.inFlight(), 0);

        // The pool is warm now: a second wave reuses connections and handles.
        c.responses.clear();
        for (quint64 tag = 21; tag <= 40; ++tag)
            transport.send(request(rx->url(), tag));
        QTRY_COMPARE_WITH_TIMEOUT(c.responses.size(), 20, 40000);
        QCOMPARE(rx->requestCount(), 40);
    }

    // nginx offers HTTP/2 and answers `return 204` before it has read a large body, then resets the
    // stream with NO_ERROR (RFC 9113 §8.1). libcurl 7.88 over HTTP/2 reported that as a framing error
    // or hung until the timeout; the answer is a success and must be recorded as one.
    void http2ReceiverAnsweringEarly()
    {
        const QString nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"),
                                                             {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
        QVERIFY2(!nginx.isEmpty(), "nginx is missing: scripts/bootstrap installs nginx-light");
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        const QString dir = m_pki.dir();
        QFile conf(dir + QStringLiteral("/nginx-h2.conf"));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(
            QStringLiteral("daemon off; master_process off; pid %1/nginx.pid; error_log %1/nginx.log;\n"
                           "events {}\n"
                           "http { access_log off; client_body_temp_path %1/body;\n"
                           "  server { listen 127.0.0.1:%2 ssl http2; ssl_certificate %3; ssl_certificate_key %4;\n"
                           "    location / { return 204; } } }\n")
                .arg(dir)
                .arg(port)
                .arg(m_pki.serverCertFile(), m_pki.serverKeyFile())
                .toUtf8());
        conf.close();
        QProcess server;
        server.start(nginx, {QStringLiteral("-p"), dir, QStringLiteral("-c"), conf.fileName()});
        QVERIFY(server.waitForStarted());
        const auto stop = qScopeGuard([&server] {
            server.terminate();
            server.waitForFinished(5000);
        });
        QTcpSocket up;
        QTRY_VERIFY_WITH_TIMEOUT(
            (up.abort(), up.connectToHost(QHostAddress::LocalHost, port), up.waitForConnected(200)), 10000);
        up.abort();

        CurlTransport transport(options());
        Collector c(transport);
        const QString url = QStringLiteral("https://127.0.0.1:%1/hook").arg(port);
        for (quint64 tag = 1; tag <= 10; ++tag) {
            HttpRequest r = request(url, tag);
            r.body = QByteArray(tag % 2 ? 256 * 1024 : 1024, 'x'); // large ones are answered before read
            transport.send(r);
        }
        QTRY_COMPARE_WITH_TIMEOUT(c.responses.size(), 10, 40000);
        for (const HttpResponse& r : std::as_const(c.responses)) {
            QVERIFY2(r.error == TransportError::None, qPrintable(r.errorMessage));
            QCOMPARE(r.statusCode, 204);
            QVERIFY(r.durationMs < 10000);
        }
    }

    void abortAllEmitsNothing()
    {
        auto rx = receiverAnswering(Behavior::NeverAnswer);
        QVERIFY(rx);
        CurlTransport transport(options());
        Collector c(transport);
        for (quint64 tag = 1; tag <= 3; ++tag)
            transport.send(request(rx->url(), tag));
        QTRY_COMPARE_WITH_TIMEOUT(rx->requestCount(), 3, 20000);
        transport.send(request(QStringLiteral("https://169.254.169.254/"), 4)); // would fail at once
        QCOMPARE(transport.inFlight(), 4);
        transport.abortAll();
        QCOMPARE(transport.inFlight(), 0);
        QTest::qWait(300);
        QVERIFY(c.responses.isEmpty());

        // Still usable afterwards.
        rx->dropConnections();
        TlsReceiver::Reply normal;
        rx->setDefaultReply(normal);
        QCOMPARE(roundTrip(transport, request(rx->url(), 9)).statusCode, 200);
    }

    void invalidHeaderFailsWithoutSending()
    {
        CurlTransport transport(options());
        Collector c(transport);
        HttpRequest r = request(QStringLiteral("https://127.0.0.1:1/hook"), 7);
        r.headers.append({QByteArray("X-Injected"), QByteArray("a\r\nHost: evil")});
        transport.send(r);
        QVERIFY(c.responses.isEmpty()); // never emitted from inside send()
        QCOMPARE(transport.inFlight(), 1);
        QTRY_COMPARE(c.responses.size(), 1);
        QCOMPARE(c.responses.first().tag, quint64(7));
        QCOMPARE(c.responses.first().error, TransportError::Other);
        QCOMPARE(transport.inFlight(), 0);
    }

    void destroyWithTransfersInFlight()
    {
        auto rx = receiverAnswering(Behavior::NeverAnswer);
        QVERIFY(rx);
        int emitted = 0;
        {
            CurlTransport transport(options());
            connect(&transport, &Transport::finished, this, [&] { ++emitted; });
            for (quint64 tag = 1; tag <= 5; ++tag)
                transport.send(request(rx->url(), tag));
            QTRY_COMPARE_WITH_TIMEOUT(rx->requestCount(), 5, 20000);
        }
        QTest::qWait(100);
        QCOMPARE(emitted, 0);
        rx->dropConnections();
    }

    void deleteFromFinishedSlot()
    {
        auto rx = receiver();
        QVERIFY(rx);
        auto* transport = new CurlTransport(options());
        bool done = false;
        connect(transport, &Transport::finished, this, [&](const HttpResponse&) {
            delete transport;
            done = true;
        });
        transport->send(request(rx->url()));
        QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    }

    // One host gets as many connections as the owner keeps requests in flight (the default cap is 32):
    // all 40 held requests are on the wire at once, none waits inside curl with its timeout running.
    void concurrencyRaisesConnectionsPerHost()
    {
        auto rx = receiverAnswering(Behavior::NeverAnswer);
        QVERIFY(rx);
        CurlTransport transport(options());
        QVERIFY(options().maxConnectionsPerHost < 40);
        transport.setConcurrency(40);
        for (quint64 tag = 1; tag <= 40; ++tag)
            transport.send(request(rx->url(), tag));
        QTRY_COMPARE_WITH_TIMEOUT(rx->requestCount(), 40, 30000);
        transport.abortAll();
        rx->dropConnections();
    }

    // Between transfers curl stops watching a kept-alive socket while its notifier stays. When the peer
    // closes that idle connection the socket turns readable: the transport must switch the notifier off
    // rather than spin, and the next request must go out on a new connection (whose descriptor may
    // reuse the old number).
    void peerClosingIdleConnectionNeitherSpinsNorBreaksTheNextRequest()
    {
        auto rx = receiver();
        QVERIFY(rx);
        CurlTransport transport(options());
        QCOMPARE(roundTrip(transport, request(rx->url(), 1)).statusCode, 200);
        rx->dropConnections();
        QTest::qWait(100);

        const int wakeups = wakeupsOver(1000);
        QVERIFY2(wakeups <= 5, qPrintable(QString::number(wakeups)));

        for (quint64 tag = 2; tag <= 4; ++tag) {
            const HttpResponse res = roundTrip(transport, request(rx->url(), tag));
            QVERIFY2(res.error == TransportError::None, qPrintable(res.errorMessage));
            QCOMPARE(res.statusCode, 200);
            rx->dropConnections(); // every request finds its connection closed
        }
        QCOMPARE(rx->requestCount(), 4);
    }

    void idleTransportDoesNotWakeUp()
    {
        auto rx = receiver();
        QVERIFY(rx);
        CurlTransport transport(options());
        QCOMPARE(roundTrip(transport, request(rx->url())).statusCode, 200);
        QTest::qWait(100);

        // Count event loop wake-ups over one idle second (the kept-alive connection stays open).
        const int wakeups = wakeupsOver(1000);
        QVERIFY2(wakeups <= 3, qPrintable(QString::number(wakeups)));
    }
};

QTEST_GUILESS_MAIN(TestCurlTransport)
#include "tst_curltransport.moc"
