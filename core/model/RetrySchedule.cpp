#include "model/RetrySchedule.h"

#include "util/Time.h"

#include <QStringList>

namespace outhook {

std::optional<RetrySchedule> RetrySchedule::parse(const QString& text)
{
    QList<qint64> delays;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed == QLatin1String("none"))
        return RetrySchedule(delays);
    const QStringList parts = trimmed.split(QLatin1Char(','));
    for (const QString& part : parts) {
        const auto s = time::parseDurationSeconds(part);
        if (!s)
            return std::nullopt;
        delays.append(*s);
    }
    return RetrySchedule(delays);
}

std::optional<qint64> RetrySchedule::delayBeforeAttempt(int nextAttemptNumber) const
{
    const int index = nextAttemptNumber - 2;
    if (index < 0 || index >= m_delays.size())
        return std::nullopt;
    return m_delays.at(index);
}

QString RetrySchedule::toString() const
{
    QStringList parts;
    for (qint64 d : m_delays)
        parts << time::formatDuration(d);
    return parts.join(QLatin1Char(','));
}

QString RetrySchedule::toStorageString() const
{
    QStringList parts;
    for (qint64 d : m_delays)
        parts << QString::number(d);
    return parts.join(QLatin1Char(','));
}

std::optional<RetrySchedule> RetrySchedule::fromStorageString(const QString& text)
{
    QList<qint64> delays;
    if (text.isEmpty())
        return RetrySchedule(delays);
    for (const QString& part : text.split(QLatin1Char(','))) {
        bool ok = false;
        const qint64 v = part.toLongLong(&ok);
        if (!ok)
            return std::nullopt;
        delays.append(v);
    }
    return RetrySchedule(delays);
}

} // namespace outhook
