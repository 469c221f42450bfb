#include "MainWindow.h"
#include "storage/WebhookStore.h"
#include "webhooks/WebhookListModel.h"

#include <QAbstractItemModelTester>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void showsStoredWebhooks()
    {
        QTemporaryDir dir;
        auto db = Database::open(*DatabaseUrl::parse(dir.filePath(QStringLiteral("ui.db"))));
        QVERIFY(db);
        ManualClock clock;
        EventCatalog catalog(*db, clock);
        WebhookStore store(*db, catalog, clock);
        Webhook w;
        w.name = QStringLiteral("CRM");
        w.url = QStringLiteral("https://crm.example.com/hook");
        w.events = {QStringLiteral("contact.created"), QStringLiteral("job.created")};
        QVERIFY(store.create(w));

        ui::MainWindow window(store, QStringLiteral("ui.db"));
        QAbstractItemModelTester tester(window.webhookModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* model = window.webhookModel();
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, ui::WebhookListModel::Name).data().toString(), QStringLiteral("CRM"));
        QCOMPARE(model->index(0, ui::WebhookListModel::Events).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("contact.created\njob.created"));
        QCOMPARE(model->index(0, ui::WebhookListModel::Active).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));

        w.name = QStringLiteral("Second");
        QVERIFY(store.create(w));
        window.reload();
        QCOMPARE(model->rowCount(), 2);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
