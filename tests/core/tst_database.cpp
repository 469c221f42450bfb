#include "storage/Database.h"
#include "storage/DeliveryLog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtEndian>
#include <sqlite3.h>

using namespace outhook;

namespace {

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

DatabaseUrl urlFor(const QString& path)
{
    return *DatabaseUrl::parse(path);
}

QVariant scalar(Database& db, const QString& sql)
{
    QSqlQuery q(db.connection());
    if (!q.exec(sql) || !q.next())
        return {};
    return q.value(0);
}

bool exec(Database& db, const QString& sql)
{
    QSqlQuery q(db.connection());
    return q.exec(sql);
}

// The checks that are not about SQLite files run against both backends: the backend is row data.
void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

// Runs `statements` on a plain connection to one PostgreSQL database, outside Database.
QString runOnPostgres(const DatabaseUrl& url, const QStringList& statements)
{
    const QString name = QStringLiteral("tst_database-admin");
    QString problem;
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        raw.setHostName(url.host);
        raw.setPort(url.port);
        raw.setUserName(url.user);
        raw.setPassword(url.password);
        raw.setDatabaseName(url.databaseName);
        if (!raw.open()) {
            problem = raw.lastError().text();
        } else {
            {
                QSqlQuery q(raw);
                for (const QString& s : statements) {
                    if (!q.exec(s)) {
                        problem = s + QStringLiteral(": ") + q.lastError().text();
                        break;
                    }
                }
            }
            raw.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return problem;
}

// An empty database, nothing migrated. SQLite: `sqliteFile`, which does not exist yet. PostgreSQL: this
// binary's own database beside $OUTHOOK_TEST_PG_URL's (ctest runs test binaries in parallel), its public
// schema dropped and created again. Without OUTHOOK_TEST_PG_URL the postgres rows fail: they never skip.
Result<DatabaseUrl> emptyDatabase(const QString& backend, const QString& sqliteFile)
{
    if (backend == QLatin1String("sqlite"))
        return DatabaseUrl::parse(sqliteFile);
    const QString env = qEnvironmentVariable("OUTHOOK_TEST_PG_URL");
    if (env.isEmpty())
        return Error::storage(QStringLiteral("OUTHOOK_TEST_PG_URL is not set: run the tests through "
                                             "scripts/test-postgres, e.g. scripts/test-postgres "
                                             "build/tests/core/tst_database"));
    const auto server = DatabaseUrl::parse(env);
    if (!server)
        return server.error();
    DatabaseUrl own = *server;
    own.databaseName = server->databaseName + QStringLiteral("_tst_database");
    QString problem;
    if (runOnPostgres(own, {QStringLiteral("SELECT 1")}).contains(QLatin1String("does not exist")))
        problem = runOnPostgres(*server, {QStringLiteral("CREATE DATABASE ") + own.databaseName});
    if (problem.isEmpty())
        problem = runOnPostgres(own, {QStringLiteral("SET client_min_messages = warning"),
                                      QStringLiteral("DROP SCHEMA IF EXISTS public CASCADE"),
                                      QStringLiteral("CREATE SCHEMA public")});
    if (!problem.isEmpty())
        return Error::storage(QStringLiteral("Cannot prepare an empty PostgreSQL database: ") + problem);
    return own;
}

// What a refused open must leave alone: every table with its columns, and the recorded version.
QStringList fingerprint(const QSqlDatabase& c, bool postgres)
{
    QSqlQuery q(c);
    q.exec(postgres ? QStringLiteral("SELECT table_name || '.' || column_name || ' ' || data_type FROM "
                                     "information_schema.columns WHERE table_schema = 'public' "
                                     "ORDER BY table_name, ordinal_position")
                    : QStringLiteral("SELECT m.name || '.' || p.name || ' ' || p.type FROM sqlite_master m, "
                                     "pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"));
    QStringList out;
    while (q.next())
        out << q.value(0).toString();
    q.exec(QStringLiteral("SELECT value FROM outhook_meta WHERE key = 'schema_version'"));
    out << (q.next() ? q.value(0).toString() : QStringLiteral("no version"));
    return out;
}

QStringList fingerprint(Database& db)
{
    return fingerprint(db.connection(), db.isPostgres());
}

// The same, through a plain connection of its own, for a database that Database refuses to open.
QStringList fingerprint(const DatabaseUrl& url)
{
    const QString name = QStringLiteral("tst_database-look");
    QStringList out;
    {
        const bool pg = url.backend == DatabaseUrl::Backend::Postgres;
        QSqlDatabase raw = QSqlDatabase::addDatabase(pg ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), name);
        if (pg) {
            raw.setHostName(url.host);
            raw.setPort(url.port);
            raw.setUserName(url.user);
            raw.setPassword(url.password);
            raw.setDatabaseName(url.databaseName);
        } else {
            raw.setDatabaseName(url.path);
            raw.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        }
        if (raw.open())
            out = fingerprint(raw, pg);
        raw.close();
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

// Takes a migrated database back to schema version 1: the tables of later migrations go.
bool downgradeToVersion1(Database& db)
{
    for (const char* table :
         {"delivery_counts", "settings", "crypto_meta", "api_keys", "attempts", "deliveries", "events"}) {
        if (!exec(db, QStringLiteral("DROP TABLE ") + QLatin1String(table)))
            return false;
    }
    return exec(db, QStringLiteral("UPDATE outhook_meta SET value = '1' WHERE key = 'schema_version'"));
}

const QStringList kTables{
    QStringLiteral("event_types"), QStringLiteral("webhooks"),   QStringLiteral("webhook_events"),
    QStringLiteral("events"),      QStringLiteral("deliveries"), QStringLiteral("attempts"),
    QStringLiteral("api_keys"),    QStringLiteral("settings"),   QStringLiteral("delivery_counts")};

} // namespace

// Opening, migrating and refusing databases. The checks on files (foreign, damaged, truncated SQLite
// files, pragmas) are SQLite's alone; migrations, version refusal, connections per thread and
// transactions run against both backends, with the backend as row data. By hand:
// scripts/test-postgres build/tests/core/tst_database
class TestDatabase : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }
    // A file name of its own for each test function and row.
    QString rowFile() const
    {
        return path(QString::fromLatin1(QTest::currentTestFunction()) + QLatin1Char('-') +
                    QString::fromLatin1(QTest::currentDataTag()) + QStringLiteral(".db"));
    }

