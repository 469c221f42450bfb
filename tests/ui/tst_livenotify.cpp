#include "MainWindow.h"
#include "TestDatabases.h"

#include "events/Emitter.h"
#include "log/DeliveryLogModel.h"
#include "log/LogHistoryView.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/StorageWorker.h"
#include "storage/WebhookStore.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"

#include <QTest>

using namespace outhook;

// Team mode's live view: a desktop app on PostgreSQL shows what another connection (another machine's
// app or engine) writes, through LISTEN/NOTIFY, without a manual refresh. The window's safety-net poll is
// set to an hour, so only a notification can explain an update within the test's timeout.
class TestLiveNotify : public QObject
{
    Q_OBJECT
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;    // the desktop app's connection
    std::shared_ptr<Database> m_other; // another machine
    std::unique_ptr<StorageWorker> m_storage;
    std::unique_ptr<ui::MainWindow> m_window;

    Webhook addWebhook(const QString& name)
    {
        EventCatalog catalog(m_other, m_clock);
        Webhook w;
        w.name = name;
        w.url = QStringLiteral("https://receiver.example.com/hook");
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        return *WebhookStore(m_other, catalog, m_clock).create(w);
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void init()
    {
        m_db = test::freshDatabase({});
        QVERIFY(m_db);
        QVERIFY(m_db->isPostgres());
        auto other = Database::open(m_db->url());
        QVERIFY2(other, qPrintable(other.error().message));
        m_other = *other;
        addWebhook(QStringLiteral("Billing"));

        m_storage = std::make_unique<StorageWorker>(m_db, m_clock);
        ui::AppContext ctx;
        ctx.db = m_db;
        ctx.clock = &m_clock;
        ctx.storage = m_storage.get();
        ctx.databaseName = QStringLiteral("team");
        ctx.pollIntervalMs = 3600 * 1000;
        m_window = std::make_unique<ui::MainWindow>(ctx);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_COMPARE(m_window->webhookPanel()->model()->rowCount(), 1);
        // Let the subscription reach the server before the other side writes.
        QTest::qWait(300);
    }

    void cleanup()
    {
        m_window.reset();
        m_storage.reset();
        m_other.reset();
        m_db.reset();
    }

    void webhookChangesAppear()
    {
        const Webhook added = addWebhook(QStringLiteral("Shipping"));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->webhookPanel()->model()->rowCount(), 2, 5000);

        EventCatalog catalog(m_other, m_clock);
        WebhookStore store(m_other, catalog, m_clock);
        QVERIFY(store.setActive(added.id, false));
        const auto isActive = [this, &added] {
            const auto* model = m_window->webhookPanel()->model();
            for (int row = 0; row < model->rowCount(); ++row)
                if (model->webhookAt(row)->id == added.id)
                    return model->webhookAt(row)->isActive;
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(!isActive(), 5000);

        QVERIFY(store.remove(added.id));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->webhookPanel()->model()->rowCount(), 1, 5000);
    }

    void newDeliveriesAndAttemptsAppear()
    {
        ui::DeliveryLogModel* log = m_window->logView()->model();
        QCOMPARE(log->rowCount(), 0);
        EventCatalog catalog(m_other, m_clock);
        QVERIFY(Emitter(m_other, catalog, m_clock).emit(QStringLiteral("job.created"), {}));
        QTRY_COMPARE_WITH_TIMEOUT(log->rowCount(), 1, 5000);
        QCOMPARE(log->deliveryAt(log->index(0, 0))->status, DeliveryStatus::Pending);

        // Another engine sends it: the attempt's outcome shows up in the row.
        DeliveryQueue queue(m_other, m_clock, "other-engine");
        const auto claimed = queue.claim(10, 60000);
        QVERIFY(claimed && claimed->size() == 1);
        const ClaimedDelivery& c = claimed->first();
        AttemptResult r;
        r.webhookId = c.webhookId;
        r.attempt.deliveryId = c.id;
        r.attempt.number = c.attemptCount + 1;
        r.attempt.trigger = c.trigger;
        r.attempt.requestUrl = QStringLiteral("https://receiver.example.com/hook");
        r.attempt.startedAt = m_clock.nowMs();
        r.attempt.statusCode = 200;
        r.attempt.responseBody = "ok";
        r.outcome = {DeliveryStatus::Succeeded, std::nullopt, {}, {}, {}};
        QVERIFY(queue.complete({r}, 5LL * 24 * 3600 * 1000));
        QTRY_COMPARE_WITH_TIMEOUT(log->deliveryAt(log->index(0, 0))->status, DeliveryStatus::Succeeded, 5000);
    }
};

QTEST_MAIN(TestLiveNotify)
#include "tst_livenotify.moc"
