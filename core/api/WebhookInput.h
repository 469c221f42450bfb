#pragma once

#include "model/Webhook.h"
#include "util/Result.h"

#include <QJsonObject>

namespace outhook::api {

enum class InputMode
{
    Create,
    Patch
};

// Applies a JSON request body onto `w`: on create, `w` holds the defaults; on PATCH, the stored webhook.
// Wrong JSON types and unknown fields are errors naming the field; the rules themselves (HTTPS, reserved
// headers, ...) are left to WebhookValidator, which the store runs.
FieldErrors applyWebhookJson(const QJsonObject& body, Webhook& w, InputMode mode);

// `retry_count` N picks the first N delays of 5m, 10m, 20m, 40m, ... (doubling, at most 24h each).
RetrySchedule scheduleForRetryCount(int count);

} // namespace outhook::api
