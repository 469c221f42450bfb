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

// JSON that parses but that the API refuses before reading it: a key twice in one object (QJsonDocument
// would silently keep the last one, so what was checked might not be what was meant) and nesting deeper
// than kMaxJsonDepth levels. Returns the first problem, its field being the key's path ("auth.type",
// "data.items[1].a"). Safe on any bytes; meant to run after QJsonDocument accepted them.
// With `member`, the same pass also copies the text of that top-level member's value, as sent, into
// *memberText (left alone when there is no such member).
constexpr int kMaxJsonDepth = 64;
FieldErrors checkJsonStructure(const QByteArray& json, QLatin1String member = {}, QByteArray* memberText = nullptr);
// The path of the value at byte `offset` ("timeout_seconds", "headers.X-A"; empty at top level): names the
// field of a JSON parse error.
QString jsonPathAt(const QByteArray& json, qsizetype offset);

// `retry_count` N picks the first N delays of 5m, 10m, 20m, 40m, ... (doubling, at most 24h each).
RetrySchedule scheduleForRetryCount(int count);

} // namespace outhook::api
