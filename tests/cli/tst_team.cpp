#include "TestPki.h"
#include "TlsReceiver.h"

#include "events/Emitter.h"
#include "storage/WebhookStore.h"

#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QTest>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// Team mode: four `outhookd serve` processes share one PostgreSQL database. Needs scripts/test-postgres.
class TestTeam : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    std::unique_ptr<TlsReceiver> m_receiver;
    DatabaseUrl m_url;
    SystemClock m_clock;

    // A fresh database for each test, so counts start at zero.
    std::shared_ptr<Database> freshDatabase(const QString& name)
    {
        const QString base = qEnvironmentVariable("OUTHOOK_TEST_PG_URL");
        if (base.isEmpty())
            return nullptr;
        m_url = *DatabaseUrl::parse(base);
        {
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("admin"));
            raw.setHostName(m_url.host);
            raw.setPort(m_url.port);
            raw.setUserName(m_url.user);
            raw.setDatabaseName(m_url.databaseName);
            if (raw.open()) {
                QSqlQuery q(raw);
                q.exec(QStringLiteral("DROP DATABASE IF EXISTS ") + name);
                q.exec(QStringLiteral("CREATE DATABASE ") + name);
                q.finish();
                raw.close();
            }
            raw = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("admin"));
        }
        m_url.databaseName = name;
        auto db = Database::open(m_url);
        return db ? *db : nullptr;
    }

    QString urlText() const
    {
        return QStringLiteral("postgres://%1@%2:%3/%4")
            .arg(m_url.user, m_url.host)
            .arg(m_url.port)
            .arg(m_url.databaseName);
    }

    void emitEvents(const std::shared_ptr<Database>& db, int count)
    {
        EventCatalog catalog(db, m_clock);
        WebhookStore store(db, catalog, m_clock);
        Webhook w;
        w.name = QStringLiteral("team");
        w.url = m_receiver->url();
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        w.retrySchedule = RetrySchedule({1, 1, 1});
        QVERIFY(store.create(w));
        Emitter emitter(db, catalog, m_clock);
        for (int i = 0; i < count; ++i)
            QVERIFY(emitter.emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("n"), i}}));
    }

    std::unique_ptr<QProcess> startEngine(const QString& lease)
    {
        auto p = std::make_unique<QProcess>();
        p->start(QStringLiteral(OUTHOOKD_PATH),
                 {QStringLiteral("--db"), urlText(), QStringLiteral("--ca-file"), m_pki.caFile(),
                  QStringLiteral("--allow-destination"), QStringLiteral("127.0.0.0/8"), QStringLiteral("serve"),
                  QStringLiteral("--concurrency"), QStringLiteral("16"), QStringLiteral("--lease"), lease});
        return p;
    }

    int succeeded(const std::shared_ptr<Database>& db)
    {
        QSqlQuery q(db->connection());
        q.exec(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'"));
        return q.next() ? q.value(0).toInt() : -1;
    }

    qint64 scalar(const std::shared_ptr<Database>& db, const QString& sql)
    {
        QSqlQuery q(db->connection());
        return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
    }

    // What the engines recorded for each delivery sent more than once: a retry after a failed attempt, or
    // two engines holding the same delivery (two attempts with one number).
    void reportRepeats(const std::shared_ptr<Database>& db)
    {
        QSqlQuery q(db->connection());
        q.exec(QStringLiteral("SELECT delivery_id, number, started_at, duration_ms, status_code, error_class, error "
                              "FROM attempts WHERE delivery_id IN "
                              "(SELECT delivery_id FROM attempts GROUP BY delivery_id HAVING COUNT(*) > 1) "
                              "ORDER BY delivery_id, started_at LIMIT 60"));
        while (q.next())
            qInfo("delivery %lld attempt %d at %lld took %d ms: %d %s %s", q.value(0).toLongLong(), q.value(1).toInt(),
                  q.value(2).toLongLong(), q.value(3).toInt(), q.value(4).toInt(), qPrintable(q.value(5).toString()),
                  qPrintable(q.value(6).toString()));
    }

    QSet<QByteArray> distinctIds() const
    {
        QSet<QByteArray> ids;
        for (const auto& r : m_receiver->requests())
            ids.insert(r.header("webhook-id"));
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pki.isValid());
        if (qEnvironmentVariableIsEmpty("OUTHOOK_TEST_PG_URL"))
            QFAIL("OUTHOOK_TEST_PG_URL is not set: run through scripts/test-postgres");
    }
    void init()
    {
        m_receiver = std::make_unique<TlsReceiver>(m_pki);
        QVERIFY(m_receiver->listen());
    }

    void fourEnginesDeliverEachEventExactlyOnce()
    {
        constexpr int kEvents = 5000;
        auto db = freshDatabase(QStringLiteral("outhook_team_once"));
        QVERIFY(db);
        emitEvents(db, kEvents);
        std::vector<std::unique_ptr<QProcess>> engines;
        for (int i = 0; i < 4; ++i)
            engines.push_back(startEngine(QStringLiteral("20s")));
        QTRY_COMPARE_WITH_TIMEOUT(succeeded(db), kEvents, 120000);
        for (auto& e : engines)
            e->terminate();
        for (auto& e : engines) {
            QTRY_VERIFY_WITH_TIMEOUT(e->state() == QProcess::NotRunning, 15000);
            QCOMPARE(e->exitCode(), 0);
        }
        // Each delivery was held by one engine at a time: one successful attempt each, no attempt number
        // used twice, and every request the receiver saw is on record. A failed attempt (a timeout on an
        // overloaded machine) is retried, which is at-least-once working, not two engines racing.
        const qint64 attempts = scalar(db, QStringLiteral("SELECT COUNT(*) FROM attempts"));
        if (m_receiver->requestCount() != kEvents)
            reportRepeats(db);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM attempts WHERE status_code = 200")), qint64(kEvents));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM (SELECT delivery_id, number FROM attempts "
                                           "GROUP BY delivery_id, number HAVING COUNT(*) > 1) twice")),
                 qint64(0));
        QVERIFY2(m_receiver->requestCount() <= attempts, "a request was sent but not recorded");
        QCOMPARE(distinctIds().size(), kEvents);
        qInfo() << "requests:" << m_receiver->requestCount() << "attempts:" << attempts << "for" << kEvents << "events";
    }

    void killedEngineLosesNothing()
    {
        constexpr int kEvents = 2000;
        auto db = freshDatabase(QStringLiteral("outhook_team_kill"));
        QVERIFY(db);
        emitEvents(db, kEvents);
        TlsReceiver::Reply slow;
        slow.delayMs = 10;
        m_receiver->setDefaultReply(slow);
        std::vector<std::unique_ptr<QProcess>> engines;
        for (int i = 0; i < 4; ++i)
            engines.push_back(startEngine(QStringLiteral("3s"))); // the dead engine's work comes back soon
        QTRY_VERIFY_WITH_TIMEOUT(m_receiver->requestCount() >= 300, 60000);
        engines.front()->kill(); // SIGKILL mid-burst
        QVERIFY(engines.front()->waitForFinished());
        QVERIFY2(m_receiver->requestCount() < kEvents, "the burst ended before the kill; the test proves nothing");
        QTRY_COMPARE_WITH_TIMEOUT(succeeded(db), kEvents, 120000);
        for (size_t i = 1; i < engines.size(); ++i)
            engines[i]->terminate();
        for (size_t i = 1; i < engines.size(); ++i)
            QTRY_VERIFY_WITH_TIMEOUT(engines[i]->state() == QProcess::NotRunning, 15000);
        QCOMPARE(distinctIds().size(), kEvents);
        // Duplicates (work the dead engine had sent but not recorded) carry the same webhook-id and body.
        QHash<QByteArray, QByteArray> bodies;
        for (const auto& r : m_receiver->requests()) {
            const QByteArray id = r.header("webhook-id");
            if (bodies.contains(id))
                QCOMPARE(r.body, bodies.value(id));
            bodies.insert(id, r.body);
        }
        qInfo() << "requests:" << m_receiver->requestCount() << "for" << kEvents
                << "events; duplicates:" << m_receiver->requestCount() - kEvents;
    }
};

QTEST_GUILESS_MAIN(TestTeam)
#include "tst_team.moc"
