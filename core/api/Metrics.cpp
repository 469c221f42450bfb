#include "api/Metrics.h"

#include "model/Webhook.h"
#include "storage/DeliveryQueue.h"

namespace outhook::api {

namespace {

// Label values escape backslash, double quote and newline.
QByteArray label(const QString& value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

QByteArray number(double v)
{
    return QByteArray::number(v, 'g', 15);
}

void header(QByteArray& out, const char* name, const char* type, const char* help)
{
    out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

} // namespace

void Metrics::recordAttempt(int statusCode, const QString& errorClass, qint64 durationMs, DeliveryStatus outcome)
{
    if (outcome != DeliveryStatus::Pending)
        ++m_deliveries[deliveryStatusName(outcome)];
    const QString statusClass =
        statusCode > 0 ? QString::number(statusCode / 100) + QStringLiteral("xx") : QStringLiteral("none");
    ++m_attempts[{statusClass, errorClass.isEmpty() ? QStringLiteral("none") : errorClass}];
    const double seconds = double(durationMs) / 1000.0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            ++m_bucketCounts[i];
            break;
        }
    }
    ++m_durationCount;
    m_durationSum += seconds;
}

QByteArray Metrics::render(const QueueCounts& queue, const QList<Webhook>& webhooks, qint64 nowMs) const
{
    QByteArray out;
    header(out, "outhook_deliveries_total", "counter",
           "Attempts sent by this process, by the state they left the delivery in.");
    for (const char* outcome : {"succeeded", "retrying", "failed"})
        out += QByteArray("outhook_deliveries_total{outcome=\"") + outcome + "\"} " +
               QByteArray::number(m_deliveries.value(QLatin1String(outcome))) + '\n';

    header(out, "outhook_attempts_total", "counter", "Attempts sent by this process, by status and error class.");
    for (auto it = m_attempts.cbegin(); it != m_attempts.cend(); ++it)
        out += "outhook_attempts_total{status_class=\"" + label(it.key().first) + "\",error_class=\"" +
               label(it.key().second) + "\"} " + QByteArray::number(it.value()) + '\n';

    header(out, "outhook_delivery_duration_seconds", "histogram", "How long attempts took, request to response.");
    qint64 cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += m_bucketCounts[i];
        out += "outhook_delivery_duration_seconds_bucket{le=\"" + number(kBuckets[i]) + "\"} " +
               QByteArray::number(cumulative) + '\n';
    }
    out += "outhook_delivery_duration_seconds_bucket{le=\"+Inf\"} " + QByteArray::number(m_durationCount) + '\n';
    out += "outhook_delivery_duration_seconds_sum " + number(m_durationSum) + '\n';
    out += "outhook_delivery_duration_seconds_count " + QByteArray::number(m_durationCount) + '\n';

    header(out, "outhook_queue_due", "gauge", "Deliveries due now and not being sent.");
    out += "outhook_queue_due " + QByteArray::number(queue.due) + '\n';
    header(out, "outhook_queue_scheduled", "gauge", "Deliveries waiting for a later retry.");
    out += "outhook_queue_scheduled " + QByteArray::number(queue.scheduled) + '\n';
    header(out, "outhook_queue_leased", "gauge", "Deliveries being sent by some engine.");
    out += "outhook_queue_leased " + QByteArray::number(queue.leased) + '\n';
    header(out, "outhook_queue_oldest_due_age_seconds", "gauge", "How long the oldest due delivery has waited.");
    const qint64 ageMs = queue.oldestDueAt ? std::max<qint64>(0, nowMs - *queue.oldestDueAt) : 0;
    out += "outhook_queue_oldest_due_age_seconds " + number(double(ageMs) / 1000.0) + '\n';
    header(out, "outhook_inflight_requests", "gauge", "Requests this process has in flight.");
    out += "outhook_inflight_requests " + QByteArray::number(m_inFlight) + '\n';

    header(out, "outhook_webhook_consecutive_failures", "gauge", "Failed attempts since each webhook's last success.");
    for (const Webhook& w : webhooks)
        out += "outhook_webhook_consecutive_failures{webhook_id=\"" + QByteArray::number(w.id) + "\"} " +
               QByteArray::number(w.failureCount) + '\n';
    return out;
}

} // namespace outhook::api
