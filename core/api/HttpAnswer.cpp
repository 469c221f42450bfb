#include "api/HttpAnswer.h"

#include <QSslSocket>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace outhook::api::http {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
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
    case 409:
        return "Conflict";
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
    case 503:
        return "Service Unavailable";
    default:
        return {};
    }
}

} // namespace

QByteArray serialize(const ApiResponse& response, bool head)
{
    QByteArray out;
    out.reserve(response.body.size() + 64 * (response.headers.size() + 2));
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    for (const auto& [k, v] : response.headers)
        out += k + ": " + v + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n";
    if (!head)
        out += response.body;
    return out;
}

void send(QTcpSocket& socket, const QByteArray& bytes)
{
#ifdef Q_OS_UNIX
    if (socket.bytesToWrite() == 0 && !qobject_cast<QSslSocket*>(&socket) && socket.socketDescriptor() != -1) {
        const ssize_t sent = ::send(int(socket.socketDescriptor()), bytes.constData(), size_t(bytes.size()),
                                    MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent == bytes.size())
            return;
        if (sent > 0) {
            socket.write(bytes.constData() + sent, bytes.size() - sent);
            return;
        }
    }
#endif
    socket.write(bytes);
}

} // namespace outhook::api::http
