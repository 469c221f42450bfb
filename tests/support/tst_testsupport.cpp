#include "TestPki.h"
#include "TlsReceiver.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QTest>

#include <memory>

using outhook::test::TestPki;
using outhook::test::TlsReceiver;
using Behavior = TlsReceiver::Reply::Behavior;

namespace {

// A hand-driven HTTPS client, for what QNetworkAccessManager hides (connection reuse, 100-continue,
// bodies sent in pieces).
class RawClient
{
public:
    explicit RawClient(const QSslConfiguration& config)
    {
        m_socket.setSslConfiguration(config);
        QObject::connect(&m_socket, &QSslSocket::readyRead, &m_socket, [this] { m_in += m_socket.readAll(); });
    }

    void connectTo(quint16 port)
    {
        m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, QStringLiteral("localhost"));
    }
    bool isEncrypted() const { return m_socket.isEncrypted(); }
    QSslSocket& socket() { return m_socket; }
    QByteArray& received() { return m_in; }

    // Whether a whole Content-Length-framed response has arrived. Side-effect free, for QTRY_VERIFY
    // (which evaluates its expression once more after it turned true).
    bool hasResponse() const { return responseSize() > 0; }

    // Removes one Content-Length-framed response from the received bytes; false while incomplete.
    bool takeResponse(int* status, QByteArray* head, QByteArray* body)
    {
        if (!hasResponse())
            return false;
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray headers = m_in.left(end);
        qint64 length = 0;
        for (const QByteArray& line : headers.split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (m_in.size() < end + 4 + length)
            return false;
        *status = headers.mid(9, 3).toInt();
        *head = headers;
        *body = m_in.mid(end + 4, length);
        m_in.remove(0, end + 4 + length);
        return true;
    }

private:
    qsizetype responseSize() const
    {
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return 0;
        qint64 length = 0;
        for (const QByteArray& line : m_in.left(end).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        return m_in.size() < end + 4 + length ? 0 : end + 4 + length;
    }

    QSslSocket m_socket;
    QByteArray m_in;
};

} // namespace

class TestSupportTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void postIsRecordedAndAnswered();
    void keepAliveServesSequentialRequests();
    void expectContinue();
    void chunkedBodyInPieces();
    void pipelinedRequests();
    void generatedBodyArrivesComplete();
    void delayedReply();
    void resetYieldsClientError();
    void resetMidBodyYieldsClientError();
    void neverAnswerUntilDropped();
    void neverEndingStreamsChunks();
    void slowHeadersStillComplete();
    void tlsVerification_data();
    void tlsVerification();

private:
    QSslConfiguration trustingConfig() const;
    QNetworkReply* send(QNetworkAccessManager& nam, const QString& url, const QByteArray& method,
                        const QByteArray& body = {});

    std::unique_ptr<TestPki> m_pki;
};

QSslConfiguration TestSupportTest::trustingConfig() const
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(m_pki->caFile(), QSsl::Pem));
    return config;
}

QNetworkReply* TestSupportTest::send(QNetworkAccessManager& nam, const QString& url, const QByteArray& method,
                                     const QByteArray& body)
{
    QNetworkRequest request{QUrl(url)};
    request.setSslConfiguration(trustingConfig());
    request.setRawHeader("X-Custom", "abc");
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return nam.sendCustomRequest(request, method, body);
}

void TestSupportTest::initTestCase()
{
    m_pki = std::make_unique<TestPki>();
    QVERIFY(m_pki->isValid());
    QCOMPARE(QSslCertificate::fromPath(m_pki->caFile()).size(), 1);
    QCOMPARE(QSslCertificate::fromPath(m_pki->serverCertFile()).size(), 1);
    const QSslCertificate server = QSslCertificate::fromPath(m_pki->serverCertFile()).constFirst();
    QCOMPARE(server.subjectInfo(QSslCertificate::CommonName), QStringList{QStringLiteral("localhost")});
    QVERIFY(server.subjectAlternativeNames().values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
    QCOMPARE(server.subjectAlternativeNames().values(QSsl::IpAddressEntry).size(), 2);
    QVERIFY(QSslCertificate::fromPath(m_pki->expiredCertFile()).constFirst().expiryDate() <
            QDateTime::currentDateTimeUtc());
}

void TestSupportTest::postIsRecordedAndAnswered()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.status = 201;
    reply.headers = {{"X-Reply", "yes"}};
    reply.body = "created";
    receiver.enqueueReply(reply);
    QSignalSpy spy(&receiver, &TlsReceiver::requestReceived);

    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(), "POST", R"({"a":1})"));
    QTRY_VERIFY(r->isFinished());
    QCOMPARE(r->error(), QNetworkReply::NoError);
    QCOMPARE(r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
    QCOMPARE(r->rawHeader("X-Reply"), QByteArray("yes"));
    QCOMPARE(r->readAll(), QByteArray("created"));

    QCOMPARE(spy.size(), 1);
    QCOMPARE(receiver.requestCount(), 1);
    const TlsReceiver::Request request = receiver.requests().constFirst();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.path, QByteArray("/hook"));
    QCOMPARE(request.header("x-custom"), QByteArray("abc"));
    QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request.body, QByteArray(R"({"a":1})"));
    QVERIFY(request.receivedAtMs > 0);
    QCOMPARE(spy.at(0).at(0).value<TlsReceiver::Request>().body, request.body);

    receiver.clearRequests();
    QCOMPARE(receiver.requestCount(), 0);
}

