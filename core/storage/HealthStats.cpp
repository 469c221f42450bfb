#include "storage/HealthStats.h"

#include "storage/DeliveryCounts.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("HealthStats", text);
}

constexpr qint64 kHourMs = 3600LL * 1000;
constexpr int kMaxBuckets = 1000;

// The bin of `column` as a balanced tree of CASE expressions over the bounds: about six comparisons a
// row instead of one per bin. Bounds are literals, so the text is the same on both backends.
QString binExpression(const QString& column, const QList<qint64>& bounds, int first, int last)
{
    if (first == last)
        return QString::number(first);
    const int mid = (first + last + 1) / 2; // bins [first, mid) go left, [mid, last] right
    return QStringLiteral("CASE WHEN %1 < %2 THEN %3 ELSE %4 END")
        .arg(column, QString::number(bounds.at(mid)), binExpression(column, bounds, first, mid - 1),
             binExpression(column, bounds, mid, last));
}

// Attempts first, then their delivery by primary key. CROSS JOIN fixes that order on SQLite, whose planner
// would otherwise walk every delivery the webhook ever had (deliveries_by_webhook has no time column);
// PostgreSQL plans it like any inner join.
const QString kJoinDeliveries = QStringLiteral(" CROSS JOIN deliveries d");

const QString& latencyBinSql()
{
    static const QString sql = binExpression(QStringLiteral("a.duration_ms"), HealthStats::latencyBounds(), 0,
                                             int(HealthStats::latencyBounds().size()) - 1);
    return sql;
}

QSqlQuery run(Database& db, const QString& sql, const QVariantList& binds, bool& ok)
{
    QSqlQuery q(db.connection());
    q.setForwardOnly(true);
    ok = q.prepare(sql);
    for (const QVariant& b : binds)
        q.addBindValue(b);
    ok = ok && q.exec();
    return q;
}

} // namespace

HealthQuery HealthQuery::ending(qint64 nowMs, Range range, int utcOffsetSeconds, std::optional<qint64> webhookId)
{
    HealthQuery q;
    q.webhookId = webhookId;
    q.bucketMs = range == Range::Day ? kHourMs : 6 * kHourMs;
    q.buckets = range == Range::Day ? 24 : 28;
    const qint64 offsetMs = qint64(utcOffsetSeconds) * 1000;
    const qint64 local = nowMs + offsetMs;
    // Floor division, so times before 1970 (only ever in tests) still land in the right bucket.
    const qint64 bucket = local >= 0 ? local / q.bucketMs : -((-local + q.bucketMs - 1) / q.bucketMs);
    const qint64 endLocal = (bucket + 1) * q.bucketMs;
    q.sinceMs = endLocal - q.bucketMs * q.buckets - offsetMs;
    return q;
}

void LatencyHistogram::add(const LatencyBin& bin)
{
    if (bin.count <= 0)
        return;
    m_count += bin.count;
    auto it = std::lower_bound(m_bins.begin(), m_bins.end(), bin.index,
                               [](const LatencyBin& b, int index) { return b.index < index; });
    if (it != m_bins.end() && it->index == bin.index) {
        it->count += bin.count;
        it->minMs = std::min(it->minMs, bin.minMs);
        it->maxMs = std::max(it->maxMs, bin.maxMs);
    } else {
        m_bins.insert(it, bin);
    }
}

void LatencyHistogram::merge(const LatencyHistogram& other)
{
    for (const LatencyBin& b : other.m_bins)
        add(b);
}

std::optional<double> LatencyHistogram::percentile(double p) const
{
    if (m_count == 0)
        return std::nullopt;
    p = std::clamp(p, 0.0, 1.0);
    // The value at 0-based rank r, with a bin's values spread evenly from its min to its max.
    const auto valueAt = [this](qint64 rank) -> double {
        qint64 before = 0;
        for (const LatencyBin& b : m_bins) {
            if (rank < before + b.count) {
                if (b.count == 1)
                    return double(b.minMs);
                const double frac = double(rank - before) / double(b.count - 1);
                return double(b.minMs) + frac * double(b.maxMs - b.minMs);
            }
            before += b.count;
        }
        return double(m_bins.last().maxMs);
    };
    const double rank = p * double(m_count - 1);
    const auto low = qint64(std::floor(rank));
    const double lowValue = valueAt(low);
    const double frac = rank - double(low);
    if (frac <= 0.0)
        return lowValue;
    return lowValue + frac * (valueAt(low + 1) - lowValue);
}