    // Opening must leave a refused file byte-for-byte as it was and create no side files.
    void expectRefusedUntouched(const QString& file, const QString& messageFragment)
    {
        const QByteArray before = fileHash(file);
        const auto db = Database::open(urlFor(file));
        QVERIFY(!db);
        QVERIFY2(db.error().message.contains(messageFragment), qPrintable(db.error().message));
        QCOMPARE(fileHash(file), before);
        QVERIFY(!QFile::exists(file + QStringLiteral("-wal")));
        QVERIFY(!QFile::exists(file + QStringLiteral("-journal")));
    }

private Q_SLOTS:
    void createsAndMigratesFreshFile()
    {
        const QString file = path(QStringLiteral("sub/dir/fresh.db"));
        auto db = Database::open(urlFor(file));
        QVERIFY2(db, qPrintable(db.error().message));
        QVERIFY(QFile::exists(file));
        QCOMPARE((*db)->schemaVersion().value(), Database::latestSchemaVersion());
        QVERIFY(Database::latestSchemaVersion() >= 1);
        QCOMPARE(scalar(**db, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(scalar(**db, QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM webhooks")).toInt(), 0);
    }

    // SQLite's allocation counters are off (they take a process-wide mutex on every malloc and free), set
    // before the first connection: with them on, any connection's work moves sqlite3_memory_used above 0.
    void sqliteKeepsNoAllocationCounters()
    {
        QVERIFY(Database::configureSqliteLibrary());
        auto db = Database::open(urlFor(path(QStringLiteral("counters.db"))));
        QVERIFY2(db, qPrintable(db.error().message));
        QVERIFY(exec(**db, QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('a.b', 'a', 1)")));
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM event_types WHERE name = 'a.b'")).toInt(), 1);
        QCOMPARE(sqlite3_memory_used(), sqlite3_int64(0));
        QCOMPARE(sqlite3_memory_highwater(0), sqlite3_int64(0));
    }

    // Every Log History filter reads an index or a row-id range, not the whole table (SQLite's plan: SEARCH,
    // never SCAN, for deliveries). Version 8 dropped the health indexes the time filter used since version 7
    // and gave it deliveries_by_created (created_at) back.
    void logHistoryFiltersSearchAnIndex_data()
    {
        QTest::addColumn<int>("shape");
        QTest::newRow("webhook") << 0;
        QTest::newRow("outcome") << 1;
        QTest::newRow("event type") << 2;
        QTest::newRow("time window") << 3;
        QTest::newRow("since, next page") << 4;
        QTest::newRow("webhook and time window") << 5;
    }
    void logHistoryFiltersSearchAnIndex()
    {
        QFETCH(int, shape);
        auto db = Database::open(urlFor(path(QStringLiteral("plans.db"))));
        QVERIFY2(db, qPrintable(db.error().message));
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                             "('deliveries_by_created', 'deliveries_health', "
                                             "'deliveries_health_by_webhook')"))
                     .toInt(),
                 1);
        DeliveryFilter f;
        std::optional<qint64> before;
        if (shape == 0 || shape == 5)
            f.webhookId = 1;
        if (shape == 1)
            f.status = DeliveryStatus::Failed;
        if (shape == 2)
            f.eventType = QStringLiteral("invoice.paid");
        if (shape >= 3)
            f.sinceMs = 1000;
        if (shape == 3 || shape == 5)
            f.untilMs = 2000;
        if (shape == 4)
            before = 500;
        QVariantList binds;
        const QString sql = DeliveryLog(*db).listStatement(f, 400, before, binds);
        QSqlQuery q((*db)->connection());
        QVERIFY(q.prepare(QStringLiteral("EXPLAIN QUERY PLAN ") + sql));
        for (const QVariant& b : std::as_const(binds))
            q.addBindValue(b);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        QStringList plan;
        while (q.next())
            plan << q.value(3).toString();
        const QString text = plan.join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QLatin1String("SEARCH d USING ")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("SCAN d")), qPrintable(text));
    }

    void migratesEmptyDatabase_data() { addBackendRows(); }
    void migratesEmptyDatabase()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        auto db = Database::open(*url);
        QVERIFY2(db, qPrintable(db.error().message));
        QCOMPARE((*db)->isPostgres(), backend == QLatin1String("postgres"));
        QCOMPARE((*db)->schemaVersion().value(), Database::latestSchemaVersion());
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM outhook_meta")).toInt(), 1);
        for (const QString& table : kTables) {
            const QVariant rows = scalar(**db, QStringLiteral("SELECT COUNT(*) FROM ") + table);
            QVERIFY2(rows.isValid() && rows.toLongLong() == 0, qPrintable(table));
        }
    }

