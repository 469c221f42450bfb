#pragma once

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStringList>
#include <QUuid>
#include <QVariant>

#include <algorithm>

namespace outhook::test {

// A canonical dump of every table of an SQLite file (rows in sorted order, every column), and its
// SHA-256: equal fingerprints before and after an operation mean it changed nothing. Opens its own
// read-only connection, so it works while another process (outhookd serve) has the file open.
// `ignoredColumns` ("table.column") leaves out bookkeeping that changes on every request, such as
// api_keys.last_used_at.
struct DbFingerprint
{
    QByteArray hash;
    QStringList counts; // "webhooks=3", ... for readable failure messages

    bool operator==(const DbFingerprint& o) const { return hash == o.hash; }

    static DbFingerprint of(const QString& sqlitePath, const QStringList& ignoredColumns = {})
    {
        DbFingerprint f;
        const QString name = QStringLiteral("fingerprint-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(sqlitePath);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
            if (!db.open())
                return f;
            QStringList tables;
            QSqlQuery t(db);
            t.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
            while (t.next())
                tables << t.value(0).toString();
            QCryptographicHash hash(QCryptographicHash::Sha256);
            for (const QString& table : std::as_const(tables)) {
                QSqlQuery q(db);
                q.exec(QStringLiteral("SELECT * FROM \"%1\"").arg(table));
                QList<QByteArray> rows;
                while (q.next()) {
                    QJsonArray row;
                    const QSqlRecord r = q.record();
                    for (int i = 0; i < r.count(); ++i) {
                        if (ignoredColumns.contains(table + QLatin1Char('.') + r.fieldName(i)))
                            continue;
                        const QVariant v = q.value(i);
                        row.append(v.isNull() ? QJsonValue() : QJsonValue(v.toString()));
                    }
                    rows << QJsonDocument(row).toJson(QJsonDocument::Compact);
                }
                std::sort(rows.begin(), rows.end());
                hash.addData(QByteArray(table.toUtf8() + '\n'));
                for (const QByteArray& row : std::as_const(rows))
                    hash.addData(QByteArray(row + '\n'));
                f.counts << QStringLiteral("%1=%2").arg(table).arg(rows.size());
            }
            f.hash = hash.result().toHex();
        }
        QSqlDatabase::removeDatabase(name);
        return f;
    }
};

} // namespace outhook::test
