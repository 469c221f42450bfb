#include "delivery/CurlCommand.h"
#include "events/Emitter.h"
#include "log/AttemptDetailView.h"
#include "log/DeliveryLogModel.h"
#include "log/LogFilterBar.h"
#include "log/LogHistoryView.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/StorageWorker.h"
#include "storage/WebhookStore.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace outhook;
using namespace Qt::StringLiterals;
using ui::DeliveryLogModel;
using ui::LogFilterBar;
using Log = ui::DeliveryLogModel;

// The Log History against a real SQLite file: deliveries made by Emitter, attempts written the way the
// engine writes them (claim + complete), no network. Views are real widgets clicked with the mouse.
class TestDeliveryLog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<DeliveryQueue> m_queue;
    std::unique_ptr<StorageWorker> m_worker;
    Webhook m_webhook;
    // The seeded deliveries: 500 then 200; a timeout that gave up; one never attempted.
    qint64 m_retried = 0, m_failed = 0, m_pending = 0;
    qint64 m_attempt500 = 0;
    static constexpr qint64 kDisableAfter = 5LL * 24 * 3600 * 1000;

    qint64 emitEvent(const QString& type = u"invoice.paid"_s)
    {
        const auto r = m_emitter->emit(type, QJsonObject{{u"invoice"_s, u"INV-7"_s}});
        return r && !r->deliveryIds.isEmpty() ? r->deliveryIds.first() : 0;
    }

    // Claims what is due and records an attempt for `target` (default: the newest due), as the engine
    // would; the rest is handed back untouched. Returns the attempt's id.
    qint64 recordAttempt(std::optional<int> status, AttemptOutcome outcome, QByteArray body = {},
                         RawHeaders responseHeaders = {}, qint64 durationMs = 120, qint64 target = 0)
    {
        const auto claimed = m_queue->claim(100, 20000);
        if (!claimed || claimed->isEmpty())
            return 0;
        ClaimedDelivery c = claimed->first();
        QList<qint64> others;
        for (const ClaimedDelivery& each : *claimed) {
            if (target ? each.id == target : each.id > c.id)
                c = each;
        }
        for (const ClaimedDelivery& each : *claimed) {
            if (each.id != c.id)
                others << each.id;
        }
        AttemptResult r{c.webhookId, {}, std::move(outcome), c.status, c.createdAt};
        Attempt& a = r.attempt;
        a.deliveryId = c.id;
        a.number = c.attemptCount + 1;
        a.trigger = c.trigger;
        a.startedAt = m_clock.nowMs();
        a.durationMs = durationMs;
        a.requestUrl = m_webhook.url;
        a.requestHeaders = {{"content-type", "application/json"},
                            {"webhook-id", c.msgId},
                            {"webhook-timestamp", QByteArray::number(m_clock.nowMs() / 1000)},
                            {"authorization", "Bearer [redacted]"}};
        a.statusCode = status;
        a.responseHeaders = std::move(responseHeaders);
        a.responseBody = body;
        a.responseBodySize = body.size();
        a.errorClass = r.outcome.errorClass;
        a.error = r.outcome.error;
        a.remoteAddress = u"203.0.113.7"_s;
        if (!m_queue->release(others) || !m_queue->complete({r}, kDisableAfter))
            return 0;
        const auto attempts = DeliveryLog(m_db).attempts(c.id);
        return attempts && !attempts->isEmpty() ? attempts->last().id : 0;
    }

    static AttemptOutcome retrying(qint64 at, int code)
    {
        return {DeliveryStatus::Retrying, at, u"http_status"_s, u"Endpoint answered HTTP %1"_s.arg(code), {}};
    }
    static AttemptOutcome succeeded() { return {DeliveryStatus::Succeeded, std::nullopt, {}, {}, {}}; }
    static AttemptOutcome failed(const QString& errorClass, const QString& error)
    {
        return {DeliveryStatus::Failed, std::nullopt, errorClass, error, {}};
    }

    void seedThree()
    {
        m_retried = emitEvent();
        m_attempt500 = recordAttempt(500, retrying(m_clock.nowMs() + 60000, 500), R"({"error":"boom"})",
                                     {{"Content-Type", "application/json"}, {"X-Request-Id", "r-1"}});
        m_clock.advance(60000);
        recordAttempt(200, succeeded(), R"({"ok":true})", {{"Content-Type", "application/json"}}, 80);
        m_failed = emitEvent(u"job.created"_s);
        recordAttempt(std::nullopt, failed(u"timeout"_s, u"Operation timed out after 30000 milliseconds"_s), {}, {},
                      30000);
        m_pending = emitEvent(u"job.created"_s);
    }

    static QString formatted(qint64 ms)
    {
        return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
    }

    // Every column's text of one row, as the view would paint it.
    static QStringList rowTexts(const QAbstractItemModel& model, int row, const QModelIndex& parent = {})
    {
        QStringList texts;
        for (int column = 0; column < model.columnCount(parent); ++column)
            texts << model.index(row, column, parent).data().toString();
        return texts;
    }
    static qint64 idAt(const QAbstractItemModel& model, int row)
    {
        return model.index(row, 0).data(Log::DeliveryIdRole).toLongLong();
    }
    static qint64 selectedAttempt(QTreeView* tree)
    {
        return tree->selectionModel()->selectedRows().value(0).data(Log::AttemptIdRole).toLongLong();
    }

    std::unique_ptr<ui::LogHistoryView> shownView()
    {
        auto view = std::make_unique<ui::LogHistoryView>(m_worker.get());
        view->resize(1100, 700);
        view->show();
        if (!QTest::qWaitForWindowExposed(view.get()))
            return {};
        return view;
    }

    // Clicks a row the way a user would: scrolled into view, then the centre of its cell.
    static void click(QTreeView* tree, const QModelIndex& index)
    {
        tree->scrollTo(index);
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(index).center());
    }

    static void clickExpandArrow(QTreeView* tree, const QModelIndex& index)
    {
        tree->scrollTo(index);
        const QRect r = tree->visualRect(index.siblingAtColumn(0));
        // The branch arrow sits in the indentation left of column 0's cell.
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                          QPoint(r.left() - tree->indentation() / 2, r.center().y()));
    }

    static QString headerValue(QAbstractItemModel* headers, const QString& name)
    {
        for (int row = 0; row < headers->rowCount(); ++row) {
            if (headers->index(row, 0).data().toString() == name)
                return headers->index(row, 1).data().toString();
        }
        return {};
    }

