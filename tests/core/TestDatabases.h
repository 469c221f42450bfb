#pragma once

#include "storage/Database.h"

#include <QCoreApplication>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QTest>

// The storage and queue suites run against both backends: the same test code, with the backend as
// global data. PostgreSQL comes from scripts/test-postgres (OUTHOOK_TEST_PG_URL); without it the
// postgres rows fail, they never skip silently.
namespace outhook::test {

inline void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

// A freshly migrated, empty database for the current backend row. PostgreSQL gets a clean schema.
// With `wipe` false, the same database again as it was left (an upgrade test's second open).
inline std::shared_ptr<Database> freshDatabase(const QString& sqlitePath, bool wipe = true)
{
    QFETCH_GLOBAL(QString, backend);
    if (backend == QLatin1String("sqlite")) {
        auto db = Database::open(*DatabaseUrl::parse(sqlitePath));
        if (!db)
            qWarning("%s", qPrintable(db.error().message));
        return db ? *db : nullptr;
    }
    const QString url = qEnvironmentVariable("OUTHOOK_TEST_PG_URL");
    if (url.isEmpty()) {
        qWarning("OUTHOOK_TEST_PG_URL is not set: run through scripts/test-postgres");
        return nullptr;
    }
    // ctest runs test binaries in parallel: each gets a database of its own, emptied before every test.
    DatabaseUrl parsed = *DatabaseUrl::parse(url);
    const QString own =
        parsed.databaseName + QLatin1Char('_') +
        QCoreApplication::applicationName().toLower().remove(QRegularExpression(QStringLiteral("[^a-z0-9_]")));
    for (const QString& name : {parsed.databaseName, own}) {
        if (!wipe)
            break;
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("reset"));
        raw.setHostName(parsed.host);
        raw.setPort(parsed.port);
        raw.setUserName(parsed.user);
        raw.setDatabaseName(name);
        if (raw.open()) {
            {
                QSqlQuery q(raw);
                if (name == parsed.databaseName) {
                    q.prepare(QStringLiteral("SELECT 1 FROM pg_database WHERE datname = ?"));
                    q.addBindValue(own);
                    if (q.exec() && !q.next())
                        q.exec(QStringLiteral("CREATE DATABASE ") + own);
                } else {
                    q.exec(QStringLiteral("SET client_min_messages = warning"));
                    q.exec(QStringLiteral("DROP SCHEMA public CASCADE"));
                    q.exec(QStringLiteral("CREATE SCHEMA public"));
                }
            } // the prepared statement is freed while the connection is still open
            raw.close();
        }
        raw = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("reset"));
    }
    parsed.databaseName = own;
    auto db = Database::open(parsed);
    if (!db)
        qWarning("%s", qPrintable(db.error().message));
    return db ? *db : nullptr;
}

// Where delivery_counts disagrees with counting the deliveries themselves, one line per (webhook, slot,
// status) that differs; empty when they agree. Counters left at zero count as absent.
inline QString deliveryCountsMismatch(Database& db)
{
    const auto read = [&](const QString& sql) {
        QMap<QString, qint64> out;
        QSqlQuery q(db.connection());
        if (!q.exec(sql))
            out.insert(QStringLiteral("query failed: ") + sql, -1);
        while (q.next()) {
            if (q.value(3).toLongLong() != 0)
                out.insert(QStringLiteral("webhook %1 slot %2 %3")
                               .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString()),
                           q.value(3).toLongLong());
        }
        return out;
    };
    const auto counted = read(QStringLiteral("SELECT webhook_id, slot, status, n FROM delivery_counts"));
    const auto actual = read(QStringLiteral("SELECT webhook_id, created_at / 900000, status, COUNT(*) FROM deliveries "
                                            "GROUP BY webhook_id, created_at / 900000, status"));
    QStringList diff;
    QSet<QString> keys;
    for (const QString& k : counted.keys() + actual.keys())
        keys.insert(k);
    for (const QString& k : keys) {
        if (counted.value(k) != actual.value(k))
            diff << QStringLiteral("%1: counted %2, actually %3").arg(k).arg(counted.value(k)).arg(actual.value(k));
    }
    diff.sort();
    return diff.join(QLatin1Char('\n'));
}

} // namespace outhook::test
