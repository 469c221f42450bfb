#pragma once

#include "util/Result.h"

#include <QString>

namespace outhook {

// Where the data lives: an SQLite file (the embedded default) or a PostgreSQL server (team mode).
struct DatabaseUrl
{
    enum class Backend
    {
        Sqlite,
        Postgres
    };
    Backend backend = Backend::Sqlite;
    QString path; // sqlite: absolute file path
    QString host; // postgres
    int port = 5432;
    QString user;
    QString password;
    QString databaseName;

    // Accepts "sqlite:///abs/path.db", a plain path, "postgres://user:pass@host:port/db" (or postgresql://).
    static Result<DatabaseUrl> parse(const QString& text);
    // outhook.db in QStandardPaths::AppDataLocation.
    static QString defaultSqlitePath();
    // --db wins, then $OUTHOOK_DB, then the default file.
    static QString resolve(const QString& flagValue);
    // For messages and logs: never shows the password.
    QString displayString() const;
};

} // namespace outhook
