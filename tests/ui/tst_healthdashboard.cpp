#include "MainWindow.h"

#include "events/Emitter.h"
#include "health/HealthCharts.h"
#include "health/HealthDashboard.h"
#include "log/DeliveryLogModel.h"
#include "log/LogFilterBar.h"
#include "log/LogHistoryView.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;

// The health dashboard inside the real main window, on a real SQLite file: what it shows, and that a
// click on a bar (a real mouse click on the chart view) filters the Log History to that bucket and outcome.
class TestHealthDashboard : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 30), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<StorageWorker> m_storage;
    std::unique_ptr<ui::MainWindow> m_window;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;

    static qint64 utc(int hour, int minute)
    {
        return QDateTime(QDate(2026, 11, 1), QTime(hour, minute), QTimeZone::utc()).toMSecsSinceEpoch();
    }

    qint64 addWebhook(WebhookStore& store, const QString& name)
    {
        Webhook w;
        w.name = name;
        w.url = QStringLiteral("https://%1.example.com/hook").arg(name);
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        const auto created = store.create(w);
        return created ? created->id : 0;
    }

    // 09:05: three events; alpha succeeds (3), beta fails for good (3).
    // 11:10: two events; all four deliveries succeed. 11:20: one event, never attempted (2 pending).
    void populate()
    {
        ManualClock clock(QDateTime::fromMSecsSinceEpoch(utc(9, 5), QTimeZone::utc()));
        EventCatalog catalog(m_db, clock);
        WebhookStore store(m_db, catalog, clock);
        Emitter emitter(m_db, catalog, clock);
        DeliveryQueue queue(m_db, clock, "test");
        m_alpha = addWebhook(store, QStringLiteral("alpha"));
        m_beta = addWebhook(store, QStringLiteral("beta"));
        const auto emitAndAttempt = [&](int events, bool betaFails) {
            for (int i = 0; i < events; ++i)
                QVERIFY(emitter.emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("i"), i}}));
            const auto claimed = queue.claim(100, 60000);
            QVERIFY(claimed);
            QList<AttemptResult> results;
            for (const ClaimedDelivery& c : *claimed) {
                const bool fail = betaFails && c.webhookId == m_beta;
                AttemptResult r;
                r.webhookId = c.webhookId;
                r.attempt.deliveryId = c.id;
                r.attempt.number = 1;
                r.attempt.startedAt = clock.nowMs();
                r.attempt.durationMs = fail ? 900 : 120;
                r.attempt.requestUrl = QStringLiteral("https://x.example.com/");
                r.attempt.statusCode = fail ? 500 : 200;
                r.attempt.errorClass = fail ? QStringLiteral("http_status") : QString();
                r.outcome.status = fail ? DeliveryStatus::Failed : DeliveryStatus::Succeeded;
                r.outcome.errorClass = r.attempt.errorClass;
                results << r;
            }
            QVERIFY(queue.complete(results, 100LL * 24 * 3600 * 1000));
        };
        emitAndAttempt(3, true);
        clock.set(QDateTime::fromMSecsSinceEpoch(utc(11, 10), QTimeZone::utc()));
        emitAndAttempt(2, false);
        clock.set(QDateTime::fromMSecsSinceEpoch(utc(11, 20), QTimeZone::utc()));
        QVERIFY(emitter.emit(QStringLiteral("job.created"), QJsonObject()));
    }

    void openWindow()
    {
        ui::AppContext ctx;
        ctx.db = m_db;
        ctx.clock = &m_clock;
        ctx.storage = m_storage.get();
        ctx.databaseName = QStringLiteral("test.db");
        m_window = std::make_unique<ui::MainWindow>(ctx);
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_COMPARE(m_window->webhookPanel()->model()->rowCount(), m_alpha ? 2 : 0);
    }

    ui::HealthDashboard* openDashboard()
    {
        ui::HealthDashboard* dashboard = m_window->healthDashboard();
        QSignalSpy loaded(dashboard, &ui::HealthDashboard::reportLoaded);
        m_window->tabs()->setCurrentWidget(dashboard);
        if (!loaded.wait(10000))
            return nullptr;
        return dashboard;
    }

    static int bucketOf(const HealthReport& report, qint64 ms)
    {
        return int((ms - report.query.sinceMs) / report.query.bucketMs);
    }

    // Clicks the middle of the bar segment of `status` in bucket `index`, with the mouse, on the view.
    static void clickBar(ui::HealthDashboard* dashboard, int index, DeliveryStatus status)
    {
        QChartView* view = dashboard->deliveriesView();
        QChart* chart = view->chart();
        QAbstractSeries* bars = nullptr;
        for (QAbstractSeries* s : chart->series()) {
            if (qobject_cast<QStackedBarSeries*>(s))
                bars = s;
        }
        QVERIFY(bars);
        double below = 0;
        for (DeliveryStatus s : ui::health::kStackOrder) {
            if (s == status)
                break;
            below += dashboard->barSet(s)->at(index);
        }
        const double middle = below + dashboard->barSet(status)->at(index) / 2.0;
        const QPointF inChart = chart->mapToPosition(QPointF(index, middle), bars);
        const QPoint inView = view->mapFromScene(chart->mapToScene(inChart));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, inView);
    }

    ui::DeliveryLogModel* waitForLog()
    {
        ui::DeliveryLogModel* model = m_window->logView()->model();
        if (!QTest::qWaitFor([&] { return !model->isLoading(); }, 5000))
            return nullptr;
        QTest::qWait(50);
        if (!QTest::qWaitFor([&] { return !model->isLoading(); }, 5000))
            return nullptr;
        return model;
    }

