#include "api/Health.h"

#include "storage/Database.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace outhook::api::health {

namespace {

ApiResponse status(int code, const QJsonObject& body)
{
    ApiResponse r;
    r.status = code;
    r.headers.append({QByteArray("Content-Type"), QByteArray("application/json")});
    r.headers.append({QByteArray("Cache-Control"), QByteArray("no-store")});
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

ApiResponse unready(const QString& reason)
{
    return status(503, {{QStringLiteral("status"), QStringLiteral("unready")}, {QStringLiteral("reason"), reason}});
}

} // namespace

ApiResponse liveness()
{
    return status(200, {{QStringLiteral("status"), QStringLiteral("ok")}});
}

ApiResponse readiness(Database& db)
{
    // An open SQLite connection keeps answering from its file descriptor after the file is removed or
    // made unreadable; a restart, or another engine, could not open it. Look at the path too.
    if (!db.isPostgres()) {
        const QFileInfo file(db.url().path);
        if (!file.isFile() || !file.isReadable() || !file.isWritable())
            return unready(QStringLiteral("database unreachable"));
    }
    const auto version = db.schemaVersion();
    if (!version) {
        // A PostgreSQL connection that lost its server stays broken; open a fresh one next time.
        if (db.isPostgres())
            db.releaseThreadConnection();
        return unready(QStringLiteral("database unreachable"));
    }
    if (*version != Database::latestSchemaVersion())
        return unready(QStringLiteral("schema not at the current version"));
    return status(200, {{QStringLiteral("status"), QStringLiteral("ready")}});
}

} // namespace outhook::api::health
