#include "MainWindow.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "events/Emitter.h"
#include "log/AttemptDetailView.h"
#include "log/DeliveryLogModel.h"
#include "log/LogHistoryView.h"
#include "storage/WebhookStore.h"
#include "webhooks/EventPicker.h"
#include "webhooks/HeaderTableEditor.h"
#include "webhooks/TestSendDialog.h"
#include "webhooks/WebhookEditor.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"
#include "widgets/PasswordLineEdit.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// The main window end to end: real widgets, real clicks, a real SQLite file and a real TLS receiver.
class TestMainWindow : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<StorageWorker> m_storage;
    std::unique_ptr<TlsReceiver> m_receiver;
    std::unique_ptr<ui::MainWindow> m_window;

    TransportFactory transport() const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        o.policy.allow(QStringLiteral("::1/128"));
        return [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); };
    }

    void openWindow(bool withEngine)
    {
        ui::AppContext ctx;
        ctx.db = m_db;
        ctx.clock = &m_clock;
        ctx.storage = m_storage.get();
        ctx.databaseName = QStringLiteral("test.db");
        if (withEngine) {
            const TransportFactory t = transport();
            ctx.makeEngine = [this, t] {
                Dispatcher::Options o;
                o.maxIdleWakeMs = 200;
                return std::make_unique<Engine>(m_db, m_clock, o, t);
            };
        }
        m_window = std::make_unique<ui::MainWindow>(ctx);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    Webhook storedWebhook(qint64 id)
    {
        EventCatalog catalog(m_db, m_clock);
        return *WebhookStore(m_db, catalog, m_clock).get(id);
    }

    Webhook addWebhook(const QString& name, RetrySchedule schedule, bool active)
    {
        EventCatalog catalog(m_db, m_clock);
        Webhook w;
        w.name = name;
        w.url = m_receiver->url();
        w.events = {QStringLiteral("job.created")};
        w.isActive = active;
        w.retrySchedule = schedule;
        return *WebhookStore(m_db, catalog, m_clock).create(w);
    }

    static void clickCell(QAbstractItemView* view, const QModelIndex& index)
    {
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }
    void init()
    {
        static int n = 0;
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("ui%1.db").arg(++n))));
        QVERIFY(db);
        m_db = *db;
        m_storage = std::make_unique<StorageWorker>(m_db, m_clock);
        m_storage->setTransportFactory(transport());
        m_receiver = std::make_unique<TlsReceiver>(m_pki);
        QVERIFY(m_receiver->listen());
    }
    void cleanup()
    {
        m_window.reset();
        m_storage.reset();
        m_receiver.reset();
        m_db.reset();
    }

    void createWebhookThroughEditor()
    {
        openWindow(false);
        ui::WebhookListPanel* panel = m_window->webhookPanel();
        QTRY_VERIFY(!panel->eventTypes().isEmpty());
        panel->newAction()->trigger();
        ui::WebhookEditor* editor = panel->openEditor();
        QVERIFY(editor);
        QVERIFY(QTest::qWaitForWindowExposed(editor));
        QTest::keyClicks(editor->nameEdit(), QStringLiteral("Accounting"));
        QTest::keyClicks(editor->urlEdit(), QStringLiteral("http://books.example.com/hook"));
        QVERIFY(!editor->saveButton()->isEnabled());
        editor->urlEdit()->clear();
        QTest::keyClicks(editor->urlEdit(), QStringLiteral("https://books.example.com/hook"));
        editor->eventPicker()->setSelected({QStringLiteral("invoice.paid"), QStringLiteral("invoice.created")});
        editor->authCombo()->setCurrentIndex(editor->authCombo()->findData(int(AuthConfig::Type::Basic)));
        QTest::keyClicks(editor->usernameEdit(), QStringLiteral("acct"));
        QTest::keyClicks(editor->passwordEdit(), QStringLiteral("s3cret"));
        QTest::mouseClick(editor->headerEditor()->addButton(), Qt::LeftButton);
        QTableWidget* headers = editor->headerEditor()->table();
        QCOMPARE(headers->rowCount(), 1);
        headers->item(0, 0)->setText(QStringLiteral("X-Team"));
        headers->item(0, 1)->setText(QStringLiteral("finance"));
        QTRY_VERIFY(editor->saveButton()->isEnabled());
        QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
        QTRY_VERIFY(!panel->openEditor());
        QTRY_COMPARE(panel->model()->rowCount(), 1);

        const Webhook stored = storedWebhook(panel->model()->webhookAt(0)->id);
        QCOMPARE(stored.name, QStringLiteral("Accounting"));
        QCOMPARE(stored.url, QStringLiteral("https://books.example.com/hook"));
        QCOMPARE(QSet<QString>(stored.events.begin(), stored.events.end()),
                 (QSet<QString>{QStringLiteral("invoice.paid"), QStringLiteral("invoice.created")}));
        QCOMPARE(stored.auth.type, AuthConfig::Type::Basic);
        QCOMPARE(stored.auth.username, QStringLiteral("acct"));
        QCOMPARE(stored.auth.password, QStringLiteral("s3cret"));
        QCOMPARE(stored.headers.size(), 1);
        QCOMPARE(stored.headers.first().name, QStringLiteral("X-Team"));
        QCOMPARE(stored.headers.first().value, QStringLiteral("finance"));
        QVERIFY(!stored.isActive);
    }

    void toggleActiveFromTheList()
    {
        const Webhook w = addWebhook(QStringLiteral("Toggle me"), RetrySchedule(), false);
        openWindow(false);
        ui::WebhookListPanel* panel = m_window->webhookPanel();
        QAbstractItemModelTester tester(panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(panel->model()->rowCount(), 1);
        const QModelIndex cell = panel->model()->index(0, ui::WebhookListModel::Active);
        clickCell(panel->table(), cell);
        QTRY_VERIFY(storedWebhook(w.id).isActive);
        QTRY_COMPARE(cell.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
        clickCell(panel->table(), cell);
        QTRY_VERIFY(!storedWebhook(w.id).isActive);
    }

    void testSendShowsTheReply()
    {
        TlsReceiver::Reply reply;
        reply.status = 200;
        reply.body = R"({"pong":true})";
        reply.headers = {{"X-Receiver", "unit"}};
        m_receiver->setDefaultReply(reply);
        addWebhook(QStringLiteral("Pinged"), RetrySchedule(), false);
        openWindow(false);
        ui::WebhookListPanel* panel = m_window->webhookPanel();
        QTRY_COMPARE(panel->model()->rowCount(), 1);
        panel->table()->selectRow(0);
        QElapsedTimer t;
        t.start();
        panel->testSendAction()->trigger();
        QTRY_VERIFY(m_window->testSendDialog() && m_window->testSendDialog()->hasResult());
        qInfo() << "test send result shown after" << t.elapsed() << "ms";
        ui::TestSendDialog* dialog = m_window->testSendDialog();
        QVERIFY2(dialog->statusText().contains(QLatin1String("200")), qPrintable(dialog->statusText()));
        QVERIFY(dialog->statusText().contains(QLatin1String("Signed")));
        QVERIFY(dialog->bodyText().contains(QLatin1String("\"pong\": true")));
        bool headerShown = false;
        for (int r = 0; r < dialog->headersTable()->rowCount(); ++r)
            headerShown |= dialog->headersTable()->item(r, 0)->text() == QLatin1String("X-Receiver");
        QVERIFY(headerShown);
        QCOMPARE(m_receiver->requestCount(), 1);
        // The test attempt is in the Log History too.
        QTRY_VERIFY(m_window->logView()->model()->rowCount() >= 1);
    }

    void failedAttemptsOpenInLogHistory()
    {
        TlsReceiver::Reply fail;
        fail.status = 502;
        fail.body = R"({"error":"upstream down"})";
        fail.headers = {{"Content-Type", "application/json"}, {"X-Trace", "t-42"}};
        m_receiver->setDefaultReply(fail);
        addWebhook(QStringLiteral("Failing"), RetrySchedule({1}), true);
        openWindow(true);
        {
            EventCatalog catalog(m_db, m_clock);
            Emitter emitter(m_db, catalog, m_clock);
            QVERIFY(emitter.emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("id"), 1}}));
        }
        m_window->engine()->wake();
        ui::LogHistoryView* log = m_window->logView();
        ui::DeliveryLogModel* model = log->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Live: the delivery and both attempts show up without a manual refresh.
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 15000);
        const QModelIndex delivery = model->index(0, 0);
        QTRY_COMPARE_WITH_TIMEOUT(model->deliveryAt(delivery)->attemptCount, 2, 15000);
        QCOMPARE(model->deliveryAt(delivery)->status, DeliveryStatus::Failed);
        log->tree()->expand(delivery);
        QTRY_COMPARE(model->rowCount(delivery), 2);
        const QModelIndex attempt = model->index(0, 0, delivery);
        clickCell(log->tree(), attempt);
        QTRY_VERIFY(log->detail()->summaryText().contains(QLatin1String("502")));
        QVERIFY(log->detail()->bodyText().contains(QLatin1String("\"error\": \"upstream down\"")));
        QAbstractItemModel* headers = log->detail()->responseHeadersModel();
        bool traceShown = false;
        for (int r = 0; r < headers->rowCount(); ++r)
            traceShown |=
                headers->index(r, 0).data().toString().compare(QLatin1String("X-Trace"), Qt::CaseInsensitive) == 0 &&
                headers->index(r, 1).data().toString() == QLatin1String("t-42");
        QVERIFY(traceShown);
        QVERIFY(m_window->engineStatusText().contains(QLatin1String("running")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
