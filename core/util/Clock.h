#pragma once

#include <QDateTime>
#include <QTimeZone>
#include <atomic>

namespace outhook {

// Source of "now" for everything that schedules or stamps. Injected so tests control time.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;
    qint64 nowMs() const { return now().toMSecsSinceEpoch(); }
};

class SystemClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
};

// A clock that only moves when told to. Thread-safe enough for tests: reads and writes are atomic.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start = QDateTime::fromSecsSinceEpoch(1700000000, QTimeZone::utc()))
        : m_ms(start.toMSecsSinceEpoch())
    {}
    QDateTime now() const override { return QDateTime::fromMSecsSinceEpoch(m_ms.load(), QTimeZone::utc()); }
    void set(const QDateTime& t) { m_ms.store(t.toMSecsSinceEpoch()); }
    void advance(qint64 ms) { m_ms.fetch_add(ms); }

private:
    std::atomic<qint64> m_ms;
};

} // namespace outhook
