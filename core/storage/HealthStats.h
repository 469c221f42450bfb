#pragma once

#include "model/Delivery.h"
#include "storage/Database.h"

#include <QList>
#include <array>
#include <memory>
#include <optional>

namespace outhook {

// The time window a health report covers: `buckets` consecutive buckets of `bucketMs`, the first one
// starting at `sinceMs`. Deliveries count in the bucket of their created_at, attempts in the bucket of
// their started_at.
struct HealthQuery
{
    std::optional<qint64> webhookId; // empty: every webhook
    qint64 sinceMs = 0;
    qint64 bucketMs = 3600LL * 1000;
    int buckets = 24;

    qint64 untilMs() const { return sinceMs + bucketMs * buckets; }
    qint64 bucketStart(int index) const { return sinceMs + bucketMs * index; }

    // The last day in hourly buckets, or the last week in 6-hour buckets, ending with the bucket that
    // holds `nowMs`. Buckets start on local hour boundaries: `utcOffsetSeconds` is the local offset.
    enum class Range
    {
        Day,
        Week
    };
    static HealthQuery ending(qint64 nowMs, Range range, int utcOffsetSeconds,
                              std::optional<qint64> webhookId = std::nullopt);
};

// One bin of a latency histogram: how many durations fell in [lowMs, highMs) and the smallest and
// largest of them, which sharpen the interpolated percentiles.
struct LatencyBin
{
    int index = 0; // position in HealthStats::latencyBounds()
    qint64 count = 0;
    qint64 minMs = 0;
    qint64 maxMs = 0;
};

// A latency histogram, bins in ascending order, empty bins left out.
class LatencyHistogram
{
public:
    void add(const LatencyBin& bin); // merges with a bin of the same index
    void merge(const LatencyHistogram& other);
    qint64 count() const { return m_count; }
    const QList<LatencyBin>& bins() const { return m_bins; }

    // The p-th quantile (0..1) with PostgreSQL percentile_cont's definition (linear between the two
    // nearest ranks), where values inside a bin are taken as spread evenly between its min and max.
    // Exact while a bin holds at most two values; otherwise off by less than the bin's width. Empty
    // when there are no values.
    std::optional<double> percentile(double p) const;

private:
    QList<LatencyBin> m_bins;
    qint64 m_count = 0;
};

// One bucket of a health report.
struct HealthBucket
{
    qint64 startMs = 0;
    std::array<qint64, 4> deliveries{}; // created in this bucket, by current status (indexed like DeliveryStatus)
    LatencyHistogram latency;           // attempts started in this bucket

    qint64 count(DeliveryStatus s) const { return deliveries[size_t(s)]; }
    qint64 total() const;
    // Succeeded among the deliveries that have been tried (everything but pending), 0..1; empty when none
    // has been tried yet.
    std::optional<double> successRate() const;
};

// Failed attempts of one kind: an error class, and for HTTP failures the status code.
struct ErrorClassCount
{
    QString errorClass;
    std::optional<int> statusCode;
    qint64 count = 0;
};

// What the health dashboard shows, for one webhook or all of them.
struct HealthReport
{
    HealthQuery query;
    QList<HealthBucket> buckets;      // exactly query.buckets entries, in time order
    QList<ErrorClassCount> topErrors; // failed attempts in the window by error class, most frequent first
    qint64 failedAttempts = 0;        // every failed attempt in the window, of any class

    qint64 totalDeliveries() const;
    qint64 count(DeliveryStatus s) const;
    std::optional<double> successRate() const;
    LatencyHistogram latency() const; // every bucket merged
    bool isEmpty() const { return totalDeliveries() == 0 && latency().count() == 0; }
};

// Aggregates for the health dashboard. Every number comes from GROUP BY queries over indexed columns
// (resources/sql/0005_health.sql) or per-quarter-hour counters (0008_delivery_counts.sql), so a report
// costs the same few queries at any table size. Latency percentiles come from a per-bucket histogram
// computed in SQL, identical on SQLite (which has no percentile function) and PostgreSQL.
class HealthStats
{
public:
    explicit HealthStats(std::shared_ptr<Database> db)
        : m_db(std::move(db))
    {}

    // Validation error (naming the field) when the window is malformed.
    Result<HealthReport> load(const HealthQuery& query, int topErrors = 6) const;

    // Lower bounds of the histogram bins in ms, ascending, starting at 0; the last bin is open-ended.
    // Roughly 25% wide, so percentiles stay within about a quarter of the true value in the worst case.
    static const QList<qint64>& latencyBounds();

private:
    Status loadDeliveries(const HealthQuery& query, HealthReport& report) const;
    Status loadLatency(const HealthQuery& query, HealthReport& report) const;
    Status loadErrors(const HealthQuery& query, int limit, HealthReport& report) const;

    std::shared_ptr<Database> m_db;
};

} // namespace outhook
