#pragma once

#include "api/ApiRouter.h"

#include <QHostAddress>
#include <QObject>

class QHttpServer;

namespace outhook::api {

// Serves an ApiRouter over HTTP(S) with QHttpServer. Every request goes to the router, which does its
// own routing, so unknown paths get the same JSON errors as everything else.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    ApiServer(ApiRouter* router, QObject* parent = nullptr);
    ~ApiServer() override;

    // Parses "HOST:PORT" (or ":PORT", or "[v6]:PORT"); the host defaults to 127.0.0.1.
    static Result<QPair<QHostAddress, quint16>> parseListen(const QString& text);
    // TLS when both files are given. Fails with a clear message when the port is taken.
    Result<quint16> listen(const QHostAddress& address, quint16 port, const QString& certFile = {},
                           const QString& keyFile = {});

Q_SIGNALS:
    // After each answer, for the access log: never headers or bodies.
    void requestServed(const QByteArray& method, const QString& path, int status, const QByteArray& requestId,
                       qint64 durationMs);

private:
    ApiRouter* m_router;
    QHttpServer* m_http;
};

} // namespace outhook::api
