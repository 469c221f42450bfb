#include "delivery/RetryPolicy.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QRandomGenerator>
#include <QTimeZone>
#include <algorithm>

namespace outhook {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("RetryPolicy", text);
}
} // namespace

RetryPolicy::RetryPolicy(Random random)
    : m_random(std::move(random))
{
    if (!m_random)
        m_random = [] { return QRandomGenerator::global()->generateDouble(); };
}

QByteArray RetryPolicy::header(const RawHeaders& headers, const QByteArray& name)
{
    for (const auto& [k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

std::optional<qint64> RetryPolicy::retryAfterSeconds(const RawHeaders& headers, qint64 nowMs)
{
    const QByteArray value = header(headers, "retry-after").trimmed();
    if (value.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = value.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? std::nullopt : std::optional<qint64>(seconds);
    // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
    QDateTime when =
        QLocale::c().toDateTime(QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return std::nullopt;
    when.setTimeZone(QTimeZone::utc());
    return std::max<qint64>(0, (when.toMSecsSinceEpoch() - nowMs + 999) / 1000);
}

AttemptOutcome RetryPolicy::decide(const HttpResponse& r, const RetrySchedule& schedule, int attemptNumber,
                                   AttemptTrigger trigger, qint64 nowMs) const
{
    AttemptOutcome out;
    std::optional<qint64> minimumDelay;
    if (r.error == TransportError::None && r.statusCode >= 200 && r.statusCode < 300) {
        out.status = DeliveryStatus::Succeeded;
        return out;
    }
    if (r.error != TransportError::None) {
        out.errorClass = transportErrorClass(r.error);
        out.error = r.errorMessage;
    } else if (r.statusCode >= 300 && r.statusCode < 400) {
        out.errorClass = QStringLiteral("redirect_not_followed");
        const QByteArray location = header(r.headers, "location");
        out.error = location.isEmpty() ? tr("Endpoint answered %1; redirects are never followed").arg(r.statusCode)
                                       : tr("Endpoint answered %1 redirecting to %2; redirects are never followed")
                                             .arg(r.statusCode)
                                             .arg(QString::fromUtf8(location.left(500)));
    } else {
        out.errorClass = QStringLiteral("http_status");
        out.error = tr("Endpoint answered HTTP %1").arg(r.statusCode);
        if (r.statusCode == 410) {
            out.status = DeliveryStatus::Failed;
            out.disableReason = tr("410 Gone from endpoint");
            return out;
        }
        if (r.statusCode == 429 || r.statusCode == 503) {
            if (const auto after = retryAfterSeconds(r.headers, nowMs))
                minimumDelay = std::min(*after, kMaxRetryAfterSeconds);
        }
    }

    if (trigger != AttemptTrigger::Scheduled) {
        out.status = DeliveryStatus::Failed;
        return out;
    }
    const auto delay = schedule.delayBeforeAttempt(attemptNumber + 1);
    if (!delay) {
        out.status = DeliveryStatus::Failed;
        return out;
    }
    // ±10% jitter spreads retries of a burst so a recovering endpoint is not hit all at once.
    const double factor = 0.9 + 0.2 * m_random();
    qint64 delayMs = qint64(double(*delay) * 1000.0 * factor);
    if (minimumDelay)
        delayMs = std::max(delayMs, *minimumDelay * 1000);
    out.status = DeliveryStatus::Retrying;
    out.nextAttemptAt = nowMs + std::max<qint64>(delayMs, 0);
    return out;
}

} // namespace outhook
