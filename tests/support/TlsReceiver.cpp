#include "TlsReceiver.h"

#include "HttpRequestParser.h"
#include "TestPki.h"

#include <QFile>
#include <QHostAddress>
#include <QPointer>
#include <QQueue>
#include <QSet>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>
#include <QtDebug>

#include <functional>

#include <sys/socket.h>
#include <unistd.h>

namespace outhook::test {

namespace {

constexpr qint64 PieceBytes = 64 * 1024;
constexpr qint64 HighWaterBytes = 256 * 1024; // unsent bytes (plain + encrypted) we allow to pile up
constexpr int DefaultTickMs = 100;            // SlowHeaders / NeverEnding when delayMs is 0
constexpr int ResetGraceMs = 50;              // ResetMidBody: let the half body reach the peer first

using Behavior = TlsReceiver::Reply::Behavior;

// Accepts connections itself so that sockets still in the TLS handshake are ours to drop.
class AcceptingServer : public QTcpServer
{
public:
    std::function<void(qintptr)> onIncoming;

protected:
    void incomingConnection(qintptr descriptor) override { onIncoming(descriptor); }
};

enum class Phase
{
    Reading,
    Answering,
    Stalled,
    Closing
};
enum class TimerAction
{
    None,
    DelayedReply,
    SlowWrite,
    Chunk,
    ResetMidBody
};

// One accepted connection. Context object for every lambda connected to its socket and timer, so
// deleting it (deleteLater) cuts them all.
class Connection : public QObject
{
public:
    QSslSocket* socket = nullptr;
    QTimer* timer = nullptr;
    HttpRequestParser parser;
    Phase phase = Phase::Reading;
    TimerAction timerAction = TimerAction::None;
    bool processing = false; // inside processRequests(); finishReply() must not recurse into it
    bool keepAlive = true;   // keep the connection after the current reply
    bool headOnly = false;   // current request is HEAD
    bool resetWhenSent = false;
    qint64 streamRemaining = 0; // generated body bytes still to write
    TlsReceiver::Reply pending; // reply waiting on the delay timer
    QByteArray slowData;        // SlowHeaders: whole response, written a byte at a time
    qsizetype slowPos = 0;
    QByteArray chunk; // NeverEnding: one encoded chunk

