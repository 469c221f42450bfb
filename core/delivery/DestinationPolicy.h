#pragma once

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

namespace outhook {

// SSRF guard. Decides, for the address actually being connected (after DNS), whether Outhook may
// send there. Refused by default: loopback, RFC 1918 private, link-local (incl. 169.254.169.254 cloud
// metadata), CGNAT 100.64/10, multicast, unspecified, broadcast, reserved, IPv6 ULA fc00::/7, IPv6
// link-local fe80::/10, and the IPv4-mapped/compatible forms of all of these. `allow(cidr)` opens ranges.
class DestinationPolicy
{
public:
    // Parses "127.0.0.0/8", "::1/128" or a single address. Returns false when it is not one.
    bool allow(const QString& cidr);
    bool isAllowed(const QHostAddress& address) const;
    // Why an address is refused ("loopback", "private (RFC 1918)", ...); empty when it is allowed.
    QString refusalReason(const QHostAddress& address) const;
    const QList<QPair<QHostAddress, int>>& allowedRanges() const { return m_allowed; }

    static QString specialPurposeRange(const QHostAddress& address); // empty for public addresses

private:
    QList<QPair<QHostAddress, int>> m_allowed;
};

} // namespace outhook