private Q_SLOTS:
    void init()
    {
        static int n = 0;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("ui%1.db").arg(++n))));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_storage = std::make_unique<StorageWorker>(m_db, m_clock);
        m_alpha = m_beta = 0;
    }
    void cleanup()
    {
        m_window.reset();
        m_storage.reset();
        m_db.reset();
    }

    void showsCountsRateAndLatencyOffTheUiThread()
    {
        populate();
        openWindow();
        ui::HealthDashboard* dashboard = m_window->healthDashboard();
        QSignalSpy loaded(dashboard, &ui::HealthDashboard::reportLoaded);
        m_window->tabs()->setCurrentWidget(dashboard);
        QVERIFY(dashboard->isLoading()); // asked the storage thread; the window carries on meanwhile
        QVERIFY(loaded.wait(10000));
        QVERIFY(!dashboard->isShowingEmptyState());
        const HealthReport& report = *dashboard->report();
        QCOMPARE(report.query.buckets, 24);
        QVERIFY(report.query.untilMs() > m_clock.nowMs());
        const int nine = bucketOf(report, utc(9, 5));
        QCOMPARE(dashboard->barSet(DeliveryStatus::Succeeded)->at(nine), 3.0);
        QCOMPARE(dashboard->barSet(DeliveryStatus::Failed)->at(nine), 3.0);
        const int eleven = bucketOf(report, utc(11, 10));
        QCOMPARE(dashboard->barSet(DeliveryStatus::Succeeded)->at(eleven), 4.0);
        QCOMPARE(dashboard->barSet(DeliveryStatus::Pending)->at(eleven), 2.0);
        QCOMPARE(dashboard->barSet(DeliveryStatus::Succeeded)->count(), 24);
        QVERIFY(dashboard->summaryText().contains(QStringLiteral("12</span>")));     // deliveries
        QVERIFY(dashboard->summaryText().contains(QStringLiteral("70.0%</span>")));  // 7 of 10 tried
        QVERIFY(dashboard->summaryText().contains(QStringLiteral("120 ms</span>"))); // p50
        QCOMPARE(report.topErrors.size(), 1);
        QCOMPARE(ui::health::errorLabel(report.topErrors.first()), QStringLiteral("HTTP 500"));

        // The week view: 28 buckets of 6 hours.
        QSignalSpy reloaded(dashboard, &ui::HealthDashboard::reportLoaded);
        dashboard->rangeCombo()->setCurrentIndex(1);
        QVERIFY(reloaded.wait(10000));
        QCOMPARE(dashboard->report()->query.buckets, 28);
        QCOMPARE(dashboard->report()->query.bucketMs, 6 * 3600LL * 1000);
        QCOMPARE(dashboard->report()->totalDeliveries(), 12);
    }

    void clickingABarFiltersTheLogHistory()
    {
        populate();
        openWindow();
        ui::HealthDashboard* dashboard = openDashboard();
        QVERIFY(dashboard);
        const HealthReport report = *dashboard->report();
        const int nine = bucketOf(report, utc(9, 5));
        QSignalSpy requested(dashboard, &ui::HealthDashboard::filterRequested);
        clickBar(dashboard, nine, DeliveryStatus::Failed);
        QCOMPARE(requested.size(), 1);

        // The Log History is in front, its filter bar shows that hour and outcome, and it lists exactly the
        // three failed deliveries of that hour.
        QCOMPARE(m_window->tabs()->currentWidget(), m_window->logView());
        ui::LogFilterBar* bar = m_window->logView()->filterBar();
        QCOMPARE(bar->outcomeCombo()->currentData().toInt(), int(ui::LogFilterBar::Outcome::Failed));
        QCOMPARE(bar->rangeCombo()->currentData().toInt(), int(ui::LogFilterBar::Range::Custom));
        QVERIFY(bar->fromEdit()->isVisible());
        const DeliveryFilter f = bar->filter();
        QCOMPARE(f.status, std::optional<DeliveryStatus>(DeliveryStatus::Failed));
        QCOMPARE(f.sinceMs, std::optional<qint64>(report.query.bucketStart(nine)));
        QCOMPARE(f.untilMs, std::optional<qint64>(report.query.bucketStart(nine + 1)));
        QCOMPARE(f.webhookId, std::nullopt);
        ui::DeliveryLogModel* model = waitForLog();
        QVERIFY(model);
        QTRY_COMPARE(model->rowCount(), 3);
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto d = model->deliveryAt(model->index(row, 0));
            QVERIFY(d);
            QCOMPARE(d->status, DeliveryStatus::Failed);
            QCOMPARE(d->webhookId, m_beta);
            QVERIFY(d->createdAt >= *f.sinceMs && d->createdAt < *f.untilMs);
        }

        // One webhook's dashboard: the click carries the webhook into the filter too.
        QSignalSpy reloaded(dashboard, &ui::HealthDashboard::reportLoaded);
        m_window->tabs()->setCurrentWidget(dashboard);
        dashboard->webhookCombo()->setCurrentIndex(dashboard->webhookCombo()->findData(m_alpha));
        QTRY_VERIFY(!reloaded.isEmpty() && !dashboard->isLoading());
        QCOMPARE(dashboard->report()->query.webhookId, std::optional<qint64>(m_alpha));
        const int eleven = bucketOf(*dashboard->report(), utc(11, 10));
        QCOMPARE(dashboard->barSet(DeliveryStatus::Succeeded)->at(eleven), 2.0);
        clickBar(dashboard, eleven, DeliveryStatus::Succeeded);
        QCOMPARE(m_window->tabs()->currentWidget(), m_window->logView());
        QCOMPARE(bar->filter().webhookId, std::optional<qint64>(m_alpha));
        QCOMPARE(bar->webhookCombo()->currentData().toLongLong(), m_alpha);
        model = waitForLog();
        QVERIFY(model);
        QTRY_COMPARE(model->rowCount(), 2);
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto d = model->deliveryAt(model->index(row, 0));
            QCOMPARE(d->status, DeliveryStatus::Succeeded);
            QCOMPARE(d->webhookId, m_alpha);
        }
    }

    void labelsAreUniqueAndNameHoursOrDays()
    {
        const qint64 now = utc(12, 30);
        const int offset = QDateTime::fromMSecsSinceEpoch(now).toLocalTime().offsetFromUtc();
        const HealthQuery day = HealthQuery::ending(now, HealthQuery::Range::Day, offset);
        const QStringList hours = ui::health::bucketLabels(day);
        QCOMPARE(hours.size(), 24);
        QCOMPARE(QSet<QString>(hours.begin(), hours.end()).size(), 24);
        QCOMPARE(hours.last(), QDateTime::fromMSecsSinceEpoch(now).toLocalTime().toString(QStringLiteral("HH")));

        const HealthQuery week = HealthQuery::ending(now, HealthQuery::Range::Week, offset);
        const QStringList buckets = ui::health::bucketLabels(week);
        QCOMPARE(buckets.size(), 28);
        QCOMPARE(QSet<QString>(buckets.begin(), buckets.end()).size(), 28);
        int named = 0;
        for (int i = 0; i < buckets.size(); ++i) {
            const QDateTime start = QDateTime::fromMSecsSinceEpoch(week.bucketStart(i)).toLocalTime();
            const bool dayStarts = start.time().hour() < 6;
            QCOMPARE(!buckets[i].trimmed().remove(QChar(0x200B)).isEmpty(), dayStarts);
            named += dayStarts ? 1 : 0;
        }
        QCOMPARE(named, 7);
        QCOMPARE(ui::health::formatDuration(84), QStringLiteral("84 ms"));
        QCOMPARE(ui::health::formatDuration(1234), QStringLiteral("1.23 s"));
        QCOMPARE(ui::health::formatDuration(30000), QStringLiteral("30.0 s"));
    }

    void showsAnEmptyStateWithoutDeliveries()
    {
        openWindow();
        ui::HealthDashboard* dashboard = openDashboard();
        QVERIFY(dashboard);
        QVERIFY(dashboard->report()->isEmpty());
        QVERIFY(dashboard->isShowingEmptyState());
        QVERIFY2(dashboard->emptyStateText().startsWith(QStringLiteral("No deliveries in the last 24 hours")),
                 qPrintable(dashboard->emptyStateText()));
        QCOMPARE(dashboard->barSet(DeliveryStatus::Succeeded), nullptr);
    }
};

QTEST_MAIN(TestHealthDashboard)
#include "tst_healthdashboard.moc"
