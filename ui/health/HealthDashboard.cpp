#include "health/HealthDashboard.h"

#include "health/HealthCharts.h"
#include "log/DeliveryLogModel.h"
#include "storage/StorageWorker.h"

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>

namespace outhook::ui {

namespace {

enum Tile
{
    DeliveriesTile,
    SuccessTile,
    P50Tile,
    P95Tile,
    ErrorsTile
};

QChartView* newChartView(QWidget* parent)
{
    auto* view = new QChartView(parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setFrameShape(QFrame::NoFrame);
    view->setMinimumHeight(220);
    return view;
}

// Puts `chart` in `view` and frees the chart it showed before (a view does not).
void replaceChart(QChartView* view, QChart* chart)
{
    QChart* old = view->chart();
    view->setChart(chart);
    delete old;
}

QString timeRange(qint64 startMs, qint64 endMs)
{
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(startMs).toLocalTime();
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(endMs).toLocalTime();
    const QLocale locale;
    return locale.toString(start, QStringLiteral("ddd HH:mm")) + QStringLiteral("–") +
           locale.toString(end, QStringLiteral("HH:mm"));
}

} // namespace

HealthDashboard::HealthDashboard(StorageWorker* storage, const Clock& clock, QWidget* parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_clock(clock)
    , m_webhook(new QComboBox(this))
    , m_range(new QComboBox(this))
    , m_refresh(new QToolButton(this))
    , m_status(new QLabel(this))
    , m_pages(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_deliveriesView(newChartView(this))
    , m_latencyView(newChartView(this))
    , m_errorsPages(new QStackedWidget(this))
    , m_errorsView(newChartView(this))
    , m_noErrors(new QLabel(this))
{
    m_webhook->addItem(tr("All webhooks"));
    m_webhook->setAccessibleName(tr("Webhook"));
    m_webhook->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_webhook->setMinimumContentsLength(14);
    m_range->addItem(tr("Last 24 hours"), int(HealthQuery::Range::Day));
    m_range->addItem(tr("Last 7 days"), int(HealthQuery::Range::Week));
    m_range->setAccessibleName(tr("Time range"));
    m_refresh->setText(tr("Refresh"));
    m_refresh->setToolTip(tr("Load the numbers again (they also refresh every minute)"));
    m_status->setAccessibleName(tr("Dashboard status"));
    m_status->setForegroundRole(QPalette::PlaceholderText);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Webhook:"), this));
    controls->addWidget(m_webhook);
    controls->addSpacing(12);
    controls->addWidget(m_range);
    controls->addWidget(m_refresh);
    controls->addStretch(1);
    controls->addWidget(m_status);

    auto* tiles = new QHBoxLayout;
    const QStringList captions{tr("Deliveries"), tr("Success rate"), tr("Latency p50"), tr("Latency p95"),
                               tr("Failed attempts")};
    for (int i = 0; i < int(m_tiles.size()); ++i) {
        auto* tile = new QLabel(this);
        tile->setFrameShape(QFrame::StyledPanel);
        tile->setAlignment(Qt::AlignCenter);
        tile->setMinimumWidth(120);
        tile->setContentsMargins(8, 6, 8, 6);
        tile->setAccessibleName(captions.at(i));
        tile->setProperty("caption", captions.at(i));
        tiles->addWidget(tile, 1);
        m_tiles[size_t(i)] = tile;
    }

    m_noErrors->setText(tr("No failed attempts in this period."));
    m_noErrors->setAlignment(Qt::AlignCenter);
    m_noErrors->setForegroundRole(QPalette::PlaceholderText);
    m_errorsPages->addWidget(m_errorsView);
    m_errorsPages->addWidget(m_noErrors);

    auto* charts = new QWidget(this);
    auto* chartsLayout = new QVBoxLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->addWidget(m_deliveriesView, 3);
    auto* lower = new QHBoxLayout;
    lower->addWidget(m_latencyView, 3);
    lower->addWidget(m_errorsPages, 2);
    chartsLayout->addLayout(lower, 2);

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    QFont emptyFont = m_empty->font();
    emptyFont.setPointSizeF(emptyFont.pointSizeF() * 1.2);
    m_empty->setFont(emptyFont);
    m_pages->addWidget(charts);
    m_pages->addWidget(m_empty);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addLayout(controls);
    layout->addLayout(tiles);
    layout->addWidget(m_pages, 1);

    connect(m_webhook, &QComboBox::currentIndexChanged, this, &HealthDashboard::reload);
    connect(m_range, &QComboBox::currentIndexChanged, this, &HealthDashboard::reload);
    connect(m_refresh, &QToolButton::clicked, this, &HealthDashboard::reload);
    m_autoRefresh.setInterval(kRefreshMs);
    connect(&m_autoRefresh, &QTimer::timeout, this, [this] {
        if (isVisible())
            reload();
    });
    m_autoRefresh.start();
    m_empty->setText(tr("Loading…"));
    m_pages->setCurrentWidget(m_empty);
}

void HealthDashboard::setWebhooks(const QList<QPair<qint64, QString>>& webhooks)
{
    const QVariant current = m_webhook->currentData();
    {
        const QSignalBlocker block(m_webhook);
        m_webhook->clear();
        m_webhook->addItem(tr("All webhooks"));
        for (const auto& [id, name] : webhooks)
            m_webhook->addItem(name, id);
        const int i = current.isValid() ? m_webhook->findData(current) : 0;
        m_webhook->setCurrentIndex(std::max(i, 0));
    }
    if (current.isValid() && m_webhook->currentIndex() == 0)
        reload(); // the chosen webhook is gone: show all of them
}

HealthQuery HealthDashboard::currentQuery() const
{
    const qint64 now = m_clock.nowMs();
    std::optional<qint64> webhook;
    if (m_webhook->currentIndex() > 0)
        webhook = m_webhook->currentData().toLongLong();
    const int offset = QDateTime::fromMSecsSinceEpoch(now).toLocalTime().offsetFromUtc();
    return HealthQuery::ending(now, HealthQuery::Range(m_range->currentData().toInt()), offset, webhook);
}

void HealthDashboard::reload()
{
    const HealthQuery query = currentQuery();
    const quint64 request = ++m_request;
    m_loading = true;
    m_status->setText(tr("Loading…"));
    m_storage->run<Result<HealthReport>>(
        this, [query](StorageContext& c) { return HealthStats(c.db).load(query); },
        [this, request](Result<HealthReport> report) {
            if (request != m_request)
                return; // the user picked something else meanwhile: a newer answer is on its way
            m_loading = false;
            m_loadedAt = m_clock.nowMs();
            if (report)
                showReport(*report);
            else
                showError(report.error().message);
            Q_EMIT reportLoaded();
        });
}

void HealthDashboard::showReport(const HealthReport& report)
{
    m_report = report;
    m_status->setText(
        tr("Updated %1")
            .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(m_loadedAt).toLocalTime(), QLocale::ShortFormat)));
    const LatencyHistogram latency = report.latency();
    const auto percent = report.successRate();
    const auto p50 = latency.percentile(0.5);
    const auto p95 = latency.percentile(0.95);
    const QString none = tr("–");
    const QStringList values{QLocale().toString(report.totalDeliveries()),
                             percent ? tr("%1%").arg(*percent * 100.0, 0, 'f', 1) : none,
                             p50 ? health::formatDuration(*p50) : none, p95 ? health::formatDuration(*p95) : none,
                             QLocale().toString(report.failedAttempts)};
    for (size_t i = 0; i < m_tiles.size(); ++i) {
        m_tiles[i]->setText(
            QStringLiteral("<span style=\"font-size:large; font-weight:600\">%1</span><br>%2")
                .arg(values.at(int(i)).toHtmlEscaped(), m_tiles[i]->property("caption").toString().toHtmlEscaped()));
    }
    m_tiles[ErrorsTile]->setToolTip(tr("Attempts that failed, of any kind, in this period"));
    rebuildCharts();
}

void HealthDashboard::showError(const QString& message)
{
    m_report.reset();
    m_sets = {};
    m_status->setText(tr("Could not load"));
    m_empty->setText(tr("Could not load the delivery health: %1").arg(message));
    m_pages->setCurrentWidget(m_empty);
}

void HealthDashboard::rebuildCharts()
{
    m_sets = {};
    if (!m_report)
        return;
    const HealthReport& report = *m_report;
    if (report.isEmpty()) {
        const bool week = report.query.bucketMs > 3600LL * 1000;
        const QString period = week ? tr("the last 7 days") : tr("the last 24 hours");
        m_empty->setText(m_webhook->currentIndex() > 0
                             ? tr("No deliveries for %1 in %2.").arg(m_webhook->currentText(), period)
                             : tr("No deliveries in %1.\nEmit an event or send a test to see the health "
                                  "of your webhooks here.")
                                   .arg(period));
        m_pages->setCurrentWidget(m_empty);
        replaceChart(m_deliveriesView, new QChart);
        return;
    }
    const bool dark = isDark();
    const QStringList labels = health::bucketLabels(report.query);
    std::array<QBarSet*, 4> sets{};
    replaceChart(m_deliveriesView, health::deliveriesChart(report, labels, dark, sets));
    m_sets = sets;
    for (DeliveryStatus status : health::kStackOrder) {
        QBarSet* set = m_sets[size_t(status)];
        connect(set, &QBarSet::clicked, this,
                [this, status](int index) { Q_EMIT filterRequested(filterFor(index, status)); });
        connect(set, &QBarSet::hovered, this,
                [this, status](bool hovering, int index) { showTooltip(status, hovering, index); });
    }
    m_deliveriesView->setCursor(Qt::PointingHandCursor);
    replaceChart(m_latencyView, health::latencyChart(report, labels, dark));
    replaceChart(m_errorsView, health::errorsChart(report, dark));
    m_errorsPages->setCurrentWidget(report.topErrors.isEmpty() ? static_cast<QWidget*>(m_noErrors) : m_errorsView);
    m_pages->setCurrentIndex(0);
}

void HealthDashboard::showTooltip(DeliveryStatus status, bool hovering, int index)
{
    if (!hovering || !m_report || index < 0 || index >= m_report->buckets.size()) {
        QToolTip::hideText();
        return;
    }
    const HealthBucket& b = m_report->buckets[index];
    const qint64 end = b.startMs + m_report->query.bucketMs;
    QString text = QStringLiteral("<b>%1</b><br>").arg(timeRange(b.startMs, end).toHtmlEscaped());
    for (DeliveryStatus s : health::kStackOrder) {
        const QString line = QStringLiteral("%1: %2").arg(DeliveryLogModel::statusText(s)).arg(b.count(s));
        text += (s == status ? QStringLiteral("<b>%1</b>") : QStringLiteral("%1")).arg(line.toHtmlEscaped()) +
                QStringLiteral("<br>");
    }
    if (const auto rate = b.successRate())
        text += tr("Success rate: %1%").arg(*rate * 100.0, 0, 'f', 1) + QStringLiteral("<br>");
    text += tr("<i>Click to see these deliveries in the Log History</i>");
    QToolTip::showText(QCursor::pos(), text, m_deliveriesView);
}

DeliveryFilter HealthDashboard::filterFor(int index, DeliveryStatus status) const
{
    DeliveryFilter f;
    if (!m_report || index < 0 || index >= m_report->buckets.size())
        return f;
    f.webhookId = m_report->query.webhookId;
    f.status = status;
    f.sinceMs = m_report->query.bucketStart(index);
    f.untilMs = m_report->query.bucketStart(index + 1);
    return f;
}

bool HealthDashboard::isShowingEmptyState() const
{
    return m_pages->currentWidget() == m_empty;
}

QString HealthDashboard::emptyStateText() const
{
    return m_empty->text();
}

QString HealthDashboard::summaryText() const
{
    QStringList parts;
    for (const QLabel* tile : m_tiles)
        parts << tile->text();
    return parts.join(QLatin1Char('\n'));
}

void HealthDashboard::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_loading && (!m_report || m_clock.nowMs() - m_loadedAt >= kRefreshMs))
        reload();
}

void HealthDashboard::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuildCharts(); // follow a switch between light and dark
}

bool HealthDashboard::isDark() const
{
    return palette().color(QPalette::Base).lightness() < 128;
}

} // namespace outhook::ui