private Q_SLOTS:
    void init()
    {
        static int n = 0;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(u"log%1.db"_s.arg(++n))));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        m_queue = std::make_unique<DeliveryQueue>(m_db, m_clock, "test-engine");
        Webhook w;
        w.name = u"billing"_s;
        w.url = u"https://billing.example.com/hooks/outhook"_s;
        w.events = {u"invoice.paid"_s, u"job.created"_s};
        w.isActive = true;
        w.retrySchedule = RetrySchedule({60});
        const auto created = m_store->create(w);
        QVERIFY(created);
        m_webhook = *created;
        m_worker = std::make_unique<StorageWorker>(m_db, m_clock);
    }
    void cleanup()
    {
        m_worker.reset(); // joins the storage thread before the database goes
        m_queue.reset();
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void modelShowsDeliveriesUnderTheTester()
    {
        seedThree();
        DeliveryLogModel model(m_worker.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy pages(&model, &DeliveryLogModel::pageLoaded);
        model.setFilter({});
        QVERIFY(model.isLoading());
        QTRY_COMPARE(model.rowCount(), 3);
        QVERIFY(!model.isLoading());
        QCOMPARE(pages.count(), 1);
        QVERIFY(!model.canFetchMore({})); // a short first page is the last one
        QCOMPARE(model.headerData(Log::UrlColumn, Qt::Horizontal, Qt::DisplayRole).toString(), u"Webhook URL"_s);

        // Newest first; ID, Date/Time, Event, Webhook URL, Response, Attempts, Status.
        const QString now = formatted(m_clock.nowMs()), url = m_webhook.url;
        QCOMPARE(rowTexts(model, 0), QStringList({QString::number(m_pending), now, u"job.created"_s, url, u"pending"_s,
                                                  u"0"_s, u"Pending"_s}));
        QCOMPARE(rowTexts(model, 1), QStringList({QString::number(m_failed), now, u"job.created"_s, url, u"timeout"_s,
                                                  u"1"_s, u"Failed"_s}));
        QCOMPARE(rowTexts(model, 2), QStringList({QString::number(m_retried), formatted(m_clock.nowMs() - 60000),
                                                  u"invoice.paid"_s, url, u"200"_s, u"2"_s, u"Succeeded"_s}));

        const QModelIndex failedStatus = model.index(1, Log::StatusColumn);
        QCOMPARE(failedStatus.data(Log::StatusRole).toInt(), int(DeliveryStatus::Failed));
        QCOMPARE(failedStatus.data(Log::DeliveryIdRole).toLongLong(), m_failed);
        QCOMPARE(failedStatus.data(Log::IsAttemptRole).toBool(), false);
        const QColor red = failedStatus.data(Qt::ForegroundRole).value<QColor>();
        const QColor green = model.index(2, Log::StatusColumn).data(Qt::ForegroundRole).value<QColor>();
        QVERIFY(red.red() > red.green() && red.red() > red.blue());
        QVERIFY(green.green() > green.red() && green.green() > green.blue());
        QVERIFY(!failedStatus.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(model.index(1, Log::ResponseColumn).data(Qt::ToolTipRole).toString().contains(u"timeout"_s));
        QVERIFY(model.hasChildren(model.index(2, 0)));
        QVERIFY(!model.hasChildren(model.index(0, 0))); // never attempted: no arrow
        QVERIFY(!model.hasChildren(model.index(2, 1))); // only column 0 has children

        // The tester walks the tree and fetches attempts; they arrive as children.
        QTRY_COMPARE(model.rowCount(model.index(2, 0)), 2);
        QTRY_COMPARE(model.rowCount(model.index(1, 0)), 1);
        const QString timeout = u"timeout: Operation timed out after 30000 milliseconds"_s;
        QCOMPARE(rowTexts(model, 0, model.index(1, 0)),
                 QStringList({u"Attempt 1"_s, now, u"no response"_s, u"30000 ms"_s, timeout, u"Scheduled"_s, {}}));
        QCOMPARE(model.index(0, Log::AttemptStatusCodeColumn, model.index(1, 0)).data(Qt::ToolTipRole).toString(),
                 timeout);

        // A live insert at the top, still under the tester's eye.
        const qint64 newest = emitEvent();
        model.refresh({newest});
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(idAt(model, 0), newest);
    }

    void attemptsLoadWhenAsked()
    {
        seedThree();
        DeliveryLogModel model(m_worker.get());
        model.setFilter({});
        QTRY_COMPARE(model.rowCount(), 3);
        const QModelIndex retried = model.indexOfDelivery(m_retried);
        QCOMPARE(retried.row(), 2);
        QVERIFY(model.hasChildren(retried));
        QCOMPARE(model.rowCount(retried), 0); // nothing read before it is expanded
        QVERIFY(model.canFetchMore(retried));
        QVERIFY(!model.canFetchMore(model.indexOfDelivery(m_pending)));

        model.fetchMore(retried);
        QVERIFY(!model.canFetchMore(retried)); // one request at a time
        QTRY_COMPARE(model.rowCount(retried), 2);
        QVERIFY(!model.canFetchMore(retried));

        // Attempt number, Date/Time, Status code, Duration, Error, Trigger.
        QCOMPARE(rowTexts(model, 0, retried), QStringList({u"Attempt 1"_s,
                                                           formatted(m_clock.nowMs() - 60000),
                                                           u"500"_s,
                                                           u"120 ms"_s,
                                                           u"http_status: Endpoint answered HTTP 500"_s,
                                                           u"Scheduled"_s,
                                                           {}}));
        QCOMPARE(
            rowTexts(model, 1, retried),
            QStringList({u"Attempt 2"_s, formatted(m_clock.nowMs()), u"200"_s, u"80 ms"_s, {}, u"Scheduled"_s, {}}));
        const QModelIndex first = model.index(0, 0, retried);
        QCOMPARE(model.parent(first), retried);
        QCOMPARE(first.data(Log::IsAttemptRole).toBool(), true);
        QCOMPARE(first.data(Log::AttemptIdRole).toLongLong(), m_attempt500);
        QCOMPARE(first.data(Log::DeliveryIdRole).toLongLong(), m_retried);
        QCOMPARE(first.data(Log::StatusRole).toInt(), int(DeliveryStatus::Failed));
        QCOMPARE(model.index(1, 0, retried).data(Log::StatusRole).toInt(), int(DeliveryStatus::Succeeded));
        QCOMPARE(model.attemptAt(first)->responseBody, QByteArray(R"({"error":"boom"})"));
        QVERIFY(!model.deliveryAt(first));
        QCOMPARE(model.deliveryAt(retried)->attemptCount, 2);
        QVERIFY(model.flags(first).testFlag(Qt::ItemNeverHasChildren));
    }

    void pagesInTwoHundredAtATime()
    {
        for (int i = 0; i < 450; ++i)
            QVERIFY(emitEvent(u"job.created"_s) > 0);
        DeliveryLogModel model(m_worker.get());
        QSignalSpy loading(&model, &DeliveryLogModel::loadingChanged);
        model.setFilter({});
        QTRY_COMPARE(model.rowCount(), 200);
        QCOMPARE(loading.count(), 2);
        QCOMPARE(loading.at(0).at(0).toBool(), true);
        QCOMPARE(loading.at(1).at(0).toBool(), false);
        QVERIFY(model.canFetchMore({}));

        model.fetchMore({});
        QVERIFY(!model.canFetchMore({}));
        model.fetchMore({}); // already loading: not a second request
        QTRY_COMPARE(model.rowCount(), 400);
        QTest::qWait(100);
        QCOMPARE(model.rowCount(), 400);
        QVERIFY(model.canFetchMore({}));

        model.fetchMore({});
        QTRY_COMPARE(model.rowCount(), 450);
        QTRY_VERIFY(!model.isLoading());
        QVERIFY(!model.canFetchMore({}));

        // Keyset pages join without gaps or repeats.
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(idAt(model, row), qint64(450 - row));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // A new filter starts over from its own first page.
        DeliveryFilter justOne;
        justOne.text = u"7"_s;
        model.setFilter(justOne);
        QCOMPARE(model.rowCount(), 0);
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(idAt(model, 0), 7);
    }

    // QTreeView asks for more on every relayout, and each page causes one: the view must only page in
    // when its bottom is near, or an idle Log History reads the whole history into memory.
    void viewPagesOnlyNearTheBottom()
    {
        for (int i = 0; i < 1200; ++i)
            QVERIFY(emitEvent(u"job.created"_s) > 0);
        auto view = shownView();
        QVERIFY(view);
        DeliveryLogModel* model = view->model();
        QTRY_VERIFY(model->rowCount() >= 200);
        QTest::qWait(500);
        QTRY_VERIFY(!model->isLoading());
        const int idle = model->rowCount();
        QVERIFY2(idle <= 400, qPrintable(QString::number(idle)));

        // End goes to the last row loaded, and the next page arrives below it; then it stops again.
        QTreeView* tree = view->tree();
        tree->setFocus();
        tree->setCurrentIndex(model->index(0, 0));
        QTest::keyClick(tree, Qt::Key_End);
        QTRY_VERIFY(model->rowCount() > idle);
        QTest::qWait(500);
        QTRY_VERIFY(!model->isLoading());
        const int afterEnd = model->rowCount();
        QVERIFY2(afterEnd <= idle + 400, qPrintable(QString::number(afterEnd)));

        // Scrolling to the bottom keeps paging until everything is there.
        for (int i = 0; i < 20 && model->rowCount() < 1200; ++i) {
            QTest::keyClick(tree, Qt::Key_End);
            QTRY_VERIFY(!model->isLoading());
        }
        QCOMPARE(model->rowCount(), 1200);
    }

    void expandSelectAndCopyInTheView()
    {
        seedThree();
        const auto view = shownView();
        QVERIFY(view);
        DeliveryLogModel* model = view->model();
        QTreeView* tree = view->tree();
        ui::AttemptDetailView* detail = view->detail();
        QVERIFY(tree->uniformRowHeights());
        QTRY_COMPARE(model->rowCount(), 3);

        // Expand by clicking the arrow: the attempts are read then and appear as children.
        const QModelIndex retried = model->indexOfDelivery(m_retried);
        QVERIFY(!tree->isExpanded(retried));
        clickExpandArrow(tree, retried);
        QVERIFY(tree->isExpanded(retried));
        QTRY_COMPARE(model->rowCount(retried), 2);
        QCOMPARE(model->index(0, Log::AttemptStatusCodeColumn, retried).data().toString(), u"500"_s);
        QCOMPARE(model->index(1, Log::AttemptStatusCodeColumn, retried).data().toString(), u"200"_s);

        // Select the failed attempt with the mouse: the detail pane shows what the endpoint said.
        click(tree, model->index(0, Log::AttemptStatusCodeColumn, retried));
        QTRY_VERIFY(detail->isShowingAttempt());
        QCOMPARE(selectedAttempt(tree), m_attempt500);
        QVERIFY2(detail->summaryText().contains(u"HTTP 500"_s), qPrintable(detail->summaryText()));
        QVERIFY(detail->summaryText().contains(u"120 ms"_s));
        QVERIFY(detail->summaryText().contains(u"203.0.113.7"_s));
        QCOMPARE(headerValue(detail->responseHeadersModel(), u"X-Request-Id"_s), u"r-1"_s);
        QVERIFY(headerValue(detail->requestHeadersModel(), u"webhook-id"_s).startsWith(u"msg_"_s));
        QCOMPARE(detail->bodyText(), u"{\n    \"error\": \"boom\"\n}\n"_s);
        QVERIFY(detail->truncationText().isEmpty());

        // Copy as cURL for that attempt: headers (redacted) and the frozen payload.
        QApplication::clipboard()->clear();
        QVERIFY(view->copyCurlAction()->isEnabled());
        view->copyCurlAction()->trigger();
        QTRY_VERIFY(QApplication::clipboard()->text().contains(u"--data-binary"_s));
        const QString curl = QApplication::clipboard()->text();
        QVERIFY(curl.startsWith(u"curl -X POST '%1'"_s.arg(m_webhook.url)));
        QVERIFY(curl.contains(u"-H 'webhook-id: msg_"_s));
        QVERIFY(curl.contains(u"'authorization: Bearer [redacted]'"_s));
        QVERIFY(curl.contains(u"\"invoice\":\"INV-7\""_s));

        // Selecting the delivery shows its payload, read on demand and indented.
        click(tree, model->indexOfDelivery(m_retried, Log::EventColumn));
        QTRY_VERIFY(detail->isShowingDelivery());
        QTRY_VERIFY(detail->bodyText().contains(u"\"type\": \"invoice.paid\""_s));
        QVERIFY(detail->summaryText().contains(u"Delivery %1"_s.arg(m_retried)));
        QVERIFY(detail->summaryText().contains(u"webhook-id msg_"_s));

        // For a delivery, Copy as cURL repeats its latest attempt.
        view->copyCurlAction()->trigger();
        const DeliveryLog log(m_db);
        QTRY_COMPARE(QApplication::clipboard()->text(),
                     curlCommand(log.attempts(m_retried)->last(), log.get(m_retried)->payload));

        // Copy payload gives the exact bytes that were sent.
        view->copyPayloadAction()->trigger();
        QTRY_VERIFY(QApplication::clipboard()->text().startsWith(u"{\"type\":\"invoice.paid\""_s));

        // Resend the failed delivery: queued as a manual attempt, and the window is told.
        QSignalSpy resent(view.get(), &ui::LogHistoryView::resendRequested);
        click(tree, model->indexOfDelivery(m_failed, Log::EventColumn));
        QTRY_VERIFY(view->resendAction()->isEnabled());
        view->resendAction()->trigger();
        QTRY_COMPARE(resent.count(), 1);
        QCOMPARE(resent.at(0).at(0).toLongLong(), m_failed);
        const auto due = m_queue->claim(10, 20000);
        const auto again = std::find_if(due->begin(), due->end(), [&](const auto& c) { return c.id == m_failed; });
        QVERIFY(again != due->end());
        QCOMPARE(again->trigger, AttemptTrigger::Manual);

        click(tree, model->indexOfDelivery(m_pending, Log::EventColumn));
        QTRY_VERIFY(!view->copyCurlAction()->isEnabled()); // never attempted: nothing to repeat

        // Enter shows the details of the current row, even one that is not selected.
        tree->setFocus();
        tree->selectionModel()->setCurrentIndex(model->indexOfDelivery(m_failed), QItemSelectionModel::NoUpdate);
        QTRY_VERIFY(detail->summaryText().contains(u"Delivery %1"_s.arg(m_pending)));
        QTest::keyClick(tree, Qt::Key_Return);
        QTRY_VERIFY(detail->summaryText().contains(u"Delivery %1"_s.arg(m_failed)));
    }

    void filtersNarrowTheList()
    {
        seedThree();
        const auto view = shownView();
        QVERIFY(view);
        DeliveryLogModel* model = view->model();
        QTRY_COMPARE(model->rowCount(), 3);
        QSignalSpy resets(model, &QAbstractItemModel::modelReset);

        QComboBox* outcome = view->filterBar()->outcomeCombo();
        outcome->setCurrentIndex(outcome->findData(int(LogFilterBar::Outcome::Failed)));
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model->filter().status, std::optional<DeliveryStatus>(DeliveryStatus::Failed));
        QTRY_VERIFY(!model->isLoading());
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(idAt(*model, 0), m_failed);
        QCOMPARE(model->index(0, 0).data(Log::StatusRole).toInt(), int(DeliveryStatus::Failed));

        outcome->setCurrentIndex(outcome->findData(int(LogFilterBar::Outcome::All)));
        QTRY_COMPARE(model->rowCount(), 3);

        // The search box (Ctrl+F): a delivery id, searched once typing pauses.
        QLineEdit* search = view->filterBar()->searchEdit();
        view->findAction()->trigger();
        QVERIFY(search->hasFocus());
        QTest::keyClicks(search, QString::number(m_retried));
        QCOMPARE(model->rowCount(), 3); // debounced: nothing yet
        QTRY_COMPARE(model->filter().text, QString::number(m_retried));
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(idAt(*model, 0), m_retried);

        // Response text finds the delivery whose endpoint answered it; unknown text finds nothing.
        const QList<std::pair<QString, int>> searches{{u"boom"_s, 1}, {u"no such text"_s, 0}};
        for (const auto& [text, rows] : searches) {
            search->setText(text);
            QTRY_COMPARE(model->filter().text, text);
            QTRY_VERIFY(!model->isLoading());
            QCOMPARE(model->rowCount(), rows);
        }
        QCOMPARE(resets.count(), 5);
    }

    void refreshKeepsSelectionAndExpansion()
    {
        seedThree();
        const auto view = shownView();
        QVERIFY(view);
        DeliveryLogModel* model = view->model();
        QTreeView* tree = view->tree();
        QTRY_COMPARE(model->rowCount(), 3);

        const QModelIndex retried = model->indexOfDelivery(m_retried);
        const QModelIndex failedRow = model->indexOfDelivery(m_failed);
        tree->scrollTo(retried);
        tree->expand(retried);
        tree->expand(failedRow);
        QTRY_COMPARE(model->rowCount(retried), 2);
        QTRY_COMPARE(model->rowCount(failedRow), 1);
        click(tree, model->index(0, Log::AttemptTimeColumn, retried));
        QTRY_VERIFY(view->detail()->isShowingAttempt());
        const QPersistentModelIndex selected = tree->selectionModel()->selectedRows().value(0);
        QCOMPARE(selected.data(Log::AttemptIdRole).toLongLong(), m_attempt500);

        // Meanwhile the engine sends: a new event, and a manual resend of the failed one that succeeds.
        const qint64 newest = emitEvent();
        QVERIFY(m_queue->resend(m_failed));
        m_clock.advance(1000);
        QVERIFY(recordAttempt(204, succeeded(), {}, {}, 40, m_failed) > 0);

        QSignalSpy resets(model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
        view->refresh({m_failed, newest});
        QTRY_COMPARE(model->rowCount(), 4);
        QCOMPARE(idAt(*model, 0), newest);
        QTRY_COMPARE(model->rowCount(model->indexOfDelivery(m_failed)), 2);
        QCOMPARE(resets.count(), 0);

        // Only the delivery that changed was reported as changed.
        QVERIFY(!changed.isEmpty());
        for (const QList<QVariant>& args : std::as_const(changed))
            QCOMPARE(args.at(0).value<QModelIndex>().data(Log::DeliveryIdRole).toLongLong(), m_failed);
        const QModelIndex failedNow = model->indexOfDelivery(m_failed);
        QCOMPARE(failedNow.row(), 2);
        QCOMPARE(rowTexts(*model, 2).mid(Log::ResponseColumn), QStringList({u"204"_s, u"2"_s, u"Succeeded"_s}));
        QCOMPARE(model->index(1, Log::AttemptTriggerColumn, failedNow).data().toString(), u"Manual"_s);

        // The same attempt is still selected, and both deliveries are still expanded, one row lower.
        QVERIFY(selected.isValid());
        QCOMPARE(selected.parent().row(), 3);
        QCOMPARE(tree->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(selectedAttempt(tree), m_attempt500);
        QVERIFY(tree->isExpanded(model->indexOfDelivery(m_retried)));
        QVERIFY(tree->isExpanded(failedNow));
        QVERIFY(view->detail()->isShowingAttempt());

        // A refresh without ids still finds deliveries newer than the top row.
        const qint64 newer = emitEvent(u"job.created"_s);
        view->refresh();
        QTRY_COMPARE(model->rowCount(), 5);
        QCOMPARE(idAt(*model, 0), newer);
        QCOMPARE(selectedAttempt(tree), m_attempt500);
    }

    void filterBarRanges_data()
    {
        QTest::addColumn<int>("range");
        QTest::addColumn<qint64>("sinceAgo");
        QTest::newRow("last hour") << int(LogFilterBar::Range::LastHour) << 3600LL * 1000;
        QTest::newRow("24 h") << int(LogFilterBar::Range::LastDay) << 24 * 3600LL * 1000;
        QTest::newRow("7 days") << int(LogFilterBar::Range::LastWeek) << 7 * 24 * 3600LL * 1000;
        QTest::newRow("all time") << int(LogFilterBar::Range::AllTime) << qint64(-1);
    }
    void filterBarRanges()
    {
        QFETCH(int, range);
        QFETCH(qint64, sinceAgo);
        const qint64 now = 1'800'000'000'000;
        LogFilterBar bar(nullptr, [now] { return now; });
        QSignalSpy spy(&bar, &LogFilterBar::filterChanged);
        bar.rangeCombo()->setCurrentIndex(bar.rangeCombo()->findData(range));
        const DeliveryFilter f = bar.filter();
        QCOMPARE(f.sinceMs, sinceAgo < 0 ? std::nullopt : std::optional<qint64>(now - sinceAgo));
        QCOMPARE(f.untilMs, std::nullopt);
        QVERIFY(!bar.fromEdit()->isVisibleTo(&bar));
        QCOMPARE(spy.count(), range == int(LogFilterBar::Range::AllTime) ? 0 : 1); // all time is the default
    }

    void filterBarCustomRangeAndChoices()
    {
        const qint64 now = 1'800'000'000'000;
        LogFilterBar bar(nullptr, [now] { return now; });
        QSignalSpy spy(&bar, &LogFilterBar::filterChanged);
        bar.rangeCombo()->setCurrentIndex(bar.rangeCombo()->findData(int(LogFilterBar::Range::Custom)));
        QVERIFY(bar.fromEdit()->isVisibleTo(&bar));
        QVERIFY(bar.toEdit()->isVisibleTo(&bar));
        const QDateTime from = QDateTime::fromMSecsSinceEpoch(now - 5LL * 3600 * 1000);
        bar.fromEdit()->setDateTime(from);
        bar.toEdit()->setDateTime(from.addSecs(3600));
        QTRY_COMPARE(spy.count(), 2); // the range switch at once, the edits after the pause
        const DeliveryFilter f = spy.last().at(0).value<DeliveryFilter>();
        QCOMPARE(f.sinceMs, std::optional<qint64>(from.toMSecsSinceEpoch()));
        QCOMPARE(f.untilMs, std::optional<qint64>(from.toMSecsSinceEpoch() + 3600 * 1000));

        // Choices are replaced without losing the current one, and a vanished one falls back to "All".
        bar.setWebhooks({{4, u"Billing"_s}, {9, u"CRM"_s}});
        bar.webhookCombo()->setCurrentIndex(2);
        QCOMPARE(bar.filter().webhookId, std::optional<qint64>(9));
        spy.clear();
        bar.setWebhooks({{9, u"CRM (renamed)"_s}, {4, u"Billing"_s}});
        QCOMPARE(bar.filter().webhookId, std::optional<qint64>(9));
        QCOMPARE(spy.count(), 0);
        bar.setWebhooks({{4, u"Billing"_s}});
        QCOMPARE(bar.filter().webhookId, std::nullopt);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(bar.webhookCombo()->itemText(0), u"All webhooks"_s);

        bar.setEventTypes({u"invoice.paid"_s, u"job.created"_s});
        bar.eventCombo()->setCurrentIndex(bar.eventCombo()->findText(u"job.created"_s));
        QCOMPARE(bar.filter().eventType, u"job.created"_s);
        QCOMPARE(bar.searchEdit()->placeholderText(), u"Delivery id, event id or response text"_s);
        QVERIFY(!bar.searchEdit()->accessibleName().isEmpty());
    }

    void detailShowsTruncatedAndRawBodies()
    {
        ui::AttemptDetailView detail;
        Attempt a;
        a.number = 3;
        a.statusCode = 502;
        a.durationMs = 4100;
        a.responseHeaders = {{"Content-Type", "text/html"}, {"Server", "nginx"}};
        a.responseBody = QByteArray(64 * 1024, 'x');
        a.responseBodySize = 100000;
        a.truncated = true;
        a.errorClass = u"http_status"_s;
        a.error = u"Endpoint answered HTTP 502"_s;
        detail.showAttempt(a);
        QVERIFY(detail.isShowingAttempt());
        QCOMPARE(detail.truncationText(), u"Truncated at 64 KiB (full size 100000 bytes)"_s);
        QCOMPARE(detail.bodyText(), QString(64 * 1024, QLatin1Char('x'))); // not JSON: as received
        QCOMPARE(headerValue(detail.responseHeadersModel(), u"Server"_s), u"nginx"_s);
        QVERIFY(detail.summaryText().contains(u"HTTP 502"_s));
        QVERIFY(detail.summaryText().contains(u"4100 ms"_s));

        Attempt timeout;
        timeout.errorClass = u"timeout"_s;
        timeout.error = u"Operation timed out"_s;
        detail.showAttempt(timeout);
        QVERIFY(detail.summaryText().contains(u"timeout: Operation timed out"_s));
        QVERIFY(detail.truncationText().isEmpty());
        QCOMPARE(detail.responseHeadersModel()->rowCount(), 0);

        Delivery d;
        d.id = 12;
        d.eventType = u"job.created"_s;
        d.msgId = u"msg_abc"_s;
        d.status = DeliveryStatus::Retrying;
        d.payload = R"({"type":"job.created","data":{"n":[1,2]}})";
        detail.showDelivery(d);
        QVERIFY(detail.isShowingDelivery());
        QCOMPARE(detail.summaryText(), u"Delivery 12 · job.created · Retrying · webhook-id msg_abc"_s);
        QCOMPARE(detail.bodyText(), QString::fromUtf8(QJsonDocument::fromJson(d.payload).toJson()));

        detail.clear();
        QVERIFY(!detail.isShowingAttempt() && !detail.isShowingDelivery());
        QVERIFY(detail.bodyText().isEmpty());
    }

    // Not a check: renders the Log History for a look. OUTHOOK_LOG_SCREENSHOT=/path.png to run it.
    void screenshot()
    {
        const QString path = qEnvironmentVariable("OUTHOOK_LOG_SCREENSHOT");
        if (path.isEmpty())
            QSKIP("set OUTHOOK_LOG_SCREENSHOT=/path/to.png to render the Log History");
        for (int i = 0; i < 6; ++i) {
            emitEvent(i % 2 ? u"job.created"_s : u"invoice.paid"_s);
            recordAttempt(200, succeeded(), R"({"received":true})", {{"Content-Type", "application/json"}}, 90 + i);
            m_clock.advance(5 * 60 * 1000);
        }
        seedThree();
        m_clock.advance(5 * 60 * 1000);
        const qint64 broken = emitEvent();
        const qint64 firstAttempt = recordAttempt(
            503, retrying(m_clock.nowMs() + 60000, 503),
            R"({"error":"maintenance","message":"Scheduled maintenance until 14:00 UTC","retry_after":600})",
            {{"Content-Type", "application/json"}, {"Retry-After", "600"}, {"X-Request-Id", "req_1d77e0"}}, 84);
        m_clock.advance(60000);
        recordAttempt(
            std::nullopt,
            failed(u"connection_refused"_s, u"Failed to connect to billing.example.com port 443: Connection refused"_s),
            {}, {}, 12, broken);
        emitEvent(u"job.created"_s);

        const auto view = shownView();
        QVERIFY(view);
        view->setWebhookFilterChoices({{m_webhook.id, m_webhook.name}});
        view->setEventTypes({u"invoice.paid"_s, u"job.created"_s});
        QTRY_VERIFY(view->model()->rowCount() >= 10);
        const QModelIndex failedRow = view->model()->indexOfDelivery(broken);
        clickExpandArrow(view->tree(), failedRow);
        QTRY_COMPARE(view->model()->rowCount(failedRow), 2);
        click(view->tree(), view->model()->index(0, Log::AttemptTimeColumn, failedRow));
        QTRY_COMPARE(selectedAttempt(view->tree()), firstAttempt);
        QTest::qWait(200);
        QVERIFY(view->grab().save(path));
    }
};

QTEST_MAIN(TestDeliveryLog)
#include "tst_deliverylog.moc"
