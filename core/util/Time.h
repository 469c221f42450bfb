#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <optional>

namespace outhook::time {

// ISO 8601 UTC with milliseconds and a trailing Z, or an empty string for an invalid/null time.
QString toIso(const QDateTime& t);
QString toIso(std::optional<qint64> msSinceEpoch);
// The same text as toIso(ms), as Latin-1 bytes, for hot paths that write JSON by hand: years 1-9999 are
// formatted with std::chrono's civil calendar (no QDateTime, one allocation), anything else goes through Qt.
QByteArray isoBytes(qint64 msSinceEpoch);
// Accepts ISO 8601 with Z or an offset, with or without milliseconds. Returns nullopt on anything else.
std::optional<QDateTime> parseIso(const QString& text);
QDateTime fromMs(qint64 ms);

// Durations written as "30s", "5m", "2h", "1d" or a bare number of seconds.
std::optional<qint64> parseDurationSeconds(const QString& text);
// The shortest exact form: 300 -> "5m", 90 -> "90s", 7200 -> "2h".
QString formatDuration(qint64 seconds);

} // namespace outhook::time
