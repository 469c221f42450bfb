#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Engine.h"
#include "events/Emitter.h"
#include "storage/WebhookStore.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace outhook;
using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// What the storage layer does when the disk is full, the file is read-only, locked by someone else or
// deleted under a running engine: a clear error that names the file, nothing half-written, and recovery
// once the cause is gone.
class TestStorageFaults : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    SystemClock m_clock;
    QString m_path;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;

    bool openAt(const QString& path, Database::Options options = {})
    {
        m_path = path;
        auto db = Database::open(*DatabaseUrl::parse(path), options);
        if (!db) {
            qWarning("%s", qPrintable(db.error().message));
            return false;
        }
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        return true;
    }

    Webhook addWebhook(const QString& url)
    {
        Webhook w;
        w.name = QStringLiteral("receiver");
        w.url = url;
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        const auto created = m_store->create(w);
        if (!created)
            qFatal("%s", qPrintable(created.error().message));
        return *created;
    }

    Result<EmitResult> emitOne(int n, int padding = 0)
    {
        return m_emitter->emit(QStringLiteral("job.created"),
                               QJsonObject{{QStringLiteral("n"), n}, {QStringLiteral("pad"), QString(padding, u'x')}});
    }

    QVariant scalar(const QString& sql)
    {
        QSqlQuery q(m_db->connection());
        if (!q.exec(sql) || !q.next())
            return QVariant();
        return q.value(0);
    }

    int count(const QString& table) { return scalar(QStringLiteral("SELECT COUNT(*) FROM ") + table).toInt(); }

    TransportFactory transport() const
    {
        CurlTransport::Options o;
        o.caFiles << m_pki.caFile();
        o.policy.allow(QStringLiteral("127.0.0.0/8"));
        return [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); };
    }

    // A storage error that says what happened and where.
    static void verifyClearError(const Error& e, const QString& path, const QString& cause)
    {
        qInfo("%s", qPrintable(e.message)); // what the user would read
        QCOMPARE(e.kind, Error::Kind::Storage);
        QVERIFY2(e.message.contains(path), qPrintable(e.message));
        QVERIFY2(e.message.contains(cause, Qt::CaseInsensitive), qPrintable(e.message));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_pki.isValid()); }

    void cleanup()
    {
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    // The file cannot grow (SQLite's max_page_count stands in for a full disk: same SQLITE_FULL path):
    // emit refuses new events, the queue stays intact, and once there is room again emit works and the
    // pending deliveries go out.
    void fullDiskRefusesEventsAndRecovers()
    {
        QVERIFY(openAt(m_dir.filePath(QStringLiteral("full.db"))));
        TlsReceiver receiver(m_pki);
        QVERIFY(receiver.listen());
        addWebhook(receiver.url());
        QList<QString> acknowledged;
        for (int i = 0; i < 10; ++i) {
            const auto r = emitOne(i);
            QVERIFY(r);
            acknowledged << QString::number(r->eventId);
        }
        const int pages = scalar(QStringLiteral("PRAGMA page_count")).toInt();
        QVERIFY(pages > 0);
        QVERIFY(QSqlQuery(m_db->connection()).exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages + 4)));

        std::optional<Error> refused;
        for (int i = 10; i < 500 && !refused; ++i) {
            const auto r = emitOne(i, 2000);
            if (r)
                acknowledged << QString::number(r->eventId);
            else
                refused = r.error();
        }
        QVERIFY2(refused, "the database never filled up");
        verifyClearError(*refused, m_path, QStringLiteral("full"));
        // Refused, not half-written: every acknowledged event has its delivery, nothing else is there.
        QCOMPARE(scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
        QCOMPARE(count(QStringLiteral("events")), acknowledged.size());
        QCOMPARE(count(QStringLiteral("deliveries")), acknowledged.size());
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE status <> 'pending'")).toInt(), 0);
        QVERIFY(!emitOne(1000, 2000)); // still full: still refused
        QCOMPARE(count(QStringLiteral("events")), acknowledged.size());

        QVERIFY(QSqlQuery(m_db->connection()).exec(QStringLiteral("PRAGMA max_page_count = 1073741823")));
        const auto after = emitOne(1001, 2000);
        QVERIFY2(after, qPrintable(after ? QString() : after.error().message));
        acknowledged << QString::number(after->eventId);

        Engine engine(m_db, m_clock, Dispatcher::Options{}, transport());
        engine.start();
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'")).toInt(),
            acknowledged.size(), 30000);
        engine.stopAndWait(5000);
        QCOMPARE(receiver.requestCount(), acknowledged.size());
        QCOMPARE(scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    // A read-only database, for real: as root (whom chmod does not stop) a tmpfs remounted read-only,
    // otherwise a chmod 0444 file in a 0555 directory. Opening it is refused with the file named.
    void readOnlyFileIsRefusedAtOpen()
    {
        const QString dir = m_dir.filePath(QStringLiteral("ro"));
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + QStringLiteral("/ro.db");
        const bool root = ::geteuid() == 0;
        if (root && QProcess::execute(QStringLiteral("mount"),
                                      {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                       QStringLiteral("size=4m"), QStringLiteral("tmpfs"), dir}) != 0)
            QSKIP("running as root without permission to mount a tmpfs: chmod would not stop root");
        const auto unmount = qScopeGuard([&] {
            if (root)
                QProcess::execute(QStringLiteral("umount"), {dir});
            QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        });
        QVERIFY(openAt(path));
        addWebhook(QStringLiteral("https://127.0.0.1:9/hook"));
        QVERIFY(emitOne(1));
        cleanup(); // closes the connections, so the WAL is checkpointed and removed
        if (root) {
            QCOMPARE(
                QProcess::execute(QStringLiteral("mount"), {QStringLiteral("-o"), QStringLiteral("remount,ro"), dir}),
                0);
        } else {
            QVERIFY(QFile::setPermissions(path, QFile::ReadOwner));
            QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner));
        }
        const auto reopened = Database::open(*DatabaseUrl::parse(path));
        QVERIFY(!reopened);
        qInfo("%s", qPrintable(reopened.error().message));
        QVERIFY2(reopened.error().message.contains(path), qPrintable(reopened.error().message));
        QVERIFY2(reopened.error().message.contains(QStringLiteral("read-only")), qPrintable(reopened.error().message));
    }

    // The database turns read-only under a running writer (PRAGMA query_only: SQLite's SQLITE_READONLY, the
    // error a remounted file system gives): emit fails, names the file, and writes nothing.
    void readOnlyWhileRunningRefusesWrites()
    {
        QVERIFY(openAt(m_dir.filePath(QStringLiteral("readonly.db"))));
        addWebhook(QStringLiteral("https://127.0.0.1:9/hook"));
        QVERIFY(emitOne(1));
        QVERIFY(QSqlQuery(m_db->connection()).exec(QStringLiteral("PRAGMA query_only = 1")));
        const auto r = emitOne(2);
        QVERIFY(!r);
        verifyClearError(r.error(), m_path, QStringLiteral("readonly"));
        QCOMPARE(count(QStringLiteral("events")), 1);
        QVERIFY(QSqlQuery(m_db->connection()).exec(QStringLiteral("PRAGMA query_only = 0")));
        QVERIFY(emitOne(3));
        QCOMPARE(count(QStringLiteral("events")), 2);
    }

    // Another process holds an exclusive write transaction beyond the busy timeout: emit gives up after
    // the timeout with a "locked" error naming the file, then works once the lock is gone.
    void lockedDatabaseTimesOutClearly()
    {
        Database::Options options;
        options.busyTimeoutMs = 300;
        QVERIFY(openAt(m_dir.filePath(QStringLiteral("locked.db")), options));
        addWebhook(QStringLiteral("https://127.0.0.1:9/hook"));
        QVERIFY(emitOne(1));
        {
            QSqlDatabase locker = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
            locker.setDatabaseName(m_path);
            QVERIFY(locker.open());
            QSqlQuery q(locker);
            QVERIFY2(q.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(q.lastError().text()));
            QVERIFY(q.exec(QStringLiteral("UPDATE webhooks SET name = 'held'")));
            QElapsedTimer t;
            t.start();
            const auto r = emitOne(2);
            QVERIFY(!r);
            QVERIFY(t.elapsed() >= 250);
            verifyClearError(r.error(), m_path, QStringLiteral("locked"));
            QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
            locker.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("locker"));
        QVERIFY(emitOne(3));
        QCOMPARE(count(QStringLiteral("events")), 2);
    }

    // The file is deleted while the engine runs. SQLite would keep writing into the unlinked inode and
    // every "acknowledged" event would vanish with the process; emit refuses instead, naming the file.
    void deletedFileRefusesWrites()
    {
        QVERIFY(openAt(m_dir.filePath(QStringLiteral("deleted.db"))));
        addWebhook(QStringLiteral("https://127.0.0.1:9/hook"));
        QVERIFY(emitOne(1));
        for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(m_path + suffix);
        const auto r = emitOne(2);
        QVERIFY(!r);
        verifyClearError(r.error(), m_path, QStringLiteral("deleted"));
        QVERIFY(!QFile::exists(m_path)); // nothing recreated behind the user's back
    }
};

QTEST_GUILESS_MAIN(TestStorageFaults)
#include "tst_storagefaults.moc"
