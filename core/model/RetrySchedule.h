#pragma once

#include <QList>
#include <QString>
#include <optional>

namespace outhook {

// Delays before each retry. Default 5m, 10m, 20m: 3 retries, 4 attempts in all.
class RetrySchedule
{
public:
    RetrySchedule() = default;
    explicit RetrySchedule(QList<qint64> delaysSeconds)
        : m_delays(std::move(delaysSeconds))
    {}

    static RetrySchedule defaultSchedule() { return RetrySchedule({300, 600, 1200}); }
    // "5m,10m,20m", "30s, 1h" or "" (no retries). nullopt when any entry is not a duration.
    static std::optional<RetrySchedule> parse(const QString& text);

    const QList<qint64>& delaysSeconds() const { return m_delays; }
    int retryCount() const { return int(m_delays.size()); }
    int maxAttempts() const { return retryCount() + 1; }
    // Delay before attempt `nextAttemptNumber` (2-based: the first retry is attempt 2). nullopt when exhausted.
    std::optional<qint64> delayBeforeAttempt(int nextAttemptNumber) const;

    QString toString() const;        // "5m,10m,20m"
    QString toStorageString() const; // "300,600,1200"
    static std::optional<RetrySchedule> fromStorageString(const QString& text);

    bool operator==(const RetrySchedule&) const = default;

private:
    QList<qint64> m_delays;
};

} // namespace outhook