void TestSupportTest::keepAliveServesSequentialRequests()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());

    int status = 0;
    QByteArray head;
    QByteArray body;
    for (int i = 0; i < 2; ++i) {
        const QByteArray payload = "request " + QByteArray::number(i);
        client.socket().write("POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                              QByteArray::number(payload.size()) + "\r\n\r\n" + payload);
        QTRY_VERIFY(client.hasResponse());
        QVERIFY(client.takeResponse(&status, &head, &body));
        QCOMPARE(status, 200);
        QVERIFY(head.contains("Connection: keep-alive"));
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        QCOMPARE(receiver.requests().constLast().body, payload);
    }
    QCOMPARE(receiver.requestCount(), 2);
}

void TestSupportTest::expectContinue()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());

    client.socket().write("POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                          "Expect: 100-continue\r\n\r\n");
    QTRY_COMPARE(client.received(), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    QCOMPARE(receiver.requestCount(), 0);
    client.received().clear();
    client.socket().write("hello");
    int status = 0;
    QByteArray head;
    QByteArray body;
    QTRY_VERIFY(client.hasResponse());
    QVERIFY(client.takeResponse(&status, &head, &body));
    QCOMPARE(status, 200);
    QCOMPARE(receiver.requestCount(), 1);
    QCOMPARE(receiver.requests().constFirst().body, QByteArray("hello"));
}

void TestSupportTest::chunkedBodyInPieces()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());

    const QList<QByteArray> pieces = {"POST /chunked HTTP/1.1\r\nHo",
                                      "st: localhost\r\nTransfer-Encoding: chunked\r\n",
                                      "\r\n5\r\nhel",
                                      "lo\r\n6;ext=1\r\n worl",
                                      "d\r\n0\r\nTrailer: x\r\n",
                                      "\r\n"};
    for (const QByteArray& piece : pieces) {
        QCOMPARE(receiver.requestCount(), 0);
        client.socket().write(piece);
        QTRY_COMPARE(client.socket().bytesToWrite() + client.socket().encryptedBytesToWrite(), qint64(0));
        QTest::qWait(10);
    }
    QTRY_COMPARE(receiver.requestCount(), 1);
    QCOMPARE(receiver.requests().constFirst().path, QByteArray("/chunked"));
    QCOMPARE(receiver.requests().constFirst().body, QByteArray("hello world"));
    int status = 0;
    QByteArray head;
    QByteArray body;
    QTRY_VERIFY(client.hasResponse());
    QVERIFY(client.takeResponse(&status, &head, &body));
    QCOMPARE(status, 200);
}

void TestSupportTest::pipelinedRequests()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply slow;
    slow.delayMs = 50;
    slow.body = "first";
    receiver.enqueueReply(slow);
    TlsReceiver::Reply fast;
    fast.body = "second";
    receiver.enqueueReply(fast);
    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());

    client.socket().write("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b HTTP/1.1\r\nHost: localhost\r\n\r\n");
    int status = 0;
    QByteArray head;
    QByteArray body;
    QTRY_VERIFY(client.hasResponse());
    QVERIFY(client.takeResponse(&status, &head, &body));
    QCOMPARE(body, QByteArray("first"));
    QTRY_VERIFY(client.hasResponse());
    QVERIFY(client.takeResponse(&status, &head, &body));
    QCOMPARE(body, QByteArray("second"));
    QCOMPARE(receiver.requestCount(), 2);
    QCOMPARE(receiver.requests().at(1).path, QByteArray("/b"));
}

void TestSupportTest::generatedBodyArrivesComplete()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.generatedBodyBytes = 5 * 1024 * 1024;
    receiver.setDefaultReply(reply);

    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(QStringLiteral("/big")), "GET"));
    QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 60000);
    QCOMPARE(r->error(), QNetworkReply::NoError);
    QCOMPARE(r->header(QNetworkRequest::ContentLengthHeader).toLongLong(), reply.generatedBodyBytes);
    const QByteArray body = r->readAll();
    QCOMPARE(body.size(), reply.generatedBodyBytes);
    QCOMPARE(body.count('x'), reply.generatedBodyBytes);
}

void TestSupportTest::delayedReply()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.delayMs = 300;
    reply.body = "late";
    receiver.setDefaultReply(reply);

    QNetworkAccessManager nam;
    QElapsedTimer timer;
    timer.start();
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(), "POST", "x"));
    QTRY_COMPARE(receiver.requestCount(), 1);
    QVERIFY(!r->isFinished());
    QTRY_VERIFY(r->isFinished());
    QVERIFY(timer.elapsed() >= 300);
    QCOMPARE(r->readAll(), QByteArray("late"));
}

