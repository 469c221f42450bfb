#include "storage/Statement.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

namespace outhook {

Statement::Statement(sqlite3* db, const QString& sql)
    : m_db(db)
{
    if (!db) {
        m_error = QStringLiteral("no SQLite connection");
        return;
    }
    const QByteArray utf8 = sql.toUtf8();
    if (sqlite3_prepare_v3(db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) !=
        SQLITE_OK)
        m_error = QString::fromUtf8(sqlite3_errmsg(db));
}

Statement::Statement(std::unique_ptr<QSqlQuery> query)
    : m_query(std::move(query))
{
    if (m_query->lastError().type() != QSqlError::NoError)
        m_error = m_query->lastError().text();
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt); // a no-op on nullptr
}

bool Statement::isValid() const
{
    return m_query ? m_query->lastError().type() == QSqlError::NoError : m_stmt != nullptr;
}

Statement& Statement::bind(qint64 value)
{
    if (m_query)
        m_query->addBindValue(value);
    else if (m_stmt)
        sqlite3_bind_int64(m_stmt, ++m_bound, value);
    return *this;
}

Statement& Statement::bind(const QString& value)
{
    if (m_query) {
        m_query->addBindValue(value);
    } else if (m_stmt) {
        ++m_bound;
        if (value.isNull())
            sqlite3_bind_null(m_stmt, m_bound);
        else // UTF-8, the database's encoding: Qt's SIMD conversion beats SQLite's translation per character
            bindUtf8(value.toUtf8());
    }
    return *this;
}

Statement& Statement::bind(const QByteArray& value)
{
    if (m_query) {
        m_query->addBindValue(value);
    } else if (m_stmt) {
        ++m_bound;
        if (value.isNull())
            sqlite3_bind_null(m_stmt, m_bound);
        else
            sqlite3_bind_blob64(m_stmt, m_bound, value.constData(), sqlite3_uint64(value.size()), SQLITE_TRANSIENT);
    }
    return *this;
}

Statement& Statement::bindText(const QByteArray& utf8)
{
    if (m_query) {
        m_query->addBindValue(utf8.isNull() ? QString() : QString::fromUtf8(utf8));
    } else if (m_stmt) {
        ++m_bound;
        if (utf8.isNull())
            sqlite3_bind_null(m_stmt, m_bound);
        else
            bindUtf8(utf8);
    }
    return *this;
}

void Statement::bindUtf8(const QByteArray& utf8)
{
    sqlite3_bind_text64(m_stmt, m_bound, utf8.constData(), sqlite3_uint64(utf8.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
}

Statement& Statement::bind(std::optional<qint64> value)
{
    if (value)
        return bind(*value);
    if (m_query)
        m_query->addBindValue(QVariant(QMetaType::fromType<qint64>()));
    else if (m_stmt)
        sqlite3_bind_null(m_stmt, ++m_bound);
    return *this;
}

bool Statement::exec()
{
    m_rowReady = m_started = false;
    m_error.clear();
    if (m_query) {
        if (m_query->exec())
            return true;
        m_error = m_query->lastError().text();
        return false;
    }
    if (!m_stmt)
        return false;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        m_rowReady = true;
        return true;
    }
    if (rc != SQLITE_DONE)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    reset(); // also drops the bound copies (a response body can be large)
    return rc == SQLITE_DONE;
}

bool Statement::next()
{
    if (m_query)
        return m_query->next();
    if (!m_stmt)
        return false;
    if (m_rowReady) {
        m_rowReady = false;
        m_started = true;
        return true;
    }
    if (m_started && sqlite3_step(m_stmt) == SQLITE_ROW)
        return true;
    reset();
    return false;
}

qint64 Statement::int64(int column) const
{
    if (m_query)
        return m_query->value(column).toLongLong();
    return m_stmt ? sqlite3_column_int64(m_stmt, column) : 0;
}

QByteArray Statement::text(int column) const
{
    if (m_query) {
        const QVariant v = m_query->value(column);
        return v.isNull() ? QByteArray() : v.toString().toUtf8();
    }
    if (!m_stmt || sqlite3_column_type(m_stmt, column) == SQLITE_NULL)
        return {};
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return QByteArray(bytes ? bytes : "", sqlite3_column_bytes(m_stmt, column));
}

qint64 Statement::rowsAffected() const
{
    if (m_query)
        return m_query->numRowsAffected();
    return m_db ? qint64(sqlite3_changes(m_db)) : 0;
}

void Statement::reset()
{
    m_rowReady = m_started = false;
    if (m_query) {
        m_query->finish();
        return;
    }
    m_bound = 0;
    if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

} // namespace outhook