qint64 HealthBucket::total() const
{
    qint64 n = 0;
    for (qint64 c : deliveries)
        n += c;
    return n;
}

std::optional<double> HealthBucket::successRate() const
{
    const qint64 tried = total() - count(DeliveryStatus::Pending);
    if (tried <= 0)
        return std::nullopt;
    return double(count(DeliveryStatus::Succeeded)) / double(tried);
}

qint64 HealthReport::totalDeliveries() const
{
    qint64 n = 0;
    for (const HealthBucket& b : buckets)
        n += b.total();
    return n;
}

qint64 HealthReport::count(DeliveryStatus s) const
{
    qint64 n = 0;
    for (const HealthBucket& b : buckets)
        n += b.count(s);
    return n;
}

std::optional<double> HealthReport::successRate() const
{
    const qint64 tried = totalDeliveries() - count(DeliveryStatus::Pending);
    if (tried <= 0)
        return std::nullopt;
    return double(count(DeliveryStatus::Succeeded)) / double(tried);
}

LatencyHistogram HealthReport::latency() const
{
    LatencyHistogram all;
    for (const HealthBucket& b : buckets)
        all.merge(b.latency);
    return all;
}

const QList<qint64>& HealthStats::latencyBounds()
{
    static const QList<qint64> bounds{0,     1,     2,     3,     4,     5,     6,     8,     10,     12,
                                      15,    20,    25,    30,    40,    50,    60,    80,    100,    120,
                                      150,   200,   250,   300,   400,   500,   600,   800,   1000,   1200,
                                      1500,  2000,  2500,  3000,  4000,  5000,  6000,  8000,  10000,  12000,
                                      15000, 20000, 25000, 30000, 40000, 50000, 60000, 80000, 100000, 120000};
    return bounds;
}

Result<HealthReport> HealthStats::load(const HealthQuery& query, int topErrors) const
{
    if (query.bucketMs <= 0)
        return Error::validation(QStringLiteral("bucketMs"), tr("must be a positive number of milliseconds"));
    if (query.buckets < 1 || query.buckets > kMaxBuckets)
        return Error::validation(QStringLiteral("buckets"), tr("must be between 1 and %1").arg(kMaxBuckets));
    if (topErrors < 0)
        return Error::validation(QStringLiteral("topErrors"), tr("must not be negative"));
    HealthReport report;
    report.query = query;
    report.buckets.resize(query.buckets);
    for (int i = 0; i < query.buckets; ++i)
        report.buckets[i].startMs = query.bucketStart(i);
    if (Status s = loadDeliveries(query, report); !s)
        return s.error();
    if (Status s = loadLatency(query, report); !s)
        return s.error();
    if (Status s = loadErrors(query, topErrors, report); !s)
        return s.error();
    return report;
}

// Deliveries per bucket and status. A window of whole quarter hours (every report the dashboard asks
// for) sums delivery_counts; any other window counts the deliveries themselves, through
// deliveries_by_created and a row lookup each.
Status HealthStats::loadDeliveries(const HealthQuery& query, HealthReport& report) const
{
    constexpr qint64 slotMs = DeliveryCounts::kSlotMs;
    const bool bySlot = query.sinceMs >= 0 && query.sinceMs % slotMs == 0 && query.bucketMs % slotMs == 0;
    QString sql;
    QVariantList binds;
    if (bySlot) {
        const qint64 slotsPerBucket = query.bucketMs / slotMs;
        sql = QStringLiteral("SELECT t.bucket, t.status, SUM(t.n) FROM (SELECT (c.slot - ?) / ? AS bucket, c.status, "
                             "c.n FROM delivery_counts c WHERE c.slot >= ? AND c.slot < ?");
        binds = {query.sinceMs / slotMs, slotsPerBucket, query.sinceMs / slotMs, query.untilMs() / slotMs};
        if (query.webhookId) {
            sql += QStringLiteral(" AND c.webhook_id = ?");
            binds << *query.webhookId;
        }
        sql += QStringLiteral(") t GROUP BY t.bucket, t.status");
    } else {
        QString where = QStringLiteral("d.created_at >= ? AND d.created_at < ?");
        binds = {query.sinceMs, query.bucketMs, query.sinceMs, query.untilMs()};
        if (query.webhookId) {
            where += QStringLiteral(" AND d.webhook_id = ?");
            binds << *query.webhookId;
        }
        sql = QStringLiteral("SELECT t.bucket, t.status, COUNT(*) FROM (SELECT (d.created_at - ?) / ? AS bucket, "
                             "d.status FROM deliveries d WHERE ") +
              where + QStringLiteral(") t GROUP BY t.bucket, t.status");
    }
    bool ok = false;
    QSqlQuery q = run(*m_db, sql, binds, ok);
    if (!ok)
        return Database::queryError(q, tr("counting deliveries per hour"));
    while (q.next()) {
        const qint64 bucket = q.value(0).toLongLong();
        const auto status = parseDeliveryStatus(q.value(1).toString());
        if (bucket < 0 || bucket >= query.buckets || !status)
            continue;
        report.buckets[bucket].deliveries[size_t(*status)] += q.value(2).toLongLong();
    }
    return {};
}

