#pragma once

#include "model/HeaderList.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace outhook {

// Where a delivery stands. `failed` means its retries are exhausted (or the endpoint said 410).
enum class DeliveryStatus
{
    Pending,
    Retrying,
    Succeeded,
    Failed
};
QString deliveryStatusName(DeliveryStatus s);
std::optional<DeliveryStatus> parseDeliveryStatus(const QString& name);

// What caused an attempt.
enum class AttemptTrigger
{
    Scheduled,
    Manual,
    Test
};
QString attemptTriggerName(AttemptTrigger t);
AttemptTrigger parseAttemptTrigger(const QString& name);

// One delivery as the log shows it.
struct Delivery
{
    qint64 id = 0;
    qint64 eventId = 0;
    qint64 webhookId = 0;
    QString eventType;
    QString msgId;
    DeliveryStatus status = DeliveryStatus::Pending;
    int attemptCount = 0;
    std::optional<qint64> nextAttemptAt;
    std::optional<int> lastStatusCode;
    QString lastErrorClass;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    QString url;        // the webhook's URL (joined in for display)
    QByteArray payload; // the frozen envelope; filled only when asked for
};

// One HTTP attempt, as recorded.
struct Attempt
{
    qint64 id = 0;
    qint64 deliveryId = 0;
    int number = 0;
    AttemptTrigger trigger = AttemptTrigger::Scheduled;
    qint64 startedAt = 0;
    qint64 durationMs = 0;
    QString requestUrl;
    RawHeaders requestHeaders; // secrets already redacted
    std::optional<int> statusCode;
    RawHeaders responseHeaders;
    QByteArray responseBody;
    qint64 responseBodySize = 0;
    bool truncated = false;
    QString errorClass; // "" on success; "http_status", "timeout", "tls_error", ...
    QString error;      // readable
    QString remoteAddress;
};

} // namespace outhook
