#include "health/HealthCharts.h"

#include "log/DeliveryLogModel.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QHorizontalBarSeries>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QSet>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace outhook::ui::health {

namespace {

// Gives the charts' strings a context that lupdate can see (a free tr() has none).
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(HealthCharts)
};

constexpr QChar kInvisible(0x200B); // zero-width space

constexpr QRgb kRateColor[2] = {0x1565c0, 0x64b5f6}; // light, dark
constexpr QRgb kP95Color[2] = {0x6a1b9a, 0xce93d8};

QChart* newChart(const QString& title, bool dark)
{
    auto* chart = new QChart;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setTitle(title);
    QFont titleFont = chart->titleFont();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    chart->setTitleFont(titleFont);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

QBarCategoryAxis* categoryAxis(const QStringList& labels, const QString& title)
{
    auto* axis = new QBarCategoryAxis;
    axis->append(labels);
    axis->setGridLineVisible(false);
    axis->setTitleText(title);
    return axis;
}

// For line charts over the same buckets: x = bucket index, labelled on every `step`-th bucket (0: only
// the visible labels, where a day starts) so a narrow chart stays readable.
QCategoryAxis* sparseAxis(const QStringList& labels, int step, const QString& title)
{
    auto* axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setStartValue(-0.5);
    for (int i = 0; i < labels.size(); ++i) {
        if (step > 0 ? i % step == 0 : !labels.at(i).startsWith(kInvisible))
            axis->append(labels.at(i), i);
    }
    axis->setRange(-0.5, labels.size() - 0.5);
    axis->setGridLineVisible(false);
    axis->setTitleText(title);
    return axis;
}

// A count axis with four intervals of a tidy whole-number step, so the right-hand 0–100% axis (ticks at
// 25% steps) lines up with its grid.
QValueAxis* countAxis(qint64 max, const QString& title)
{
    static const qint64 tidy[] = {1, 2, 3, 4, 5, 10, 15, 20, 25, 30, 40, 50, 75};
    qint64 step = 0;
    for (qint64 scale = 1; step == 0; scale *= 10) {
        for (qint64 t : tidy) {
            if (t * scale * 4 >= max) {
                step = t * scale;
                break;
            }
        }
    }
    auto* axis = new QValueAxis;
    axis->setRange(0, double(step * 4));
    axis->setTickCount(5);
    axis->setLabelFormat(QStringLiteral("%d"));
    axis->setTitleText(title);
    return axis;
}

} // namespace

QStringList bucketLabels(const HealthQuery& query)
{
    QStringList labels;
    QSet<QString> seen;
    const int bucketHours = int(query.bucketMs / (3600LL * 1000));
    for (int i = 0; i < query.buckets; ++i) {
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(query.bucketStart(i)).toLocalTime();
        QString label;
        if (bucketHours <= 1)
            label = start.toString(QStringLiteral("HH"));
        else if (start.time().hour() < bucketHours)
            label = QLocale().toString(start, QStringLiteral("ddd d"));
        // Other 6-hour buckets stay unlabelled (bars too narrow for text): their names are invisible.
        // A category axis needs unique names, and a repeated local hour (DST ending) needs one too: both
        // get zero-width spaces appended.
        while (label.isEmpty() || seen.contains(label))
            label += kInvisible;
        seen.insert(label);
        labels << label;
    }
    return labels;
}

static QString axisTitle(const HealthQuery& query)
{
    return query.bucketMs < 2 * 3600LL * 1000 ? Tr::tr("Hour (local time)") : Tr::tr("Day (local time)");
}

QString formatDuration(double ms)
{
    if (ms < 1000)
        return Tr::tr("%1 ms").arg(qRound(ms));
    if (ms < 60000)
        return Tr::tr("%1 s").arg(ms / 1000.0, 0, 'f', ms < 10000 ? 2 : 1);
    return Tr::tr("%1 min").arg(ms / 60000.0, 0, 'f', 1);
}

QString errorLabel(const ErrorClassCount& error)
{
    if (error.errorClass == QLatin1String("http_status") && error.statusCode)
        return Tr::tr("HTTP %1").arg(*error.statusCode);
    return error.errorClass;
}

