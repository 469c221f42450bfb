#include "delivery/DestinationPolicy.h"

#include <array>
#include <optional>

namespace outhook {

namespace {

struct SpecialRange
{
    QHostAddress network;
    int prefix;
    QString reason;
};

struct RangeSpec
{
    const char* cidr;
    const char* reason;
};

// Order matters where ranges nest: the first match names the reason (255.255.255.255 before 240/4).
constexpr std::array<RangeSpec, 16> V4Specs{{
    {"0.0.0.0/8", "unspecified (\"this network\")"},
    {"127.0.0.0/8", "loopback"},
    {"10.0.0.0/8", "private (RFC 1918)"},
    {"172.16.0.0/12", "private (RFC 1918)"},
    {"192.168.0.0/16", "private (RFC 1918)"},
    {"169.254.0.0/16", "link-local"},
    {"100.64.0.0/10", "shared address space (CGNAT, RFC 6598)"},
    {"192.0.0.0/24", "IETF protocol assignments"},
    {"192.0.2.0/24", "documentation"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"198.18.0.0/15", "benchmarking"},
    {"192.88.99.0/24", "6to4 relay anycast"},
    {"224.0.0.0/4", "multicast"},
    {"255.255.255.255/32", "broadcast"},
    {"240.0.0.0/4", "reserved"},
}};

constexpr std::array<RangeSpec, 8> V6Specs{{
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"fc00::/7", "unique local (IPv6 ULA)"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local (deprecated)"},
    {"ff00::/8", "multicast"},
    {"2001:db8::/32", "documentation"},
    {"100::/64", "discard-only"},
}};

QList<SpecialRange> buildRanges(const RangeSpec* begin, const RangeSpec* end)
{
    QList<SpecialRange> out;
    for (const RangeSpec* s = begin; s != end; ++s) {
        const auto parsed = QHostAddress::parseSubnet(QLatin1String(s->cidr));
        Q_ASSERT(parsed.second >= 0);
        out.append({parsed.first, parsed.second, QLatin1String(s->reason)});
    }
    return out;
}

const QList<SpecialRange>& v4Ranges()
{
    static const QList<SpecialRange> ranges = buildRanges(V4Specs.data(), V4Specs.data() + V4Specs.size());
    return ranges;
}

const QList<SpecialRange>& v6Ranges()
{
    static const QList<SpecialRange> ranges = buildRanges(V6Specs.data(), V6Specs.data() + V6Specs.size());
    return ranges;
}

quint32 lowV4(const Q_IPV6ADDR& a)
{
    return (quint32(a[12]) << 24) | (quint32(a[13]) << 16) | (quint32(a[14]) << 8) | quint32(a[15]);
}

bool zeroBytes(const Q_IPV6ADDR& a, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (a[i] != 0)
            return false;
    }
    return true;
}

// IPv6 forms that reach an IPv4 host: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96
// and 6to4 2002:AABB:CCDD::/48. They must be judged by the IPv4 address they lead to, or
// ::ffff:169.254.169.254 would slip past every IPv4 rule.
std::optional<QHostAddress> embeddedV4(const QHostAddress& address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return std::nullopt;
    const Q_IPV6ADDR a = address.toIPv6Address();
    if (zeroBytes(a, 0, 10) && a[10] == 0xff && a[11] == 0xff)
        return QHostAddress(lowV4(a));
    // :: and ::1 are IPv6's own unspecified/loopback, not IPv4-compatible addresses.
    if (zeroBytes(a, 0, 12) && lowV4(a) > 1)
        return QHostAddress(lowV4(a));
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && zeroBytes(a, 4, 12))
        return QHostAddress(lowV4(a));
    if (a[0] == 0x20 && a[1] == 0x02) {
        const quint32 v4 = (quint32(a[2]) << 24) | (quint32(a[3]) << 16) | (quint32(a[4]) << 8) | quint32(a[5]);
        return QHostAddress(v4);
    }
    return std::nullopt;
}

QString matchRanges(const QHostAddress& address, const QList<SpecialRange>& ranges)
{
    for (const SpecialRange& r : ranges) {
        if (address.isInSubnet(r.network, r.prefix))
            return r.reason;
    }
    return {};
}

// QHostAddress keeps the interface scope of fe80::1%eth0; subnet matching wants the bare address.
QHostAddress unscoped(const QHostAddress& address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol || address.scopeId().isEmpty())
        return address;
    QHostAddress copy = address;
    copy.setScopeId(QString());
    return copy;
}

} // namespace

bool DestinationPolicy::allow(const QString& cidr)
{
    const QString text = cidr.trimmed();
    if (text.isEmpty())
        return false;
    QPair<QHostAddress, int> range;
    if (text.contains(QLatin1Char('/'))) {
        range = QHostAddress::parseSubnet(text);
        if (range.second < 0 || range.first.isNull())
            return false;
    } else {
        // parseSubnet reads "10" as 10.0.0.0/8; a bare entry here must be exactly one address.
        const QHostAddress single(text);
        if (single.isNull())
            return false;
        range = {unscoped(single), single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
    }
    m_allowed.append(range);
    return true;
}

bool DestinationPolicy::isAllowed(const QHostAddress& address) const
{
    return refusalReason(address).isEmpty();
}

QString DestinationPolicy::refusalReason(const QHostAddress& address) const
{
    const QString reason = specialPurposeRange(address);
    if (reason.isEmpty() || address.isNull())
        return reason;
    const QHostAddress bare = unscoped(address);
    const std::optional<QHostAddress> v4 = embeddedV4(bare);
    for (const auto& range : m_allowed) {
        if (bare.isInSubnet(range.first, range.second))
            return {};
        if (v4 && v4->isInSubnet(range.first, range.second))
            return {};
    }
    return reason;
}

QString DestinationPolicy::specialPurposeRange(const QHostAddress& address)
{
    if (address.isNull())
        return QStringLiteral("invalid address");
    const QHostAddress bare = unscoped(address);
    if (bare.protocol() == QAbstractSocket::IPv4Protocol)
        return matchRanges(bare, v4Ranges());
    if (const std::optional<QHostAddress> v4 = embeddedV4(bare))
        return matchRanges(*v4, v4Ranges());
    return matchRanges(bare, v6Ranges());
}

} // namespace outhook
