#pragma once

#include "delivery/Transport.h"
#include "model/Delivery.h"
#include "model/RetrySchedule.h"

#include <functional>
#include <optional>

namespace outhook {

// What happens after one attempt.
struct AttemptOutcome
{
    DeliveryStatus status = DeliveryStatus::Failed; // succeeded, retrying (next attempt scheduled) or failed
    std::optional<qint64> nextAttemptAt;            // ms since epoch, when retrying
    QString errorClass;                             // "" on success
    QString error;                                  // readable message for the log
    QString disableReason;                          // non-empty: deactivate the webhook with this reason (410 Gone)
};

// Decides success, retry or give up from a response, the webhook's schedule and the attempt number.
// - any 2xx succeeds; 410 fails the delivery and disables the webhook;
// - 429/503 with Retry-After wait at least that long (capped at 1 h);
// - 3xx, other statuses and every transport error are failures, retried per schedule with ±10% jitter.
// Manual and test attempts are single shots: when they fail they do not start a retry cycle of their own.
class RetryPolicy
{
public:
    static constexpr qint64 kMaxRetryAfterSeconds = 3600;
    using Random = std::function<double()>; // uniform in [0, 1)

    explicit RetryPolicy(Random random = {});

    AttemptOutcome decide(const HttpResponse& response, const RetrySchedule& schedule, int attemptNumber,
                          AttemptTrigger trigger, qint64 nowMs) const;

    // Retry-After as delta-seconds or an HTTP-date; nullopt when absent or unparseable. Never negative.
    static std::optional<qint64> retryAfterSeconds(const RawHeaders& headers, qint64 nowMs);
    static QByteArray header(const RawHeaders& headers, const QByteArray& name);

private:
    Random m_random;
};

} // namespace outhook
