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

QString tr(const char* text)
{
    return QCoreApplication::translate("HealthDashboard", text);
}

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
// where a day starts) so a narrow chart stays readable.
QCategoryAxis* sparseAxis(const QStringList& labels, int step, const QString& title)
{
    auto* axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setStartValue(-0.5);
    for (int i = 0; i < labels.size(); ++i) {
        bool numeric = false;
        labels.at(i).toInt(&numeric);
        if (step > 0 ? i % step == 0 : !numeric)
            axis->append(labels.at(i), i);
    }
    axis->setRange(-0.5, labels.size() - 0.5);
    axis->setGridLineVisible(false);
    axis->setTitleText(title);
    return axis;
}

// A count axis with whole-number ticks: 0..max rounded up to a multiple of a tidy step.
QValueAxis* countAxis(qint64 max, const QString& title)
{
    auto* axis = new QValueAxis;
    qint64 step = 1;
    for (qint64 s : {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000}) {
        step = s;
        if (max <= s * 5)
            break;
    }
    while (max > step * 5)
        step *= 10;
    const qint64 top = std::max<qint64>(step, (max + step - 1) / step * step);
    axis->setRange(0, double(top));
    axis->setTickCount(int(top / step) + 1);
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
        QString label = start.toString(QStringLiteral("HH"));
        if (bucketHours > 1 && start.time().hour() < bucketHours)
            label = QLocale().toString(start, QStringLiteral("ddd"));
        // A category axis needs unique names; a repeated local hour (DST ending) gets an invisible suffix.
        while (seen.contains(label))
            label += QChar(0x200B);
        seen.insert(label);
        labels << label;
    }
    return labels;
}

QString axisTitle(const HealthQuery& query)
{
    return query.bucketMs < 2 * 3600LL * 1000 ? tr("Hour (local time)") : tr("Day and hour (local time)");
}

QString formatDuration(double ms)
{
    if (ms < 1000)
        return tr("%1 ms").arg(qRound(ms));
    if (ms < 60000)
        return tr("%1 s").arg(ms / 1000.0, 0, 'f', ms < 10000 ? 2 : 1);
    return tr("%1 min").arg(ms / 60000.0, 0, 'f', 1);
}

QString errorLabel(const ErrorClassCount& error)
{
    if (error.errorClass == QLatin1String("http_status") && error.statusCode)
        return tr("HTTP %1").arg(*error.statusCode);
    return error.errorClass;
}

QChart* deliveriesChart(const HealthReport& report, const QStringList& labels, bool dark, std::array<QBarSet*, 4>& sets)
{
    const bool hourly = report.query.bucketMs < 2 * 3600LL * 1000;
    QChart* chart = newChart(hourly ? tr("Deliveries per hour") : tr("Deliveries per 6 hours"), dark);
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
    rate->setName(tr("Success rate"));
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
    QValueAxis* y = countAxis(max, tr("Deliveries"));
    auto* percent = new QValueAxis;
    percent->setRange(0, 100);
    percent->setTickCount(y->tickCount());
    percent->setLabelFormat(QStringLiteral("%d%"));
    percent->setTitleText(tr("Success rate"));
    percent->setGridLineVisible(false);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(percent, Qt::AlignRight);
    bars->attachAxis(x);
    bars->attachAxis(y);
    rate->attachAxis(x);
    rate->attachAxis(percent);

    // Colours after the series joined the chart: the theme would otherwise repaint them.
    rate->setPen(QPen(QColor(kRateColor[dark ? 1 : 0]), 2));
    rate->setPointsVisible(true);
    return chart;
}

QChart* latencyChart(const HealthReport& report, const QStringList& labels, bool dark)
{
    const bool hourly = report.query.bucketMs < 2 * 3600LL * 1000;
    QChart* chart = newChart(tr("Latency"), dark);
    auto* p50 = new QLineSeries;
    p50->setName(tr("p50 (median)"));
    auto* p95 = new QLineSeries;
    p95->setName(tr("p95"));
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
    y->setTitleText(tr("ms (log scale)"));
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
    QChart* chart = newChart(tr("Most frequent errors"), dark);
    auto* set = new QBarSet(tr("Failed attempts"));
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
    bars->setBarWidth(0.7);
    chart->addSeries(bars);
    auto* y = new QBarCategoryAxis;
    y->append(names);
    y->setGridLineVisible(false);
    QValueAxis* x = countAxis(max, tr("Failed attempts"));
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    bars->attachAxis(y);
    bars->attachAxis(x);
    chart->legend()->hide();
    return chart;
}

} // namespace outhook::ui::health
