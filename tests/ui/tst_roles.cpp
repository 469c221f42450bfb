#include "MainWindow.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/TestSender.h"

#include "events/Emitter.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/Roles.h"
#include "storage/WebhookStore.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"

#include <QAction>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableView>
#include <QTest>

using namespace outhook;

// Team-mode roles, enforced by PostgreSQL: a support user reads without secrets, may resend, may not
// change webhooks, and the desktop app shows the edit controls disabled. Needs scripts/test-postgres.
class TestRoles : public QObject
{
    Q_OBJECT
    SystemClock m_clock;
    DatabaseUrl m_admin;
    DatabaseUrl m_support;
    std::shared_ptr<Database> m_adminDb;

private Q_SLOTS:
    void initTestCase()
    {
        const QString url = qEnvironmentVariable("OUTHOOK_TEST_PG_URL");
        if (url.isEmpty())
            QFAIL("OUTHOOK_TEST_PG_URL is not set: run through scripts/test-postgres");
        m_admin = *DatabaseUrl::parse(url);
        {
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("setup"));
            raw.setHostName(m_admin.host);
            raw.setPort(m_admin.port);
            raw.setUserName(m_admin.user);
            raw.setDatabaseName(m_admin.databaseName);
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            q.exec(QStringLiteral("DROP DATABASE IF EXISTS outhook_roles"));
            QVERIFY(q.exec(QStringLiteral("CREATE DATABASE outhook_roles")));
            q.exec(QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'support_user') "
                                  "THEN CREATE ROLE support_user LOGIN; END IF; END $$"));
            q.finish();
            raw.close();
            raw = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("setup"));
        }
        m_admin.databaseName = QStringLiteral("outhook_roles");
        auto db = Database::open(m_admin);
        QVERIFY2(db, qPrintable(db.error().message));
        m_adminDb = *db;
        QVERIFY(roles::initRoles(*m_adminDb));
        QVERIFY(roles::initRoles(*m_adminDb)); // idempotent
        QVERIFY(roles::grant(*m_adminDb, QStringLiteral("support_user"), QStringLiteral("support")));
        QCOMPARE(roles::grant(*m_adminDb, QStringLiteral("x"), QStringLiteral("owner")).error().kind,
                 Error::Kind::Validation);

        EventCatalog catalog(m_adminDb, m_clock);
        WebhookStore store(m_adminDb, catalog, m_clock);
        Webhook w;
        w.name = QStringLiteral("Billing");
        w.url = QStringLiteral("https://billing.example.com/hook");
        w.events = {QStringLiteral("invoice.paid")};
        w.isActive = true;
        w.auth = {AuthConfig::Type::Bearer, {}, {}, QStringLiteral("tok-secret")};
        w.headers = {{QStringLiteral("X-Key"), QStringLiteral("hdr-secret"), true}};
        QVERIFY(store.create(w));
        QVERIFY(Emitter(m_adminDb, catalog, m_clock).emit(QStringLiteral("invoice.paid"), {}));
        m_support = m_admin;
        m_support.user = QStringLiteral("support_user");
    }

    void supportReadsWithoutSecretsAndCannotChangeWebhooks()
    {
        auto db = Database::open(m_support);
        QVERIFY2(db, qPrintable(db.error().message));
        const auto perms = roles::current(**db);
        QVERIFY(perms);
        QVERIFY(!perms->canEditWebhooks);
        QVERIFY(!perms->canReadSecrets);
        QVERIFY(roles::current(*m_adminDb)->canEditWebhooks);

        EventCatalog catalog(*db, m_clock);
        WebhookStore store(*db, catalog, m_clock);
        const auto list = store.list();
        QVERIFY2(list, qPrintable(list.error().message));
        QCOMPARE(list->size(), 1);
        const Webhook w = list->first();
        QCOMPARE(w.name, QStringLiteral("Billing"));
        QVERIFY(w.secret.isEmpty());
        QVERIFY(w.auth.token.isEmpty());
        QVERIFY(w.headers.isEmpty());

        // The database itself refuses the change, whatever the client does.
        const auto toggled = store.setActive(w.id, false);
        QVERIFY(!toggled);
        QVERIFY2(toggled.error().message.contains(QLatin1String("permission denied")),
                 qPrintable(toggled.error().message));
        QSqlQuery q((*db)->connection());
        QVERIFY(!q.exec(QStringLiteral("SELECT secret FROM webhooks")));
        QVERIFY(!q.exec(QStringLiteral("UPDATE webhooks SET url = 'https://evil.example/'")));

        // Support may read the log and resend.
        const auto deliveries = DeliveryLog(*db).list({}, 10);
        QVERIFY(deliveries);
        QCOMPARE(deliveries->size(), 1);
        QVERIFY(DeliveryQueue(*db, m_clock, "support").resend(deliveries->first().id));
    }

    // Support may not read the signing secret, so its test send is queued for an admin engine, which
    // signs and sends it; the support side gets the attempt back.
    void supportTestSendGoesThroughAnAdminEngine()
    {
        test::TestPki pki;
        QVERIFY(pki.isValid());
        test::TlsReceiver receiver(pki);
        QVERIFY(receiver.listen());
        CurlTransport::Options o;
        o.caFiles << pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        o.policy.allow(QStringLiteral("::1/128"));
        const TransportFactory transport = [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); };
        {
            EventCatalog catalog(m_adminDb, m_clock);
            WebhookStore store(m_adminDb, catalog, m_clock);
            Webhook w = store.list()->first();
            w.url = receiver.url();
            w.auth = {};
            QVERIFY(store.update(w));
        }
        Engine engine(m_adminDb, m_clock, Dispatcher::Options(), transport);
        engine.start();

        auto db = Database::open(m_support);
        QVERIFY(db);
        TestSender sender(*db, m_clock, transport());
        QSignalSpy finished(&sender, &TestSender::finished);
        QSignalSpy failed(&sender, &TestSender::failed);
        EventCatalog catalog(*db, m_clock);
        const auto tag = sender.send(WebhookStore(*db, catalog, m_clock).list()->first().id);
        QVERIFY2(tag, qPrintable(tag.error().message));
        QVERIFY(finished.wait(20000));
        QCOMPARE(failed.size(), 0);
        const auto r = finished.first().at(1).value<TestSendResult>();
        QCOMPARE(r.attempt.statusCode, std::optional<int>(200));
        QCOMPARE(r.attempt.trigger, AttemptTrigger::Test);
        QVERIFY(r.signatureSent);
        QVERIFY(!receiver.requests().last().header("webhook-signature").isEmpty());
        engine.stopAndWait(2000);
    }

    void desktopAppDisablesEditing()
    {
        auto db = Database::open(m_support);
        QVERIFY(db);
        StorageWorker storage(*db, m_clock);
        ui::AppContext ctx;
        ctx.db = *db;
        ctx.clock = &m_clock;
        ctx.storage = &storage;
        ctx.databaseName = QStringLiteral("support@outhook_roles");
        ui::MainWindow window(ctx);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ui::WebhookListPanel* panel = window.webhookPanel();
        QTRY_VERIFY(panel->newAction()->toolTip().contains(QLatin1String("support")));
        QTRY_COMPARE(panel->model()->rowCount(), 1);
        panel->table()->selectRow(0);
        QVERIFY(!panel->newAction()->isEnabled());
        QVERIFY(!panel->editAction()->isEnabled());
        QVERIFY(!panel->deleteAction()->isEnabled());
        QVERIFY(panel->testSendAction()->isEnabled());
    }
};

QTEST_MAIN(TestRoles)
#include "tst_roles.moc"
