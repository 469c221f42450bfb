#include "api/ApiServer.h"

#include "api/HttpAnswer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <memory>

namespace outhook::api {

namespace {

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    default:
        return "OTHER";
    }
}

} // namespace

ApiServer::ApiServer(ApiRouter* router, QObject* parent)
    : QObject(parent)
    , m_router(router)
    , m_http(new QHttpServer(this))
{
    m_http->setMissingHandler([this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
        ApiRequest r;
        r.method = methodName(request.method());
        r.path = request.url().path(QUrl::FullyDecoded);
        r.query = request.query();
        r.headers = request.headers();
        r.body = request.body();
        // Ingest and test sends answer later: the responder must outlive this call, and the client may
        // hang up before the answer (QHttpServer then deletes the socket the responder writes to).
        auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
        QElapsedTimer timer;
        timer.start();
        m_router->handle(r, [held, timer, socket = QPointer<QTcpSocket>(held->socket()),
                             self = QPointer<ApiServer>(this), method = r.method, path = r.path](ApiResponse response) {
            if (socket && socket->isOpen())
                http::send(*socket, http::serialize(response, method == "HEAD"));
            if (!self)
                return;
            QByteArray requestId;
            for (const auto& [k, v] : std::as_const(response.headers))
                if (k == "X-Request-Id")
                    requestId = v;
            Q_EMIT self->requestServed(method, path, response.status, requestId, timer.elapsed());
        });
    });
}

ApiServer::~ApiServer()
{
    // Events already received are committed and answered while their connections are still open.
    m_router->finishIngest();
}

Result<QPair<QHostAddress, quint16>> ApiServer::parseListen(const QString& text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint port = colon >= 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    if (colon < 0 || !ok || port > 65535)
        return Error::usage(tr("--api must be HOST:PORT, e.g. 127.0.0.1:8080 (got \"%1\")").arg(text));
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address(host.isEmpty() ? QStringLiteral("127.0.0.1") : host);
    if (host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    if (address.isNull())
        return Error::usage(tr("--api host \"%1\" is not an IP address").arg(host));
    return QPair<QHostAddress, quint16>(address, quint16(port));
}

Result<quint16> ApiServer::listen(const QHostAddress& address, quint16 port, const QString& certFile,
                                  const QString& keyFile)
{
    if (!certFile.isEmpty() || !keyFile.isEmpty()) {
        if (certFile.isEmpty() || keyFile.isEmpty())
            return Error::usage(tr("TLS needs both --api-cert and --api-key"));
        const auto certs = QSslCertificate::fromPath(certFile);
        QFile keyIn(keyFile);
        if (certs.isEmpty())
            return Error::usage(tr("--api-cert %1: no PEM certificate found").arg(certFile));
        if (!keyIn.open(QIODevice::ReadOnly))
            return Error::usage(tr("--api-key %1: %2").arg(keyFile, keyIn.errorString()));
        const QByteArray pem = keyIn.readAll();
        QSslKey key(pem, QSsl::Ec);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Rsa);
        if (key.isNull())
            return Error::usage(tr("--api-key %1: not a PEM private key").arg(keyFile));
        m_http->sslSetup(certs.first(), key);
    }
    const quint16 bound = m_http->listen(address, port);
    if (bound == 0)
        return Error::usage(tr("Cannot listen on %1:%2 (is another outhookd serve already using the port?)")
                                .arg(address.toString())
                                .arg(port));
    return bound;
}

} // namespace outhook::api
