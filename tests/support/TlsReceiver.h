#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <memory>

namespace outhook::test {

class TestPki;

// A scriptable HTTPS/1.1 server on 127.0.0.1 for tests: it records every request and answers each
// from a queue of scripted replies (then the default reply). Keep-alive, Content-Length and chunked
// request bodies, and "Expect: 100-continue" are supported. Runs on the thread that created it.
class TlsReceiver : public QObject
{
    Q_OBJECT
public:
    enum class CertKind
    {
        Valid,
        WrongHost,
        Expired,
        UnknownCa
    };

    struct Request
    {
        QByteArray method;
        QByteArray path;
        QList<QPair<QByteArray, QByteArray>> headers; // names as sent
        QByteArray body;
        qint64 receivedAtMs = 0;                         // QDateTime::currentMSecsSinceEpoch() when the body completed
        QByteArray header(const QByteArray& name) const; // case-insensitive; empty when absent
    };

    struct Reply
    {
        enum class Behavior
        {
            Normal,       // status, headers, body (Content-Length)
            Reset,        // abort the TCP connection (RST) as soon as the request arrives
            ResetMidBody, // send headers announcing `generatedBodyBytes`, half the body, then RST
            NeverAnswer,  // read the request, never write anything, keep the socket open
            SlowHeaders,  // write the response one byte every `delayMs`
            NeverEnding,  // headers with chunked encoding, then a chunk every `delayMs` forever
            SlowBody,     // headers at once, then the body one byte every `delayMs`
            Raw,          // write `body` verbatim as the whole response (invalid HTTP, ...), then close
        };
        int status = 200;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        qint64 generatedBodyBytes = 0; // when > 0, body is this many 'x' bytes, streamed (e.g. 5 MB)
        int delayMs = 0;               // for Normal: wait this long before answering
        Behavior behavior = Behavior::Normal;
    };

    explicit TlsReceiver(const TestPki& pki, CertKind cert = CertKind::Valid, QObject* parent = nullptr);
    ~TlsReceiver() override;

    bool listen(quint16 port = 0); // 127.0.0.1; 0 picks a free port
    // Listens on another loopback address (e.g. 127.0.0.2, standing in for a public host in DNS tests).
    bool listen(const QString& address, quint16 port);
    quint16 port() const;
    QString url(const QString& path = QStringLiteral("/hook")) const; // https://localhost:PORT/path

    void setDefaultReply(const Reply& reply);
    void enqueueReply(const Reply& reply); // consumed one per request, in order

    QList<Request> requests() const;
    int requestCount() const;
    void clearRequests();
    // Closes every open connection (e.g. to stop NeverAnswer/NeverEnding) but keeps listening.
    void dropConnections();

Q_SIGNALS:
    void requestReceived(const outhook::test::TlsReceiver::Request& request);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace outhook::test
