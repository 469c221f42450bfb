#pragma once

#include "model/AuthConfig.h"
#include "model/HeaderList.h"
#include "model/RetrySchedule.h"

#include <QDateTime>
#include <QStringList>
#include <optional>

namespace outhook {

// An endpoint subscribed to event types. Value type: no I/O, copied freely.
struct Webhook
{
    static constexpr int kDefaultTimeoutSeconds = 30;
    static constexpr int kMaxNameLength = 200;

    qint64 id = 0;
    QString name;
    QString url;
    QStringList events;
    bool isActive = false; // new webhooks start deactivated
    AuthConfig auth;
    HeaderList headers;
    QString secret;                                // whsec_...
    QString previousSecret;                        // still signs until previousSecretExpiresAt (rotation grace)
    std::optional<qint64> previousSecretExpiresAt; // ms since epoch
    RetrySchedule retrySchedule = RetrySchedule::defaultSchedule();
    int timeoutSeconds = kDefaultTimeoutSeconds;
    QString disabledReason;

    qint64 createdAt = 0; // ms since epoch
    qint64 updatedAt = 0;
    std::optional<qint64> lastTriggeredAt;
    std::optional<qint64> lastSuccessAt;
    std::optional<qint64> lastFailureAt;
    int failureCount = 0;               // consecutive failed attempts since the last success
    std::optional<qint64> failingSince; // first failure of the current streak

    // Secrets that sign a request made at `nowMs`: the current one, plus the previous one during its grace.
    QStringList liveSecrets(qint64 nowMs) const;
};

} // namespace outhook
