#pragma once

#include "model/RetrySchedule.h"
#include "model/Webhook.h"
#include "storage/Database.h"
#include "util/Clock.h"

#include <memory>
#include <optional>

namespace outhook {

// Settings that apply to everyone who uses one database: the engine reads them, the desktop app's
// Settings dialog and the CLI write them. Unset members mean "the built-in default".
struct TeamSettings
{
    static constexpr qint64 kDefaultAutoDisableAfterSeconds = 5LL * 24 * 3600; // 5 days
    static constexpr qint64 kMinAutoDisableAfterSeconds = 60;
    static constexpr qint64 kMaxAutoDisableAfterSeconds = 365LL * 24 * 3600;
    static constexpr qint64 kDefaultMaxResponseBodyBytes = 64 * 1024;
    static constexpr qint64 kMinResponseBodyBytes = 1024;
    static constexpr qint64 kMaxResponseBodyBytes = 16LL * 1024 * 1024;

    std::optional<RetrySchedule> defaultRetrySchedule; // for new webhooks
    std::optional<int> defaultTimeoutSeconds;          // for new webhooks
    std::optional<qint64> autoDisableAfterSeconds;     // a webhook failing this long is turned off
    std::optional<qint64> maxResponseBodyBytes;        // captured response bodies are cut off here

    RetrySchedule retryScheduleOrDefault() const
    {
        return defaultRetrySchedule.value_or(RetrySchedule::defaultSchedule());
    }
    int timeoutOrDefault() const { return defaultTimeoutSeconds.value_or(Webhook::kDefaultTimeoutSeconds); }
    qint64 autoDisableAfterMsOr(qint64 fallbackMs) const
    {
        return autoDisableAfterSeconds ? *autoDisableAfterSeconds * 1000 : fallbackMs;
    }
    qint64 maxResponseBodyBytesOr(qint64 fallback) const { return maxResponseBodyBytes.value_or(fallback); }

    // A new webhook with the team's default retry schedule and timeout.
    Webhook newWebhook() const;

    // Every problem, each with its field (default_retry_schedule, default_timeout, auto_disable_after,
    // max_response_body). Retry schedule and timeout follow the same rules as a webhook's own.
    FieldErrors validate() const;

    bool operator==(const TeamSettings&) const = default;
};

// The `settings` table. SQL lives here only.
class SettingsStore
{
public:
    SettingsStore(std::shared_ptr<Database> db, const Clock& clock)
        : m_db(std::move(db))
        , m_clock(clock)
    {}

    Result<TeamSettings> load() const;
    // Validates first: bad values change nothing and come back as a Validation error naming each field.
    // Writes every key in one transaction; unset members delete their key. Raises the changes NOTIFY.
    Status save(const TeamSettings& settings);

private:
    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
};

} // namespace outhook