// A latency histogram per bucket: GROUP BY bucket, bin. Bounded output (buckets × bins rows) whatever the
// number of attempts.
Status HealthStats::loadLatency(const HealthQuery& query, HealthReport& report) const
{
    QString from = QStringLiteral("attempts a");
    QString where = QStringLiteral("a.started_at >= ? AND a.started_at < ?");
    QVariantList binds{query.sinceMs, query.bucketMs, query.sinceMs, query.untilMs()};
    if (query.webhookId) {
        from += kJoinDeliveries;
        where += QStringLiteral(" AND d.id = a.delivery_id AND d.webhook_id = ?");
        binds << *query.webhookId;
    }
    const QString sql = QStringLiteral("SELECT t.bucket, t.bin, COUNT(*), MIN(t.duration_ms), MAX(t.duration_ms) "
                                       "FROM (SELECT (a.started_at - ?) / ? AS bucket, ") +
                        latencyBinSql() + QStringLiteral(" AS bin, a.duration_ms FROM ") + from +
                        QStringLiteral(" WHERE ") + where + QStringLiteral(") t GROUP BY t.bucket, t.bin");
    bool ok = false;
    QSqlQuery q = run(*m_db, sql, binds, ok);
    if (!ok)
        return Database::queryError(q, tr("measuring latency per hour"));
    while (q.next()) {
        const qint64 bucket = q.value(0).toLongLong();
        if (bucket < 0 || bucket >= query.buckets)
            continue;
        report.buckets[bucket].latency.add(
            {q.value(1).toInt(), q.value(2).toLongLong(), q.value(3).toLongLong(), q.value(4).toLongLong()});
    }
    return {};
}

// Failed attempts by error class, most frequent first. HTTP failures are split by status code, since
// "HTTP 503" says more than "http_status". All groups are read (a few dozen at most: classes times status
// codes) so the total counts every failed attempt, not only the top ones.
Status HealthStats::loadErrors(const HealthQuery& query, int limit, HealthReport& report) const
{
    QString from = QStringLiteral("attempts a");
    QString where = QStringLiteral("a.started_at >= ? AND a.started_at < ? AND a.error_class <> ''");
    QVariantList binds{query.sinceMs, query.untilMs()};
    if (query.webhookId) {
        from += kJoinDeliveries;
        where += QStringLiteral(" AND d.id = a.delivery_id AND d.webhook_id = ?");
        binds << *query.webhookId;
    }
    const QString sql = QStringLiteral("SELECT a.error_class, a.status_code, COUNT(*) AS n FROM ") + from +
                        QStringLiteral(" WHERE ") + where +
                        QStringLiteral(" GROUP BY a.error_class, a.status_code ORDER BY n DESC, a.error_class, "
                                       "a.status_code");
    bool ok = false;
    QSqlQuery q = run(*m_db, sql, binds, ok);
    if (!ok)
        return Database::queryError(q, tr("counting error classes"));
    while (q.next()) {
        ErrorClassCount e;
        e.errorClass = q.value(0).toString();
        if (!q.value(1).isNull())
            e.statusCode = q.value(1).toInt();
        e.count = q.value(2).toLongLong();
        report.failedAttempts += e.count;
        if (report.topErrors.size() < limit)
            report.topErrors << e;
    }
    return {};
}

} // namespace outhook
