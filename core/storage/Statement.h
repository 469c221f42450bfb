#pragma once

#include <QByteArray>
#include <QString>
#include <memory>
#include <optional>

class QSqlQuery;
struct sqlite3;
struct sqlite3_stmt;

namespace outhook {

// A kept statement for the hottest writes (recording attempts). On SQLite it drives sqlite3 directly:
// QSqlResult::addBindValue formats and hashes a placeholder name for every value it binds, which was a
// fifth of the storage thread's time in the dispatch benchmark. On PostgreSQL it forwards to a QSqlQuery.
// Values are bound in placeholder ("?") order; exec() resets them for the next use.
class Statement
{
public:
    Statement(sqlite3* db, const QString& sql);
    explicit Statement(std::unique_ptr<QSqlQuery> query);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool isValid() const; // prepared without error

    Statement& bind(qint64 value);
    Statement& bind(const QString& value);    // a null QString binds NULL, as Qt does
    Statement& bind(const QByteArray& value); // as a blob, as Qt does
    // UTF-8 bytes as text, without a round trip through UTF-16 (a 1 KiB event payload, say).
    Statement& bindText(const QByteArray& utf8);
    Statement& bind(std::optional<qint64> value);
    Statement& bind(const char*) = delete; // say QString or QByteArray

    // Runs the statement with the values bound since the last run. False on error (see error()).
    bool exec();
    // Steps to the next row a SELECT or RETURNING gave; int64() reads it.
    bool next();
    qint64 int64(int column) const;
    QByteArray text(int column) const; // a text column's UTF-8 bytes (null for NULL)
    // Rows the last exec() of an INSERT, UPDATE or DELETE changed.
    qint64 rowsAffected() const;
    // Ends the current run (open rows and bound values).
    void reset();
    QString error() const { return m_error; }

private:
    void bindUtf8(const QByteArray& utf8); // SQLite, at m_bound

    std::unique_ptr<QSqlQuery> m_query; // PostgreSQL
    sqlite3* m_db = nullptr;            // SQLite
    sqlite3_stmt* m_stmt = nullptr;
    int m_bound = 0;
    bool m_rowReady = false; // exec() stepped onto a first row that next() has not handed out yet
    bool m_started = false;  // next() has handed out a row
    QString m_error;
};

} // namespace outhook