    qint64 unsentBytes() const { return socket->bytesToWrite() + socket->encryptedBytesToWrite(); }
};

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

bool hasHeader(const QList<QPair<QByteArray, QByteArray>>& headers, const char* name)
{
    for (const auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool wantsClose(const QList<QPair<QByteArray, QByteArray>>& headers)
{
    for (const auto& [name, value] : headers) {
        if (name.compare("Connection", Qt::CaseInsensitive) == 0 && value.toLower().contains("close"))
            return true;
    }
    return false;
}

const QByteArray& filler()
{
    static const QByteArray bytes(PieceBytes, 'x');
    return bytes;
}

} // namespace

QByteArray TlsReceiver::Request::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

struct TlsReceiver::Private
{
    TlsReceiver* q = nullptr;
    AcceptingServer server;
    QSslConfiguration sslConfig;
    QSet<Connection*> connections;
    QList<Request> requests;
    QQueue<Reply> queue;
    Reply defaultReply;

    ~Private()
    {
        server.close();
        const QSet<Connection*> all = connections;
        connections.clear();
        for (Connection* c : all) {
            c->socket->disconnect(c);
            c->socket->abort();
            delete c;
        }
    }

    void accept(qintptr descriptor);
    void removeConnection(Connection* c);
    void resetConnection(Connection* c);
    void processRequests(Connection* c);
    void startReply(Connection* c, const Request& request, const Reply& reply);
    QByteArray responseHead(Connection* c, const Reply& reply, qint64 bodyBytes, bool chunked) const;
    void sendNormal(Connection* c, const Reply& reply);
    void pump(Connection* c);
    void onTimer(Connection* c);
    void finishReply(Connection* c);
};

void TlsReceiver::Private::accept(qintptr descriptor)
{
    auto* c = new Connection;
    c->socket = new QSslSocket(c);
    if (!c->socket->setSocketDescriptor(descriptor)) {
        qWarning("TlsReceiver: cannot adopt socket descriptor");
        ::close(int(descriptor));
        delete c;
        return;
    }
    // A reply is written in pieces (head, then body); without TCP_NODELAY Nagle holds the second piece
    // back until the client's delayed ACK, adding up to 40 ms to every request on a kept-alive connection.
    c->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    c->timer = new QTimer(c);
    connections.insert(c);
    QSslSocket* socket = c->socket;
    socket->setSslConfiguration(sslConfig);
    QObject::connect(socket, &QSslSocket::readyRead, c, [this, c] {
        if (c->phase == Phase::Closing)
            return;
        c->parser.append(c->socket->readAll());
        processRequests(c);
    });
    QObject::connect(socket, &QSslSocket::bytesWritten, c, [this, c] { pump(c); });
    QObject::connect(socket, &QSslSocket::encryptedBytesWritten, c, [this, c] { pump(c); });
    QObject::connect(socket, &QSslSocket::disconnected, c, [this, c] { removeConnection(c); });
    QObject::connect(socket, &QSslSocket::errorOccurred, c, [this, c] { removeConnection(c); });
    QObject::connect(c->timer, &QTimer::timeout, c, [this, c] { onTimer(c); });
    socket->startServerEncryption();
}

void TlsReceiver::Private::removeConnection(Connection* c)
{
    if (!connections.remove(c))
        return;
    c->phase = Phase::Closing;
    c->timer->stop();
    c->timer->disconnect(c);
    c->socket->disconnect(c);
    if (c->socket->state() != QAbstractSocket::UnconnectedState)
        c->socket->abort();
    c->deleteLater();
}

void TlsReceiver::Private::resetConnection(Connection* c)
{
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    const qintptr fd = c->socket->socketDescriptor();
    if (fd >= 0) {
        linger lingerOpt{1, 0};
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &lingerOpt, sizeof lingerOpt);
    }
    c->socket->disconnect(c);
    c->socket->abort();
    removeConnection(c);
}

void TlsReceiver::Private::processRequests(Connection* c)
{
    c->processing = true;
    while (c->phase == Phase::Reading) {
        const HttpRequestParser::Result result = c->parser.parse();
        if (result == HttpRequestParser::Result::NeedMore) {
            if (c->parser.takeContinueNeeded())
                c->socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            break;
        }
        if (result == HttpRequestParser::Result::Error) {
            qWarning("TlsReceiver: bad request: %s", c->parser.errorString().constData());
            const QByteArray body = c->parser.errorString() + '\n';
            c->socket->write(QByteArray("HTTP/1.1 400 Bad Request\r\nContent-Length: " +
                                        QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body));
            c->phase = Phase::Closing;
            c->socket->disconnectFromHost();
            break;
        }
        const Request request = c->parser.takeRequest();
        c->keepAlive = c->parser.keepAlive();
        requests.append(request);
        // Picked before the signal: a slot that rescripts the receiver affects the next request.
        const Reply reply = queue.isEmpty() ? defaultReply : queue.dequeue();
        QPointer<Connection> guard(c);
        Q_EMIT q->requestReceived(request);
        if (!guard || !connections.contains(c))
            return; // a slot dropped the connection
        startReply(c, request, reply);
    }
    c->processing = false;
}

void TlsReceiver::Private::startReply(Connection* c, const Request& request, const Reply& reply)
{
    c->phase = Phase::Answering;
    c->headOnly = request.method == "HEAD";
    if (wantsClose(reply.headers))
        c->keepAlive = false;
    switch (reply.behavior) {
    case Behavior::Reset:
        resetConnection(c);
        return;
    case Behavior::NeverAnswer:
        c->phase = Phase::Stalled;
        return;
    case Behavior::Normal:
        if (reply.delayMs > 0) {
            c->pending = reply;
            c->timerAction = TimerAction::DelayedReply;
            c->timer->setSingleShot(true);
            c->timer->start(reply.delayMs);
        } else {
            sendNormal(c, reply);
        }
        return;
    case Behavior::ResetMidBody: {
        qint64 total = reply.generatedBodyBytes > 0 ? reply.generatedBodyBytes : reply.body.size();
        if (total <= 0)
            total = 2 * PieceBytes;
        c->socket->write(responseHead(c, reply, total, false));
        c->streamRemaining = total / 2;
        c->resetWhenSent = true;
        pump(c);
        return;
    }
    case Behavior::SlowHeaders: {
        const qint64 bodyBytes = reply.generatedBodyBytes > 0 ? reply.generatedBodyBytes : reply.body.size();
        c->slowData = responseHead(c, reply, bodyBytes, false);
        if (!c->headOnly)
            c->slowData += reply.generatedBodyBytes > 0 ? QByteArray(bodyBytes, 'x') : reply.body;
        c->slowPos = 0;
        c->timerAction = TimerAction::SlowWrite;
        c->timer->setSingleShot(false);
        c->timer->start(reply.delayMs > 0 ? reply.delayMs : DefaultTickMs);
        return;
    }
    case Behavior::SlowBody: {
        const qint64 bodyBytes = reply.generatedBodyBytes > 0 ? reply.generatedBodyBytes : reply.body.size();
        c->socket->write(responseHead(c, reply, bodyBytes, false));
        c->slowData = reply.generatedBodyBytes > 0 ? QByteArray(bodyBytes, 'x') : reply.body;
        c->slowPos = 0;
        c->timerAction = TimerAction::SlowWrite;
        c->timer->setSingleShot(false);
        c->timer->start(reply.delayMs > 0 ? reply.delayMs : DefaultTickMs);
        return;
    }
    case Behavior::Raw:
        c->socket->write(reply.body);
        c->keepAlive = false;
        finishReply(c);
        return;
    case Behavior::NeverEnding: {
        const QByteArray data = reply.body.isEmpty() ? QByteArrayLiteral("tick\n") : reply.body;
        c->chunk = QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
        c->socket->write(responseHead(c, reply, 0, true));
        c->timerAction = TimerAction::Chunk;
        c->timer->setSingleShot(false);
        c->timer->start(reply.delayMs > 0 ? reply.delayMs : DefaultTickMs);
        return;
    }
    }
}

QByteArray TlsReceiver::Private::responseHead(Connection* c, const Reply& reply, qint64 bodyBytes, bool chunked) const
{
    QByteArray head;
    head.reserve(256);
    head += "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    for (const auto& [name, value] : reply.headers)
        head += name + ": " + value + "\r\n";
    const bool bodiless = (reply.status >= 100 && reply.status < 200) || reply.status == 204;
    if (chunked) {
        if (!hasHeader(reply.headers, "Transfer-Encoding"))
            head += "Transfer-Encoding: chunked\r\n";
    } else if (!bodiless && !hasHeader(reply.headers, "Content-Length")) {
        head += "Content-Length: " + QByteArray::number(bodyBytes) + "\r\n";
    }
    if (!hasHeader(reply.headers, "Connection"))
        head +=
            c->keepAlive ? QByteArrayLiteral("Connection: keep-alive\r\n") : QByteArrayLiteral("Connection: close\r\n");
    head += "\r\n";
    return head;
}

void TlsReceiver::Private::sendNormal(Connection* c, const Reply& reply)
{
    const bool bodiless =
        (reply.status >= 100 && reply.status < 200) || reply.status == 204 || reply.status == 304 || c->headOnly;
    const qint64 bodyBytes = reply.generatedBodyBytes > 0 ? reply.generatedBodyBytes : reply.body.size();
    QByteArray head = responseHead(c, reply, bodyBytes, false);
    if (bodiless) {
        c->socket->write(head);
        finishReply(c);
    } else if (reply.generatedBodyBytes > 0) {
        c->socket->write(head);
        c->streamRemaining = reply.generatedBodyBytes;
        pump(c);
    } else {
        head += reply.body;
        c->socket->write(head);
        finishReply(c);
    }
}

void TlsReceiver::Private::pump(Connection* c)
{
    if (c->phase != Phase::Answering)
        return;
    if (c->streamRemaining > 0) {
        while (c->streamRemaining > 0 && c->unsentBytes() < HighWaterBytes) {
            const qint64 n = qMin(c->streamRemaining, PieceBytes);
            c->socket->write(filler().constData(), n);
            c->streamRemaining -= n;
        }
        if (c->streamRemaining > 0)
            return;
        if (!c->resetWhenSent) {
            finishReply(c);
            return;
        }
    }
    if (c->resetWhenSent && c->timerAction != TimerAction::ResetMidBody && c->unsentBytes() == 0) {
        c->timerAction = TimerAction::ResetMidBody;
        c->timer->setSingleShot(true);
        c->timer->start(ResetGraceMs);
    }
}

void TlsReceiver::Private::onTimer(Connection* c)
{
    switch (c->timerAction) {
    case TimerAction::None:
        return;
    case TimerAction::DelayedReply: {
        c->timerAction = TimerAction::None;
        const Reply reply = c->pending;
        c->pending = Reply();
        sendNormal(c, reply);
        return;
    }
    case TimerAction::SlowWrite:
        if (c->slowPos < c->slowData.size()) {
            c->socket->write(c->slowData.constData() + c->slowPos, 1);
            ++c->slowPos;
        }
        if (c->slowPos >= c->slowData.size()) {
            c->timer->stop();
            c->timerAction = TimerAction::None;
            c->slowData.clear();
            finishReply(c);
        }
        return;
    case TimerAction::Chunk:
        if (c->unsentBytes() < HighWaterBytes) // the peer may not be reading; stay bounded
            c->socket->write(c->chunk);
        return;
    case TimerAction::ResetMidBody:
        resetConnection(c);
        return;
    }
}

void TlsReceiver::Private::finishReply(Connection* c)
{
    c->timerAction = TimerAction::None;
    c->resetWhenSent = false;
    c->streamRemaining = 0;
    if (!c->keepAlive) {
        c->phase = Phase::Closing;
        c->socket->disconnectFromHost(); // flushes what is still buffered first
        return;
    }
    c->phase = Phase::Reading;
    if (!c->processing && c->parser.hasBufferedData())
        processRequests(c); // a pipelined request arrived while we were answering
}

TlsReceiver::TlsReceiver(const TestPki& pki, CertKind cert, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->server.onIncoming = [this](qintptr descriptor) { d->accept(descriptor); };
    d->server.setListenBacklogSize(1024);

    QString certFile;
    QString keyFile;
    switch (cert) {
    case CertKind::Valid:
        certFile = pki.serverCertFile();
        keyFile = pki.serverKeyFile();
        break;
    case CertKind::WrongHost:
        certFile = pki.wrongHostCertFile();
        keyFile = pki.wrongHostKeyFile();
        break;
    case CertKind::Expired:
        certFile = pki.expiredCertFile();
        keyFile = pki.expiredKeyFile();
        break;
    case CertKind::UnknownCa:
        certFile = pki.unknownCaCertFile();
        keyFile = pki.unknownCaKeyFile();
        break;
    }
    const QList<QSslCertificate> certs = QSslCertificate::fromPath(certFile, QSsl::Pem);
    QFile keyIn(keyFile);
    QSslKey key;
    if (keyIn.open(QIODevice::ReadOnly))
        key = QSslKey(keyIn.readAll(), QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    if (certs.isEmpty() || key.isNull())
        qWarning("TlsReceiver: cannot load %s / %s", qPrintable(certFile), qPrintable(keyFile));

    d->sslConfig = QSslConfiguration::defaultConfiguration();
    if (!certs.isEmpty())
        d->sslConfig.setLocalCertificate(certs.first());
    d->sslConfig.setPrivateKey(key);
    d->sslConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    d->sslConfig.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
}

TlsReceiver::~TlsReceiver() = default;

bool TlsReceiver::listen(quint16 port)
{
    return listen(QStringLiteral("127.0.0.1"), port);
}

bool TlsReceiver::listen(const QString& address, quint16 port)
{
    if (d->server.isListening())
        d->server.close();
    if (!d->server.listen(QHostAddress(address), port)) {
        qWarning("TlsReceiver: listen failed: %s", qPrintable(d->server.errorString()));
        return false;
    }
    return true;
}

quint16 TlsReceiver::port() const
{
    return d->server.serverPort();
}

QString TlsReceiver::url(const QString& path) const
{
    const QString slash = path.startsWith(u'/') ? QString() : QStringLiteral("/");
    return QStringLiteral("https://localhost:") % QString::number(port()) % slash % path;
}

void TlsReceiver::setDefaultReply(const Reply& reply)
{
    d->defaultReply = reply;
}

void TlsReceiver::enqueueReply(const Reply& reply)
{
    d->queue.enqueue(reply);
}

QList<TlsReceiver::Request> TlsReceiver::requests() const
{
    return d->requests;
}

int TlsReceiver::requestCount() const
{
    return int(d->requests.size());
}

void TlsReceiver::clearRequests()
{
    d->requests.clear();
}

void TlsReceiver::dropConnections()
{
    const QSet<Connection*> all = d->connections;
    for (Connection* c : all)
        d->removeConnection(c);
}

} // namespace outhook::test
