#pragma once

#include "storage/DeliveryLog.h"
#include "storage/HealthStats.h"

#include <QPair>
#include <QTimer>
#include <QWidget>
#include <array>
#include <optional>

class QBarSet;
class QChartView;
class QComboBox;
class QLabel;
class QStackedWidget;
class QToolButton;

namespace outhook {
class Clock;
class StorageWorker;
} // namespace outhook

namespace outhook::ui {

// Delivery health for one webhook or all of them, over the last 24 hours or 7 days: deliveries per
// bucket stacked by outcome with the success rate, p50/p95 latency, and the most frequent errors.
// Reports load on the StorageWorker's thread; the window never waits. Clicking a bar asks for the Log
// History filtered to that bucket and outcome (filterRequested).
class HealthDashboard : public QWidget
{
    Q_OBJECT
public:
    // While visible, the report refreshes this often (and whenever it is shown after going stale).
    static constexpr int kRefreshMs = 60 * 1000;

    HealthDashboard(StorageWorker* storage, const Clock& clock, QWidget* parent = nullptr);

    // The webhook choices (id, name), after "All webhooks". Keeps the chosen one while it is offered.
    void setWebhooks(const QList<QPair<qint64, QString>>& webhooks);
    // Loads a fresh report for the chosen webhook and range.
    void reload();

    QComboBox* webhookCombo() const { return m_webhook; }
    QComboBox* rangeCombo() const { return m_range; }
    QChartView* deliveriesView() const { return m_deliveriesView; }
    QChartView* latencyView() const { return m_latencyView; }
    QChartView* errorsView() const { return m_errorsView; }
    // The bar set of one outcome in the deliveries chart; null before the first report.
    QBarSet* barSet(DeliveryStatus status) const { return m_sets[size_t(status)]; }
    const std::optional<HealthReport>& report() const { return m_report; }
    bool isLoading() const { return m_loading; }
    bool isShowingEmptyState() const;
    QString emptyStateText() const;
    QString summaryText() const;

    // The Log History filter a click on bucket `index` of `status` stands for.
    DeliveryFilter filterFor(int index, DeliveryStatus status) const;

Q_SIGNALS:
    void filterRequested(const outhook::DeliveryFilter& filter);
    void reportLoaded();

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    HealthQuery currentQuery() const;
    void showReport(const HealthReport& report);
    void showError(const QString& message);
    void rebuildCharts();
    void showTooltip(DeliveryStatus status, bool hovering, int index);
    bool isDark() const;

    StorageWorker* m_storage;
    const Clock& m_clock;
    QComboBox* m_webhook;
    QComboBox* m_range;
    QToolButton* m_refresh;
    QLabel* m_status;
    std::array<QLabel*, 5> m_tiles{};
    QStackedWidget* m_pages;
    QLabel* m_empty;
    QChartView* m_deliveriesView;
    QChartView* m_latencyView;
    QStackedWidget* m_errorsPages;
    QChartView* m_errorsView;
    QLabel* m_noErrors;
    std::array<QBarSet*, 4> m_sets{};
    std::optional<HealthReport> m_report;
    quint64 m_request = 0;
    bool m_loading = false;
    qint64 m_loadedAt = 0;
    QTimer m_autoRefresh;
};

} // namespace outhook::ui
