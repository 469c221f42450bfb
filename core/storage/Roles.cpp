#include "storage/Roles.h"

#include <QCoreApplication>
#include <QSqlDriver>

namespace outhook::roles {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("Roles", text);
}

// The webhook columns support may read: everything but credentials, custom headers (their values may
// be secrets) and signing secrets.
const char* kPublicWebhookColumns =
    "id, name, url, is_active, auth_type, auth_username, retry_schedule, timeout_seconds, disabled_reason, "
    "created_at, updated_at, last_triggered_at, last_success_at, last_failure_at, failure_count, failing_since";

} // namespace

Status initRoles(Database& db)
{
    if (!db.isPostgres())
        return Error::usage(tr("Database roles need PostgreSQL; an SQLite file is protected by file permissions"));
    const QStringList statements{
        QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'outhook_admin') THEN "
                       "CREATE ROLE outhook_admin NOLOGIN; END IF; IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE "
                       "rolname = 'outhook_support') THEN CREATE ROLE outhook_support NOLOGIN; END IF; END $$"),
        QStringLiteral("GRANT USAGE ON SCHEMA public TO outhook_admin, outhook_support"),
        QStringLiteral("GRANT ALL ON ALL TABLES IN SCHEMA public TO outhook_admin"),
        QStringLiteral("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO outhook_admin"),
        QStringLiteral("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM outhook_support"),
        QStringLiteral("GRANT SELECT ON outhook_meta, event_types, webhook_events, events, deliveries, attempts, "
                       "settings, delivery_counts TO outhook_support"),
        QStringLiteral("GRANT SELECT (") + QLatin1String(kPublicWebhookColumns) +
            QStringLiteral(") ON webhooks TO outhook_support"),
        QStringLiteral("GRANT UPDATE (next_attempt_at, next_trigger, updated_at) ON deliveries TO outhook_support"),
        // Test sends: support queues the event and delivery; an admin engine signs and sends it.
        QStringLiteral("GRANT INSERT ON events, deliveries TO outhook_support"),
        QStringLiteral("GRANT INSERT, UPDATE ON delivery_counts TO outhook_support"),
        QStringLiteral("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO outhook_support"),
    };
    return db.transaction([&](QSqlDatabase& c) -> Status {
        QSqlQuery q(c);
        for (const QString& s : statements) {
            if (!q.exec(s))
                return Database::queryError(q, tr("setting up roles"));
        }
        return {};
    });
}

Status grant(Database& db, const QString& user, const QString& role)
{
    if (!db.isPostgres())
        return Error::usage(tr("Database roles need PostgreSQL"));
    if (role != QLatin1String("admin") && role != QLatin1String("support"))
        return Error::validation(QStringLiteral("role"), tr("Role must be admin or support"));
    if (user.trimmed().isEmpty() || user.size() > 63)
        return Error::validation(QStringLiteral("user"), tr("User must be a PostgreSQL role name"));
    QSqlDatabase c = db.connection();
    const QString ident = c.driver()->escapeIdentifier(user, QSqlDriver::TableName);
    QSqlQuery q(c);
    if (!q.exec(QStringLiteral("GRANT outhook_") + role + QStringLiteral(" TO ") + ident))
        return Database::queryError(q, tr("granting %1 to %2").arg(role, user));
    return {};
}

Result<Permissions> current(Database& db)
{
    Permissions p;
    if (!db.isPostgres())
        return p;
    QSqlQuery q(db.connection());
    if (!q.exec(QStringLiteral("SELECT has_table_privilege('webhooks', 'UPDATE'), "
                               "has_column_privilege('webhooks', 'secret', 'SELECT')")) ||
        !q.next())
        return Database::queryError(q, tr("checking privileges"));
    p.canEditWebhooks = q.value(0).toBool();
    p.canReadSecrets = q.value(1).toBool();
    return p;
}

} // namespace outhook::roles
