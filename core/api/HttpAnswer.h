#pragma once

#include "api/ApiTypes.h"

#include <QByteArray>

class QTcpSocket;

namespace outhook::api::http {

// The whole HTTP/1.1 answer in one buffer: status line, headers, Content-Length and, unless it answers a
// HEAD request, the body.
QByteArray serialize(const ApiResponse& response, bool head);

// Writes an answer on a server connection. On a plain TCP connection with nothing waiting before it, the
// kernel gets it at once; QTcpSocket would buffer it and switch its write notifier on and, once written,
// off again, and the glib event loop signals its wake-up descriptor for each switch: two write() calls
// and a pass of the loop per answer, a sixth of the system calls of an ingested event. What the kernel
// does not take at once, and TLS connections, go through QTcpSocket (which also meets any error the
// direct send met).
void send(QTcpSocket& socket, const QByteArray& bytes);

} // namespace outhook::api::http
