// The Log History at scale, through the real widgets (offscreen), against a database made by
// outhook_historygen. Each step is timed from the user's action to the rows being in the view, with the
// model's own signals, 5 times; medians are printed, with the resident memory before and after.
// Usage: bench_loghistory DB
#include "log/DeliveryLogModel.h"
#include "log/LogHistoryView.h"
#include "storage/Database.h"
#include "storage/StorageWorker.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace outhook;

namespace {

qint64 statusKb(const char* field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field))).trimmed().split(' ').first().toLongLong();
    return -1;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Runs `action`, then turns the event loop until `done` holds; milliseconds, or -1 after 60 s.
double timeUntil(const std::function<void()>& action, const std::function<bool()>& done)
{
    QElapsedTimer t;
    t.start();
    action();
    while (!done()) {
        if (t.elapsed() > 60000)
            return -1;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char* argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_loghistory DB (made by outhook_historygen)\n");
        return 2;
    }
    const qint64 rssBefore = statusKb("VmRSS:");
    const auto db = Database::open(*DatabaseUrl::parse(QString::fromLocal8Bit(argv[1])));
    if (!db) {
        std::fprintf(stderr, "%s\n", qPrintable(db.error().message));
        return 5;
    }
    SystemClock clock;
    StorageWorker storage(*db, clock);

    std::vector<double> open, end, byWebhook, byOutcome, byTime, expand;
    qint64 deliveries = 0;
    int rowsWhenIdle = 0;
    int rowsAfterEnd = 0;
    for (int run = 0; run < 5; ++run) {
        std::unique_ptr<ui::LogHistoryView> view;
        open.push_back(timeUntil(
            [&] {
                view = std::make_unique<ui::LogHistoryView>(&storage);
                view->resize(1200, 800);
                view->show();
            },
            [&] { return view->model()->rowCount() > 0; }));
        QTreeView* tree = view->tree();
        ui::DeliveryLogModel* model = view->model();
        // An idle view must not keep paging in the background.
        QTest::qWait(500);
        rowsWhenIdle = std::max(rowsWhenIdle, model->rowCount());

        // End: the view jumps to the last row it has, and the next page arrives below it.
        const int before = model->rowCount();
        end.push_back(timeUntil(
            [&] {
                tree->setFocus();
                tree->setCurrentIndex(model->index(0, 0));
                QTest::keyClick(tree, Qt::Key_End);
            },
            [&] { return model->rowCount() > before && !model->isLoading(); }));
        rowsAfterEnd = std::max(rowsAfterEnd, model->rowCount());

        // Expanding a delivery loads its attempts.
        const QModelIndex first = model->index(0, 0);
        expand.push_back(timeUntil([&] { tree->expand(first); }, [&] { return model->rowCount(first) > 0; }));

        const auto filtered = [&](const DeliveryFilter& f) {
            QSignalSpy loaded(model, &ui::DeliveryLogModel::pageLoaded);
            return timeUntil([&] { model->setFilter(f); }, [&] { return loaded.count() > 0; });
        };
        DeliveryFilter f;
        f.webhookId = 7;
        byWebhook.push_back(filtered(f));
        f = {};
        f.status = DeliveryStatus::Failed;
        byOutcome.push_back(filtered(f));
        f = {};
        f.sinceMs = clock.nowMs() - 15LL * 24 * 3600 * 1000;
        f.untilMs = *f.sinceMs + 3600 * 1000;
        byTime.push_back(filtered(f));
        if (run == 0) {
            QSqlQuery q((*db)->connection());
            if (q.exec(QStringLiteral("SELECT MAX(id) FROM deliveries")) && q.next())
                deliveries = q.value(0).toLongLong();
        }
    }
    const qint64 rssAfter = statusKb("VmRSS:");
    std::printf("loghistory deliveries %lld first_page_ms %.1f end_ms %.1f filter_webhook_ms %.1f "
                "filter_outcome_ms %.1f filter_time_ms %.1f expand_ms %.1f rss_before_mb %.1f rss_after_mb %.1f "
                "rss_peak_mb %.1f rows_idle %d rows_after_end %d\n",
                deliveries, median(open), median(end), median(byWebhook), median(byOutcome), median(byTime),
                median(expand), double(rssBefore) / 1024, double(rssAfter) / 1024, double(statusKb("VmHWM:")) / 1024,
                rowsWhenIdle, rowsAfterEnd);
    return 0;
}
