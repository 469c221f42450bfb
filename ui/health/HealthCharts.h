#pragma once

#include "storage/HealthStats.h"

#include <QStringList>
#include <array>

class QBarSet;
class QChart;

namespace outhook::ui::health {

// The outcomes in stacking order, bottom up: the healthy part first, so trouble sits on top.
inline constexpr std::array<DeliveryStatus, 4> kStackOrder{DeliveryStatus::Succeeded, DeliveryStatus::Retrying,
                                                           DeliveryStatus::Failed, DeliveryStatus::Pending};

// One readable, unique label per bucket in local time: "14:00" for hours, "Mon 18:00" for 6-hour buckets
// (the day name only where a day starts).
QStringList bucketLabels(const HealthQuery& query);

// "84 ms", "1.2 s", "2.5 min".
QString formatDuration(double ms);
// "HTTP 503", "timeout", "tls_error".
QString errorLabel(const ErrorClassCount& error);

// The charts, built from a report. Each returns a new chart the caller owns. `dark` picks the theme; the
// outcome colours always match the Log History's.

// Deliveries per bucket stacked by outcome, with the success rate as a line on a right-hand % axis.
// `sets` receives the bar set of each outcome, indexed like DeliveryStatus.
QChart* deliveriesChart(const HealthReport& report, const QStringList& labels, bool dark,
                        std::array<QBarSet*, 4>& sets);
// p50 and p95 latency per bucket, on a log axis (timeouts next to 80 ms answers stay readable).
QChart* latencyChart(const HealthReport& report, const QStringList& labels, bool dark);
// The most frequent error classes as horizontal bars, the most frequent on top.
QChart* errorsChart(const HealthReport& report, bool dark);

} // namespace outhook::ui::health
