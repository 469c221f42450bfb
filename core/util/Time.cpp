#include "util/Time.h"

#include <QTimeZone>

#include <chrono>

namespace outhook::time {

QString toIso(const QDateTime& t)
{
    if (!t.isValid())
        return {};
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QString toIso(std::optional<qint64> ms)
{
    return ms ? toIso(fromMs(*ms)) : QString();
}

QByteArray isoBytes(qint64 ms)
{
    using namespace std::chrono;
    // 0001-01-01T00:00:00.000Z up to 9999-12-31T23:59:59.999Z: QDate has no year 0 and counts the years
    // before it as negative, where std::chrono's proleptic calendar has one, so only these years agree.
    constexpr qint64 kFirstMs = -62135596800000;
    constexpr qint64 kEndMs = 253402300800000;
    if (ms < kFirstMs || ms >= kEndMs)
        return toIso(fromMs(ms)).toLatin1();
    const sys_time<milliseconds> t{milliseconds(ms)};
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<milliseconds> hms{t - day};
    const auto put = [](char* at, unsigned value, int digits) {
        for (int i = digits - 1; i >= 0; --i, value /= 10)
            at[i] = char('0' + value % 10);
    };
    QByteArray out(24, Qt::Uninitialized);
    char* p = out.data();
    put(p, unsigned(int(ymd.year())), 4);
    p[4] = '-';
    put(p + 5, unsigned(ymd.month()), 2);
    p[7] = '-';
    put(p + 8, unsigned(ymd.day()), 2);
    p[10] = 'T';
    put(p + 11, unsigned(hms.hours().count()), 2);
    p[13] = ':';
    put(p + 14, unsigned(hms.minutes().count()), 2);
    p[16] = ':';
    put(p + 17, unsigned(hms.seconds().count()), 2);
    p[19] = '.';
    put(p + 20, unsigned(hms.subseconds().count()), 3);
    p[23] = 'Z';
    return out;
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

std::optional<QDateTime> parseIso(const QString& text)
{
    const QString s = text.trimmed();
    if (s.isEmpty())
        return std::nullopt;
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(s, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    // A time without a zone is taken as UTC: the CLI and API speak UTC only.
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc());
    return t.toUTC();
}

std::optional<qint64> parseDurationSeconds(const QString& text)
{
    const QString s = text.trimmed().toLower();
    if (s.isEmpty())
        return std::nullopt;
    qint64 unit = 1;
    QStringView digits(s);
    const QChar last = s.back();
    if (!last.isDigit()) {
        switch (last.unicode()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            return std::nullopt;
        }
        digits.chop(1);
    }
    if (digits.isEmpty() || digits.size() > 9)
        return std::nullopt;
    for (QChar c : digits)
        if (!c.isDigit() || c.unicode() > 127)
            return std::nullopt;
    bool ok = false;
    const qint64 n = digits.toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return n * unit;
}

QString formatDuration(qint64 seconds)
{
    if (seconds > 0 && seconds % 86400 == 0)
        return QString::number(seconds / 86400) + QLatin1Char('d');
    if (seconds > 0 && seconds % 3600 == 0)
        return QString::number(seconds / 3600) + QLatin1Char('h');
    if (seconds > 0 && seconds % 60 == 0)
        return QString::number(seconds / 60) + QLatin1Char('m');
    return QString::number(seconds) + QLatin1Char('s');
}

} // namespace outhook::time
