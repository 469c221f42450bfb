#include "storage/Database.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

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

} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

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

    void reopenIsIdempotent()
    {
        const QString file = path(QStringLiteral("reopen.db"));
        {
            auto db = Database::open(urlFor(file));
            QVERIFY(db);
            QSqlQuery q((*db)->connection());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('a.b', 'a', 1)")));
        }
        auto again = Database::open(urlFor(file));
        QVERIFY2(again, qPrintable(again.error().message));
        QCOMPARE(scalar(**again, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 1);
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

    void refusesNewerSchema()
    {
        const QString file = path(QStringLiteral("newer.db"));
        {
            auto db = Database::open(urlFor(file));
            QVERIFY(db);
            QSqlQuery q((*db)->connection());
            QVERIFY(q.exec(QStringLiteral("UPDATE outhook_meta SET value = '999' WHERE key = 'schema_version'")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
        }
        const QByteArray before = fileHash(file);
        const auto db = Database::open(urlFor(file));
        QVERIFY(!db);
        QVERIFY2(db.error().message.contains(QLatin1String("newer")), qPrintable(db.error().message));
        QCOMPARE(fileHash(file), before);
    }

    void refusesDirectory()
    {
        const auto db = Database::open(urlFor(m_dir.path()));
        QVERIFY(!db);
        QVERIFY(db.error().message.contains(QLatin1String("directory")));
    }

    void oneConnectionPerThread()
    {
        auto db = Database::open(urlFor(path(QStringLiteral("threads.db"))));
        QVERIFY(db);
        const QString mainName = (*db)->connection().connectionName();
        QString workerName;
        int workerCount = -1;
        QThread* t = QThread::create([&] {
            QSqlDatabase c = (*db)->connection();
            workerName = c.connectionName();
            QSqlQuery q(c);
            if (q.exec(QStringLiteral("SELECT COUNT(*) FROM webhooks")) && q.next())
                workerCount = q.value(0).toInt();
            q.finish();
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

    void transactionRollsBackOnError()
    {
        auto db = Database::open(urlFor(path(QStringLiteral("tx.db"))));
        QVERIFY(db);
        const Status s = (*db)->transaction([](QSqlDatabase& c) -> Status {
            QSqlQuery q(c);
            q.exec(QStringLiteral("INSERT INTO event_types (name, kind, created_at) VALUES ('x.y', 'x', 1)"));
            return Error::storage(QStringLiteral("boom"));
        });
        QVERIFY(!s);
        QCOMPARE(scalar(**db, QStringLiteral("SELECT COUNT(*) FROM event_types")).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
