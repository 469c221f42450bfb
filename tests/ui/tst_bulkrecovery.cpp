#include "events/Emitter.h"
#include "log/DeliveryLogModel.h"
#include "log/LogHistoryView.h"
#include "storage/StorageWorker.h"
#include "storage/WebhookStore.h"
#include "tasks/DeliveryTasks.h"
#include "tasks/TaskProgressDialog.h"
#include "widgets/FileDialog.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace outhook;
using namespace Qt::StringLiterals;
using ui::TaskOutcome;
using ui::TaskProgressDialog;

// Bulk resend and export from the Log History, on a real SQLite file: the work runs on a thread of its
// own with a progress dialog whose Cancel button is clicked like a user would. A second connection
// holding the write lock makes the first batch wait, so the test cancels "halfway" deterministically.
class TestBulkRecovery : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_path;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<StorageWorker> m_worker;

    qint64 scalar(const QString& sql)
    {
        QSqlQuery q(m_db->connection());
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }

    void seedFailed(int n)
    {
        for (int i = 0; i < n; ++i)
            QVERIFY(m_emitter->emit(u"invoice.paid"_s, QJsonObject{{u"n"_s, i}}));
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(u"UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, attempt_count = 3"_s));
        m_clock.advance(1000); // so a requeue's updated_at tells changed rows from untouched ones
    }

    std::unique_ptr<ui::LogHistoryView> shownViewWithAllRows(int rows)
    {
        auto view = std::make_unique<ui::LogHistoryView>(m_worker.get());
        view->resize(1100, 700);
        view->show();
        if (!QTest::qWaitForWindowExposed(view.get()))
            return {};
        ui::DeliveryLogModel* model = view->model();
        QElapsedTimer t;
        t.start();
        while (model->rowCount() < rows && t.elapsed() < 10000) {
            if (model->canFetchMore({}))
                model->fetchMore({});
            QTest::qWait(10);
        }
        return view;
    }

