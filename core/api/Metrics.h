#pragma once

#include "model/Delivery.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <array>

namespace outhook {
struct QueueCounts;
struct Webhook;
} // namespace outhook

namespace outhook::api {

// Counters for GET /metrics, fed by this process's dispatcher (Engine::attemptFinished) and rendered in
// the Prometheus text exposition format (version 0.0.4). Lives on the main thread, like the router.
class Metrics
{
public:
    static constexpr std::array<double, 13> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

    void recordAttempt(int statusCode, const QString& errorClass, qint64 durationMs, DeliveryStatus outcome);
    void setInFlight(int count) { m_inFlight = count; }

    // The whole exposition: counters, the duration histogram, queue gauges and per-webhook failure
    // streaks (labelled by id only, never by URL or secret).
    QByteArray render(const QueueCounts& queue, const QList<Webhook>& webhooks, qint64 nowMs) const;

private:
    QMap<QString, qint64> m_deliveries;                   // outcome → count
    QMap<QPair<QString, QString>, qint64> m_attempts;     // (status class, error class) → count
    std::array<qint64, kBuckets.size()> m_bucketCounts{}; // non-cumulative, one per upper bound
    qint64 m_durationCount = 0;
    double m_durationSum = 0;
    int m_inFlight = 0;
};

} // namespace outhook::api