    void reopenIsIdempotent_data() { addBackendRows(); }
    void reopenIsIdempotent()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        QStringList before;
        {
            auto db = Database::open(*url);
            QVERIFY2(db, qPrintable(db.error().message));
            QVERIFY(
                exec(**db, QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('a.b', 'a', 1)")));
            before = fingerprint(**db);
        }
        auto again = Database::open(*url);
        QVERIFY2(again, qPrintable(again.error().message));
        QCOMPARE(scalar(**again, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 1);
        QCOMPARE(fingerprint(**again), before);
    }

    // A database left at an older version gets the missing migrations, and keeps its data.
    void migratesFromAnOlderVersion_data() { addBackendRows(); }
    void migratesFromAnOlderVersion()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        QStringList latest;
        {
            auto db = Database::open(*url);
            QVERIFY2(db, qPrintable(db.error().message));
            latest = fingerprint(**db);
            QVERIFY(downgradeToVersion1(**db));
            QVERIFY(
                exec(**db, QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('a.b', 'a', 1)")));
            QCOMPARE((*db)->schemaVersion().value(), 1);
        }
        auto db = Database::open(*url);
        QVERIFY2(db, qPrintable(db.error().message));
        QCOMPARE((*db)->schemaVersion().value(), Database::latestSchemaVersion());
        QCOMPARE(fingerprint(**db), latest);
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 1);
    }

    // Without migrating (a viewer that must not change the schema), any other version is refused and
    // nothing is written.
    void refusesOtherVersionWithoutMigrating_data() { addBackendRows(); }
    void refusesOtherVersionWithoutMigrating()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        Database::Options noMigrate;
        noMigrate.migrate = false;
        {
            const auto empty = Database::open(*url, noMigrate);
            QVERIFY(!empty);
            QVERIFY2(empty.error().message.contains(QLatin1String("schema version 0")),
                     qPrintable(empty.error().message));
        }
        QStringList old;
        {
            auto db = Database::open(*url);
            QVERIFY2(db, qPrintable(db.error().message));
            auto current = Database::open(*url, noMigrate);
            QVERIFY2(current, qPrintable(current.error().message));
            QVERIFY(downgradeToVersion1(**db));
            old = fingerprint(**db);
        }
        const auto refused = Database::open(*url, noMigrate);
        QVERIFY(!refused);
        QVERIFY2(
            refused.error().message.contains(
                QStringLiteral("schema version 1, but this Outhook expects %1").arg(Database::latestSchemaVersion())),
            qPrintable(refused.error().message));
        auto look = Database::open(*url, noMigrate); // still refused: nothing was migrated
        QVERIFY(!look);
        Database::Options migrate;
        auto db = Database::open(*url, migrate);
        QVERIFY2(db, qPrintable(db.error().message));
        QVERIFY(fingerprint(**db) != old);
    }

    // Several engines starting at once on one empty database: one migrates, the others wait and find
    // it done (pg_advisory_xact_lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
    void concurrentOpensMigrateOnce_data() { addBackendRows(); }
    void concurrentOpensMigrateOnce()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        if (backend == QLatin1String("sqlite")) {
            // Engines on one SQLite file start after it exists, in WAL mode: switching a brand-new file to
            // WAL is not covered by the busy timeout, so two processes creating one file at the same
            // instant is a separate matter.
            const QString name = QStringLiteral("tst_database-create");
            {
                QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
                raw.setDatabaseName(url->path);
                QVERIFY(raw.open());
                QSqlQuery q(raw);
                QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode=WAL")));
                q.finish();
                raw.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
        constexpr int kEngines = 4;
        QString problems[kEngines];
        int versions[kEngines] = {};
        QList<QThread*> threads;
        for (int i = 0; i < kEngines; ++i) {
            threads << QThread::create([&, i] {
                auto db = Database::open(*url);
                if (!db) {
                    problems[i] = db.error().message;
                    return;
                }
                const auto version = (*db)->schemaVersion();
                versions[i] = version ? *version : -1;
                (*db)->releaseThreadConnection();
            });
        }
        for (QThread* t : threads)
            t->start();
        for (QThread* t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        for (int i = 0; i < kEngines; ++i) {
            QVERIFY2(problems[i].isEmpty(), qPrintable(problems[i]));
            QCOMPARE(versions[i], Database::latestSchemaVersion());
        }
        auto db = Database::open(*url);
        QVERIFY2(db, qPrintable(db.error().message));
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM outhook_meta")).toInt(), 1);
    }

    void durabilityFullSetsSynchronous()
    {
        Database::Options o;
        o.durability = Database::Durability::Full;
        auto db = Database::open(urlFor(path(QStringLiteral("full.db"))), o);
        QVERIFY(db);
        QCOMPARE(scalar(**db, QStringLiteral("PRAGMA synchronous")).toInt(), 2); // FULL
        auto normal = Database::open(urlFor(path(QStringLiteral("normal.db"))));
        QCOMPARE(scalar(**normal, QStringLiteral("PRAGMA synchronous")).toInt(), 1); // NORMAL
    }

    // Commits only report the log's size: a thread of its own copies the log back into the file, and the
    // log still starts over (and stays bounded) under writes that never pause.
    void checkpointsOffTheWritersThread()
    {
        const QString file = path(QStringLiteral("checkpoint.db"));
        auto opened = Database::open(urlFor(file));
        QVERIFY(opened);
        Database& db = **opened;
        QVERIFY(db.checkpointer());
        QSqlQuery q(db.connection());
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE blobs (b BLOB)")));
        const QByteArray blob(64 * 1024, 'x'); // 16 pages
        const auto writeRows = [&](int rows) {
            for (int i = 0; i < rows; ++i) {
                const Status s = db.transaction([&](QSqlDatabase& c) -> Status {
                    QSqlQuery insert(c);
                    insert.prepare(QStringLiteral("INSERT INTO blobs (b) VALUES (?)"));
                    insert.addBindValue(blob);
                    return insert.exec() ? Status() : Database::queryError(insert, QStringLiteral("insert"));
                });
                if (!s)
                    return false;
            }
            return true;
        };
        const auto fileSize = [](const QString& f) { return QFileInfo(f).size(); };

        // Past the background threshold, short of the inline one: only the thread checkpoints.
        QVERIFY(writeRows(Checkpointer::kBackgroundPages / 16 + 10));
        QTRY_COMPARE_WITH_TIMEOUT(db.checkpointer()->counts().background, quint64(1), 10000);
        QCOMPARE(db.checkpointer()->counts().inlined, quint64(0));
        // (The run copies what the log held when it began: at least the threshold's frames, of which some
        // were the same pages written again.)
        QTRY_VERIFY_WITH_TIMEOUT(fileSize(file) >= qint64(Checkpointer::kBackgroundPages) * 3 / 4 * 4096, 10000);

        // Writes without a pause: the commits that reach the inline threshold copy the rest and the log
        // starts over. While a run of the thread's keeps them busy the log grows on, but at the hard limit
        // a commit waits for that run and checkpoints: the log never exceeds the limit by more than two
        // commits' frames (17 of a blob, a leaf and page 1 each). How many of the inline tries find the
        // thread busy depends on how fast each side is (CI once saw one inline checkpoint in 3 thresholds'
        // worth), so the writes span the hard limit twice: two inline checkpoints are certain.
        const int rows = 2 * Checkpointer::kHardPages / 17 + 100;
        QVERIFY(writeRows(rows));
        QVERIFY(db.checkpointer()->counts().inlined >= 2);
        const qint64 walFrame = 4096 + 24;
        const qint64 wal = fileSize(file + QStringLiteral("-wal"));
        QVERIFY2(wal <= 32 + (Checkpointer::kHardPages + 64) * walFrame, qPrintable(QString::number(wal)));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM blobs")).toInt(),
                 Checkpointer::kBackgroundPages / 16 + 10 + rows);
        QCOMPARE(scalar(db, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    void refusesRandomFile()
    {
        const QString file = path(QStringLiteral("random.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray junk(8192, '\0');
        for (int i = 0; i < junk.size(); ++i)
            junk[i] = char((i * 7919) % 251);
        f.write(junk);
        f.close();
        expectRefusedUntouched(file, QStringLiteral("not an Outhook database"));
    }

    void refusesTextFile()
    {
        const QString file = path(QStringLiteral("notes.txt"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("just some notes\n");
        f.close();
        expectRefusedUntouched(file, QStringLiteral("not an Outhook database"));
    }

    void refusesOtherSqliteDatabase()
    {
        const QString file = path(QStringLiteral("other.sqlite"));
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            other.setDatabaseName(file);
            QVERIFY(other.open());
            QSqlQuery q(other);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO customers (name) VALUES ('x')")));
            other.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
        expectRefusedUntouched(file, QStringLiteral("another program"));
    }

    void refusesTruncatedDatabase()
    {
        const QString file = path(QStringLiteral("truncated.db"));
        {
            auto db = Database::open(urlFor(file));
            QVERIFY(db);
            QSqlQuery q((*db)->connection());
            for (int i = 0; i < 200; ++i) {
                q.prepare(QStringLiteral(
                    "INSERT INTO event_types (name, kind, description, created_at) VALUES (?, 'k', ?, 1)"));
                q.addBindValue(QStringLiteral("k.t%1").arg(i));
                q.addBindValue(QString(2000, QLatin1Char('d')));
                QVERIFY(q.exec());
            }
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
        }
        QFile::remove(file + QStringLiteral("-wal"));
        QFile::remove(file + QStringLiteral("-shm"));
        QFile f(file);
        const qint64 full = f.size();
        QVERIFY(full > 100000);
        QVERIFY(f.resize(full / 2));
        expectRefusedUntouched(file, QStringLiteral("truncated"));
    }

    // kill -9 in the middle of a checkpoint: page 1 with the grown size is in the file, the pages past its
    // end only in the log. That is no damage: SQLite reads them from the log, and the file opens whole.
    void opensWhatACheckpointLeftHalfCopied()
    {
        const QString file = path(QStringLiteral("live.db"));
        const QString crashed = path(QStringLiteral("crashed.db"));
        qint64 pages = 0;
        {
            auto db = Database::open(urlFor(file));
            QVERIFY(db);
            QSqlQuery q((*db)->connection());
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
            for (int i = 0; i < 200; ++i) { // about 100 pages: short of a background checkpoint
                q.prepare(QStringLiteral(
                    "INSERT INTO event_types (name, kind, description, created_at) VALUES (?, 'k', ?, 1)"));
                q.addBindValue(QStringLiteral("k.t%1").arg(i));
                q.addBindValue(QString(2000, QLatin1Char('d')));
                QVERIFY(q.exec());
            }
            QCOMPARE((*db)->checkpointer()->counts().background, quint64(0));
            pages = scalar(**db, QStringLiteral("PRAGMA page_count")).toLongLong();
            // The files as a kill -9 leaves them (the -shm is rebuilt from the log).
            QVERIFY(QFile::copy(file, crashed));
            QVERIFY(QFile::copy(file + QStringLiteral("-wal"), crashed + QStringLiteral("-wal")));
        }
        QFile f(crashed);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray header = f.read(100);
        QVERIFY(f.size() < pages * 4096);
        qToBigEndian<quint32>(quint32(pages), header.data() + 28); // the copied page 1's size
        qToBigEndian<quint32>(qFromBigEndian<quint32>(header.constData() + 24), header.data() + 92);
        QVERIFY(f.seek(0));
        QCOMPARE(f.write(header), qint64(100));
        f.close();

        // Without its log, the same file is truncated.
        const QString alone = path(QStringLiteral("alone.db"));
        QVERIFY(QFile::copy(crashed, alone));
        expectRefusedUntouched(alone, QStringLiteral("truncated"));

        auto reopened = Database::open(urlFor(crashed));
        QVERIFY2(reopened, reopened ? "" : qPrintable(reopened.error().message));
        QCOMPARE(scalar(**reopened, QStringLiteral("SELECT COUNT(*) FROM event_types WHERE kind = 'k'")).toInt(), 200);
        QCOMPARE(scalar(**reopened, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    void refusesNewerSchema_data() { addBackendRows(); }
    void refusesNewerSchema()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        QStringList before;
        {
            auto db = Database::open(*url);
            QVERIFY2(db, qPrintable(db.error().message));
            QVERIFY(exec(**db, QStringLiteral("UPDATE outhook_meta SET value = '999' WHERE key = 'schema_version'")));
            if (!(*db)->isPostgres())
                QVERIFY(exec(**db, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
            before = fingerprint(**db);
        }
        const QByteArray fileBefore = backend == QLatin1String("sqlite") ? fileHash(url->path) : QByteArray();
        for (const bool migrate : {true, false}) {
            Database::Options o;
            o.migrate = migrate;
            const auto db = Database::open(*url, o);
            QVERIFY(!db);
            QVERIFY2(db.error().message.contains(QLatin1String(migrate ? "newer" : "schema version 999")),
                     qPrintable(db.error().message));
        }
        if (backend == QLatin1String("sqlite"))
            QCOMPARE(fileHash(url->path), fileBefore);
        QCOMPARE(fingerprint(*url), before);
        QCOMPARE(before.last(), QStringLiteral("999"));
    }

    void refusesDirectory()
    {
        const auto db = Database::open(urlFor(m_dir.path()));
        QVERIFY(!db);
        QVERIFY(db.error().message.contains(QLatin1String("directory")));
    }

    void oneConnectionPerThread_data() { addBackendRows(); }
    void oneConnectionPerThread()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        auto db = Database::open(*url);
        QVERIFY2(db, qPrintable(db.error().message));
        const QString mainName = (*db)->connection().connectionName();
        QString workerName;
        int workerCount = -1;
        QThread* t = QThread::create([&] {
            {
                QSqlDatabase c = (*db)->connection();
                workerName = c.connectionName();
                QSqlQuery q(c);
                if (q.exec(QStringLiteral("SELECT COUNT(*) FROM webhooks")) && q.next())
                    workerCount = q.value(0).toInt();
            }
            (*db)->releaseThreadConnection();
        });
        t->start();
        QVERIFY(t->wait(10000));
        delete t;
        QVERIFY(!workerName.isEmpty());
        QVERIFY(workerName != mainName);
        QCOMPARE(workerCount, 0);
        QVERIFY(!QSqlDatabase::contains(workerName));
    }

    // The statement behind recording attempts stores what QSqlQuery stored: NULL for a null QString or an
    // empty optional, blobs byte for byte, text as text; RETURNING rows come back, and an error is told.
    void fastStatementStoresWhatQtStores_data() { addBackendRows(); }
    void fastStatementStoresWhatQtStores()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        auto db = Database::open(*url);
        QVERIFY2(db, qPrintable(db.error().message));
        Database& d = **db;
        QVERIFY(exec(d, QStringLiteral("CREATE TABLE fast_t (i BIGINT PRIMARY KEY, s TEXT, b %1, n BIGINT)")
                            .arg(d.isPostgres() ? QStringLiteral("BYTEA") : QStringLiteral("BLOB"))));
        const QString insertSql = QStringLiteral("INSERT INTO fast_t (i, s, b, n) VALUES (?, ?, ?, ?)");
        const QByteArray blob("\0\x01\xff", 3);
        Statement& insert = d.fastStatement(insertSql);
        QVERIFY2(insert.isValid(), qPrintable(insert.error()));
        QVERIFY(insert.bind(qint64(1)).bind(QString()).bind(blob).bind(std::optional<qint64>()).exec());
        Statement& again = d.fastStatement(insertSql);
        QCOMPARE(&again, &insert); // kept
        QVERIFY(again.bind(qint64(2)).bind(QStringLiteral("caf\u00e9")).bind(QByteArray("")).bind(qint64(5)).exec());

        QSqlQuery q(d.connection());
        QVERIFY(q.exec(QStringLiteral("SELECT i, s, b, n FROM fast_t ORDER BY i")));
        QVERIFY(q.next());
        QVERIFY(q.value(1).isNull());
        QCOMPARE(q.value(2).toByteArray(), blob);
        QVERIFY(q.value(3).isNull());
        QVERIFY(q.next());
        QCOMPARE(q.value(1).toString(), QStringLiteral("caf\u00e9"));
        QCOMPARE(q.value(2).toByteArray(), QByteArray(""));
        QCOMPARE(q.value(3).toLongLong(), 5);
        q.finish();

        Statement& update = d.fastStatement(QStringLiteral("UPDATE fast_t SET n = ? WHERE i >= ? RETURNING i"));
        QVERIFY(update.bind(qint64(9)).bind(qint64(1)).exec());
        QList<qint64> returned;
        while (update.next())
            returned << update.int64(0);
        std::sort(returned.begin(), returned.end());
        QCOMPARE(returned, (QList<qint64>{1, 2}));
        QCOMPARE(scalar(d, QStringLiteral("SELECT COUNT(*) FROM fast_t WHERE n = 9")).toInt(), 2);

        Statement& duplicate = d.fastStatement(insertSql);
        QVERIFY(!duplicate.bind(qint64(1)).bind(QString()).bind(QByteArray()).bind(qint64(0)).exec());
        QVERIFY(!duplicate.error().isEmpty());
        QVERIFY(d.statementError(duplicate, QStringLiteral("inserting")).message.contains(QLatin1String("inserting")));
        Statement& after = d.fastStatement(insertSql); // usable again after the error
        QVERIFY(after.bind(qint64(3)).bind(QString()).bind(QByteArray()).bind(qint64(0)).exec());
        QCOMPARE(scalar(d, QStringLiteral("SELECT COUNT(*) FROM fast_t")).toInt(), 3);
    }

    void transactionRollsBackOnError_data() { addBackendRows(); }
    void transactionRollsBackOnError()
    {
        QFETCH(QString, backend);
        const auto url = emptyDatabase(backend, rowFile());
        QVERIFY2(url, qPrintable(url.error().message));
        auto db = Database::open(*url);
        QVERIFY2(db, qPrintable(db.error().message));
        const Status s = (*db)->transaction([](QSqlDatabase& c) -> Status {
            QSqlQuery q(c);
            if (!q.exec(QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('x.y', 'x', 1)")))
                return Database::queryError(q, QStringLiteral("inserting"));
            return Error::storage(QStringLiteral("boom"));
        });
        QVERIFY(!s);
        QCOMPARE(s.error().message, QStringLiteral("boom"));
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 0);

        // A statement that fails inside (PostgreSQL then refuses everything until the rollback) rolls the
        // whole transaction back, and the connection is fine afterwards.
        const Status failed = (*db)->transaction([](QSqlDatabase& c) -> Status {
            QSqlQuery q(c);
            for (int i = 0; i < 2; ++i) {
                if (!q.exec(QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('x.y', 'x', 1)")))
                    return Database::queryError(q, QStringLiteral("inserting"));
            }
            return {};
        });
        QVERIFY(!failed);
        QVERIFY2(failed.error().message.contains(QLatin1String("inserting")), qPrintable(failed.error().message));
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 0);
        const Status ok = (*db)->transaction([](QSqlDatabase& c) -> Status {
            QSqlQuery q(c);
            if (!q.exec(QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('x.y', 'x', 1)")))
                return Database::queryError(q, QStringLiteral("inserting"));
            return {};
        });
        QVERIFY2(ok, qPrintable(ok.error().message));
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