private Q_SLOTS:
    void init()
    {
        static int n = 0;
        m_path = m_dir.filePath(u"bulk%1.db"_s.arg(++n));
        auto db = Database::open(*DatabaseUrl::parse(m_path));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        Webhook w;
        w.name = u"billing"_s;
        w.url = u"https://billing.example.com/hooks/outhook"_s;
        w.events = {u"invoice.paid"_s};
        w.isActive = true;
        QVERIFY(m_store->create(w));
        m_worker = std::make_unique<StorageWorker>(m_db, m_clock);
    }
    void cleanup()
    {
        m_worker.reset();
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void cancelResendOfSelectedRowsHalfway()
    {
        constexpr int kRows = 250; // two batches of BulkRequeue::kBatchSize (200)
        seedFailed(kRows);
        auto view = shownViewWithAllRows(kRows);
        QVERIFY(view);
        QCOMPARE(view->model()->rowCount(), kRows);
        view->tree()->setFocus();
        QTest::keyClick(view->tree(), Qt::Key_A, Qt::ControlModifier); // select all
        QCOMPARE(view->selectedDeliveryIds().size(), kRows);
        QCOMPARE(view->resendAction()->text(), u"&Resend 250 Selected"_s);

        // Another writer holds the lock: the task's first batch waits for it (busy timeout).
        QSqlDatabase locker = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"locker"_s);
        locker.setDatabaseName(m_path);
        QVERIFY(locker.open());
        QSqlQuery lock(locker);
        QVERIFY(lock.exec(u"BEGIN IMMEDIATE"_s));

        view->resendAction()->trigger();
        QPointer<TaskProgressDialog> dialog = view->taskDialog();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QTRY_COMPARE(dialog->countText(), u"Requeued 0 of 250 deliveries"_s);
        // The window is not frozen while the task waits: the tree still takes clicks.
        QTest::mouseClick(view->tree()->viewport(), Qt::LeftButton, Qt::ControlModifier,
                          view->tree()->visualRect(view->model()->index(0, 0)).center());
        QCOMPARE(view->selectedDeliveryIds().size(), kRows - 1);

        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QVERIFY(!dialog->cancelButton()->isEnabled());
        QCOMPARE(dialog->countText(), u"Cancelling after the current batch…"_s);
        QVERIFY(!dialog->isFinished());

        QVERIFY(lock.exec(u"ROLLBACK"_s)); // the batch in progress now completes, then the task stops
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isFinished(), 10000);
        const TaskOutcome outcome = dialog->outcome();
        QCOMPARE(outcome.state, TaskOutcome::State::Cancelled);
        QCOMPARE(outcome.done, 200);
        QCOMPARE(outcome.total, kRows);
        QCOMPARE(dialog->countText(), u"Requeued 200 deliveries. Cancelled: the other 50 were left as they were."_s);
        QCOMPARE(dialog->cancelButton()->text(), u"Close"_s);
        QCOMPARE(dialog->progressBar()->value(), 800);

        // Exactly the reported count changed, completely; the rest is untouched.
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM deliveries WHERE next_trigger = 'manual' AND next_attempt_at = %1 "
                        "AND updated_at = %1"_s.arg(m_clock.nowMs())),
                 200);
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM deliveries WHERE next_trigger = 'scheduled' AND next_attempt_at IS NULL "
                        "AND updated_at < %1"_s.arg(m_clock.nowMs())),
                 50);

        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton); // Close
        QTRY_VERIFY(!dialog);
        lock = QSqlQuery();
        locker.close();
        locker = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"locker"_s);
    }

    void resendRunsToTheEnd()
    {
        seedFailed(5);
        auto view = shownViewWithAllRows(5);
        QVERIFY(view);
        view->tree()->selectAll();
        QSignalSpy requeued(view.get(), &ui::LogHistoryView::deliveriesRequeued);
        view->resendAction()->trigger();
        QPointer<TaskProgressDialog> dialog = view->taskDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isFinished());
        QCOMPARE(dialog->outcome().state, TaskOutcome::State::Done);
        QCOMPARE(dialog->countText(), u"Requeued 5 deliveries."_s);
        QCOMPARE(requeued.count(), 1);
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM deliveries WHERE next_trigger = 'manual'"_s), 5);
        QTest::keyClick(dialog, Qt::Key_Escape); // Esc after the end closes
        QTRY_VERIFY(!dialog);
    }

    void exportSelectedRowsAsCsv()
    {
        seedFailed(4);
        auto view = shownViewWithAllRows(4);
        QVERIFY(view);
        QItemSelectionModel* selection = view->tree()->selectionModel();
        for (int row : {0, 2})
            selection->select(view->model()->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        const QString path = m_dir.filePath(u"picked"_s); // no suffix: the chosen filter (HAR) adds one
        ui::FileDialog::setNextSaveFileName(path);
        view->exportAction()->trigger();
        QPointer<TaskProgressDialog> dialog = view->taskDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isFinished());
        QCOMPARE(dialog->outcome().state, TaskOutcome::State::Done);
        QCOMPARE(dialog->countText(), u"Exported 2 deliveries to picked.har"_s);
        QFile file(path + u".har"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonDocument har = QJsonDocument::fromJson(file.readAll());
        QCOMPARE(har[u"log"_s][u"version"_s].toString(), u"1.2"_s);
        QCOMPARE(har[u"log"_s][u"entries"_s].toArray().size(), 0); // failed by SQL here: no attempts

        // No selection: the current filter, here everything; CSV by the suffix.
        view->tree()->clearSelection();
        ui::FileDialog::setNextSaveFileName(m_dir.filePath(u"all.csv"_s));
        view->exportAction()->trigger();
        dialog = view->taskDialog();
        QTRY_VERIFY(dialog && dialog->isFinished());
        QFile csv(m_dir.filePath(u"all.csv"_s));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count("\r\n"), 5); // header + 4 deliveries
    }

    void cancelledExportLeavesNoFile()
    {
        seedFailed(3);
        const QString path = m_dir.filePath(u"cancelled.jsonl"_s);
        const auto job = ui::DeliveryTasks::exportDeliveries(m_db, path, ExportFormat::Jsonl, {}, {});
        const TaskOutcome o = job([](qint64, qint64) { return false; });
        QCOMPARE(o.state, TaskOutcome::State::Cancelled);
        QCOMPARE(o.message, u"Export cancelled; no file was written."_s);
        QVERIFY(!QFile::exists(path));
        const TaskOutcome done = job([](qint64, qint64) { return true; });
        QCOMPARE(done.state, TaskOutcome::State::Done);
        QVERIFY(QFile::exists(path));
    }

    void estimateWordsTheTimeLeft()
    {
        QCOMPARE(TaskProgressDialog::estimate(100, 1000, 5000), u"About 45 seconds left"_s);
        QCOMPARE(TaskProgressDialog::estimate(10, 1000, 10000), u"About 17 min left"_s);
        QCOMPARE(TaskProgressDialog::estimate(0, 1000, 10000), QString());
        QCOMPARE(TaskProgressDialog::estimate(1000, 1000, 10000), QString());
    }
};

QTEST_MAIN(TestBulkRecovery)
#include "tst_bulkrecovery.moc"
