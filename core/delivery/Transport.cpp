#include "delivery/Transport.h"

namespace outhook {

QString transportErrorClass(TransportError e)
{
    switch (e) {
    case TransportError::None:
        return QString();
    case TransportError::Timeout:
        return QStringLiteral("timeout");
    case TransportError::ConnectionRefused:
        return QStringLiteral("connection_refused");
    case TransportError::ConnectionReset:
        return QStringLiteral("connection_reset");
    case TransportError::Tls:
        return QStringLiteral("tls_error");
    case TransportError::Dns:
        return QStringLiteral("dns_error");
    case TransportError::BlockedDestination:
        return QStringLiteral("blocked_destination");
    case TransportError::Protocol:
        return QStringLiteral("protocol_error");
    case TransportError::Other:
        break;
    }
    return QStringLiteral("network_error");
}

} // namespace outhook