QChart* deliveriesChart(const HealthReport& report, const QStringList& labels, bool dark, std::array<QBarSet*, 4>& sets)
{
    const bool hourly = report.query.bucketMs < 2 * 3600LL * 1000;
    QChart* chart = newChart(hourly ? Tr::tr("Deliveries per hour") : Tr::tr("Deliveries per 6 hours"), dark);
    auto* bars = new QStackedBarSeries;
    bars->setBarWidth(0.8);
    for (DeliveryStatus status : kStackOrder) {
        auto* set = new QBarSet(DeliveryLogModel::statusText(status));
        for (const HealthBucket& b : report.buckets)
            set->append(double(b.count(status)));
        set->setColor(DeliveryLogModel::statusColor(status));
        set->setBorderColor(DeliveryLogModel::statusColor(status));
        bars->append(set);
        sets[size_t(status)] = set;
    }
    auto* rate = new QLineSeries;
    rate->setName(Tr::tr("Success rate"));
    for (int i = 0; i < report.buckets.size(); ++i) {
        if (const auto r = report.buckets[i].successRate())
            rate->append(i, *r * 100.0);
    }
    chart->addSeries(bars);
    chart->addSeries(rate);

    QBarCategoryAxis* x = categoryAxis(labels, axisTitle(report.query));
    qint64 max = 0;
    for (const HealthBucket& b : report.buckets)
        max = std::max(max, b.total());
    QValueAxis* y = countAxis(max, Tr::tr("Deliveries"));
    auto* percent = new QValueAxis;
    percent->setRange(0, 100);
    percent->setTickCount(5);
    percent->setLabelFormat(QStringLiteral("%d%"));
    percent->setTitleText(Tr::tr("Success rate"));
    percent->setGridLineVisible(false);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(percent, Qt::AlignRight);
    bars->attachAxis(x);
    bars->attachAxis(y);
    rate->attachAxis(percent);
    if (hourly) {
        rate->attachAxis(x);
    } else {
        // A category label may not be wider than its bar, and a day name is: the bars keep their axis
        // hidden, and a second axis over the same positions names the days.
        x->setVisible(false);
        QCategoryAxis* days = sparseAxis(labels, 0, axisTitle(report.query));
        chart->addAxis(days, Qt::AlignBottom);
        rate->attachAxis(days);
    }

    // Colours after the series joined the chart: the theme would otherwise repaint them.
    rate->setPen(QPen(QColor(kRateColor[dark ? 1 : 0]), 2));
    rate->setPointsVisible(true);
    return chart;
}

QChart* latencyChart(const HealthReport& report, const QStringList& labels, bool dark)
{
    const bool hourly = report.query.bucketMs < 2 * 3600LL * 1000;
    QChart* chart = newChart(Tr::tr("Latency"), dark);
    auto* p50 = new QLineSeries;
    p50->setName(Tr::tr("p50 (median)"));
    auto* p95 = new QLineSeries;
    p95->setName(Tr::tr("p95"));
    double low = 1e12;
    double high = 0;
    for (int i = 0; i < report.buckets.size(); ++i) {
        const LatencyHistogram& h = report.buckets[i].latency;
        for (auto [series, p] : {std::pair{p50, 0.5}, std::pair{p95, 0.95}}) {
            if (const auto v = h.percentile(p)) {
                const double value = std::max(1.0, *v); // a log axis has no 0
                series->append(i, value);
                low = std::min(low, value);
                high = std::max(high, value);
            }
        }
    }
    chart->addSeries(p50);
    chart->addSeries(p95);
    QCategoryAxis* x = sparseAxis(labels, hourly ? 3 : 0, axisTitle(report.query));
    auto* y = new QLogValueAxis;
    y->setBase(10);
    if (high <= 0) {
        low = 10;
        high = 1000;
    }
    y->setRange(std::pow(10.0, std::floor(std::log10(low))), std::pow(10.0, std::ceil(std::log10(high * 1.01))));
    y->setLabelFormat(QStringLiteral("%g"));
    y->setMinorTickCount(0);
    y->setTitleText(Tr::tr("ms (log scale)"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries* s : {p50, p95}) {
        s->attachAxis(x);
        s->attachAxis(y);
        s->setPointsVisible(true);
    }
    p50->setPen(QPen(QColor(kRateColor[dark ? 1 : 0]), 2.5));
    p95->setPen(QPen(QColor(kP95Color[dark ? 1 : 0]), 2.5, Qt::DashLine));
    return chart;
}

QChart* errorsChart(const HealthReport& report, bool dark)
{
    QChart* chart = newChart(Tr::tr("Most frequent errors"), dark);
    auto* set = new QBarSet(Tr::tr("Failed attempts"));
    QStringList names;
    qint64 max = 0;
    // Horizontal categories run bottom-up: add the least frequent first so the most frequent is on top.
    for (auto it = report.topErrors.crbegin(); it != report.topErrors.crend(); ++it) {
        set->append(double(it->count));
        names << errorLabel(*it);
        max = std::max(max, it->count);
    }
    set->setColor(DeliveryLogModel::statusColor(DeliveryStatus::Failed));
    set->setBorderColor(DeliveryLogModel::statusColor(DeliveryStatus::Failed));
    set->setLabelColor(dark ? Qt::black : Qt::white);
    auto* bars = new QHorizontalBarSeries;
    bars->append(set);
    bars->setLabelsVisible(true);
    bars->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
    bars->setLabelsFormat(QStringLiteral("@value"));
    // Few categories would make slabs: keep each bar about as thick as in a list of four.
    bars->setBarWidth(0.7 * std::min(1.0, double(names.size()) / 4.0));
    chart->addSeries(bars);
    auto* y = new QBarCategoryAxis;
    y->append(names);
    y->setGridLineVisible(false);
    QValueAxis* x = countAxis(max, Tr::tr("Failed attempts"));
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    bars->attachAxis(y);
    bars->attachAxis(x);
    chart->legend()->hide();
    return chart;
}

} // namespace outhook::ui::health