void TestSupportTest::resetYieldsClientError()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.behavior = Behavior::Reset;
    receiver.setDefaultReply(reply); // QNetworkAccessManager retries once on a dropped connection

    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(), "POST", "payload"));
    QTRY_VERIFY(r->isFinished());
    QVERIFY(r->error() != QNetworkReply::NoError);
    QVERIFY(receiver.requestCount() >= 1);

    // At socket level the peer sees the connection reset, not an orderly close.
    RawClient client(trustingConfig());
    QSignalSpy errors(&client.socket(), &QAbstractSocket::errorOccurred);
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());
    client.socket().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(client.received().isEmpty());
    QVERIFY(!errors.isEmpty());
}

void TestSupportTest::resetMidBodyYieldsClientError()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.behavior = Behavior::ResetMidBody;
    reply.generatedBodyBytes = 1024 * 1024;
    receiver.setDefaultReply(reply);

    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());
    client.socket().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(client.received().startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(client.received().contains("Content-Length: 1048576\r\n"));
    QVERIFY(client.received().size() < 1024 * 1024);

    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(), "GET"));
    QTRY_VERIFY(r->isFinished());
    QVERIFY(r->error() != QNetworkReply::NoError);
}

void TestSupportTest::neverAnswerUntilDropped()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.behavior = Behavior::NeverAnswer;
    receiver.enqueueReply(reply);

    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());
    client.socket().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTRY_COMPARE(receiver.requestCount(), 1);
    QTest::qWait(200);
    QVERIFY(client.received().isEmpty());
    QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    receiver.dropConnections();
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);

    // Still listening afterwards; the queue is used up so the default reply answers.
    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(), "GET"));
    QTRY_VERIFY(r->isFinished());
    QCOMPARE(r->error(), QNetworkReply::NoError);
}

void TestSupportTest::neverEndingStreamsChunks()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.behavior = Behavior::NeverEnding;
    reply.delayMs = 20;
    reply.body = "data\n";
    receiver.setDefaultReply(reply);

    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());
    client.socket().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTRY_VERIFY(client.received().count("5\r\ndata\n\r\n") >= 5);
    QVERIFY(client.received().contains("Transfer-Encoding: chunked\r\n"));
    receiver.dropConnections();
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
}

void TestSupportTest::slowHeadersStillComplete()
{
    TlsReceiver receiver(*m_pki);
    QVERIFY(receiver.listen());
    TlsReceiver::Reply reply;
    reply.behavior = Behavior::SlowHeaders;
    reply.delayMs = 15; // ~60 response bytes: about a second in all
    reply.body = "ok";
    receiver.setDefaultReply(reply);

    RawClient client(trustingConfig());
    client.connectTo(receiver.port());
    QTRY_VERIFY(client.isEncrypted());
    client.socket().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTRY_VERIFY(!client.received().isEmpty());
    QVERIFY(!client.hasResponse());
    QVERIFY(client.received().size() < 30);
    int status = 0;
    QByteArray head;
    QByteArray body;
    QTRY_VERIFY(client.hasResponse());
    QVERIFY(client.takeResponse(&status, &head, &body));
    QCOMPARE(status, 200);
    QCOMPARE(body, QByteArray("ok"));
}

void TestSupportTest::tlsVerification_data()
{
    // Enums travel as int: QTest columns need a declared metatype otherwise.
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("expected");
    QTest::newRow("valid") << int(TlsReceiver::CertKind::Valid) << int(QSslError::NoError);
    QTest::newRow("wrong host") << int(TlsReceiver::CertKind::WrongHost) << int(QSslError::HostNameMismatch);
    QTest::newRow("expired") << int(TlsReceiver::CertKind::Expired) << int(QSslError::CertificateExpired);
    QTest::newRow("unknown CA") << int(TlsReceiver::CertKind::UnknownCa)
                                << int(QSslError::UnableToGetLocalIssuerCertificate);
}

void TestSupportTest::tlsVerification()
{
    QFETCH(int, kind);
    QFETCH(int, expected);
    TlsReceiver receiver(*m_pki, TlsReceiver::CertKind(kind));
    QVERIFY(receiver.listen());

    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> r(send(nam, receiver.url(), "GET"));
    QList<int> seen;
    connect(r.get(), &QNetworkReply::sslErrors, this, [&seen](const QList<QSslError>& errors) {
        for (const QSslError& error : errors)
            seen.append(int(error.error()));
    });
    QTRY_VERIFY(r->isFinished());
    if (expected == QSslError::NoError) {
        QCOMPARE(r->error(), QNetworkReply::NoError);
        QVERIFY(seen.isEmpty());
        QCOMPARE(receiver.requestCount(), 1);
    } else {
        QCOMPARE(r->error(), QNetworkReply::SslHandshakeFailedError);
        QVERIFY2(seen.contains(expected), qPrintable(QString::number(seen.size())));
        QCOMPARE(receiver.requestCount(), 0);
    }
}

QTEST_GUILESS_MAIN(TestSupportTest)
#include "tst_testsupport.moc"
