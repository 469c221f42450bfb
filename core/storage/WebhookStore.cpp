#include "storage/WebhookStore.h"

#include "model/WebhookValidator.h"
#include "signing/Secret.h"
#include "storage/SecretColumns.h"

#include <QCoreApplication>
#include <QHash>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("WebhookStore", text);
}

const QString kColumns = QStringLiteral(
    "id, name, url, is_active, auth_type, auth_username, auth_secret, headers, secret, previous_secret, "
    "previous_secret_expires_at, retry_schedule, timeout_seconds, disabled_reason, created_at, updated_at, "
    "last_triggered_at, last_success_at, last_failure_at, failure_count, failing_since");

std::optional<qint64> optMs(const QVariant& v)
{
    return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}

QVariant fromOpt(std::optional<qint64> v)
{
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<qint64>());
}

// Decrypts the secret columns with `box` (nullptr for support users, whose query selects no secrets).
Result<Webhook> fromRow(const QSqlQuery& q, const security::SecretBox* box)
{
    Webhook w;
    w.id = q.value(0).toLongLong();
    w.name = q.value(1).toString();
    w.url = q.value(2).toString();
    w.isActive = q.value(3).toInt() != 0;
    AuthConfig::parseType(q.value(4).toString(), &w.auth.type);
    w.auth.username = q.value(5).toString();
    const auto open = [&](int column, const QString& context) -> Result<QString> {
        const QString stored = q.value(column).toString();
        if (!security::SecretBox::isSealed(stored))
            return stored; // empty, legacy plaintext, or a placeholder for support users
        if (!box)
            return Error::storage(
                tr("Webhook %1: %2 is encrypted, but no master key is loaded").arg(w.id).arg(context));
        auto plain = box->open(stored, context);
        if (!plain)
            return Error::storage(tr("Webhook %1: %2").arg(w.id).arg(plain.error().message));
        return plain;
    };
    const auto authSecret = open(6, secretcolumns::kAuthSecret);
    const auto secret = open(8, secretcolumns::kSecret);
    const auto previous = open(9, secretcolumns::kPreviousSecret);
    auto headers = secretcolumns::headersFromStorage(q.value(7).toString(), box);
    for (const Result<QString>* r : {&authSecret, &secret, &previous}) {
        if (!*r)
            return r->error();
    }
    if (!headers)
        return Error::storage(tr("Webhook %1: %2").arg(w.id).arg(headers.error().message));
    if (w.auth.type == AuthConfig::Type::Basic)
        w.auth.password = *authSecret;
    else if (w.auth.type == AuthConfig::Type::Bearer)
        w.auth.token = *authSecret;
    w.headers = *headers;
    w.secret = *secret;
    w.previousSecret = *previous;
    w.previousSecretExpiresAt = optMs(q.value(10));
    w.retrySchedule = RetrySchedule::fromStorageString(q.value(11).toString()).value_or(RetrySchedule());
    w.timeoutSeconds = q.value(12).toInt();
    w.disabledReason = q.value(13).toString();
    w.createdAt = q.value(14).toLongLong();
    w.updatedAt = q.value(15).toLongLong();
    w.lastTriggeredAt = optMs(q.value(16));
    w.lastSuccessAt = optMs(q.value(17));
    w.lastFailureAt = optMs(q.value(18));
    w.failureCount = q.value(19).toInt();
    w.failingSince = optMs(q.value(20));
    return w;
}

// A null QString binds as SQL NULL; the text columns are NOT NULL, so bind empty strings instead.
QString text(const QString& s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString authSecret(const AuthConfig& a, const security::SecretBox& box)
{
    switch (a.type) {
    case AuthConfig::Type::Basic:
        return box.seal(a.password, secretcolumns::kAuthSecret);
    case AuthConfig::Type::Bearer:
        return box.seal(a.token, secretcolumns::kAuthSecret);
    case AuthConfig::Type::None:
        break;
    }
    return text({});
}

Error noKey()
{
    return Error::storage(tr("Changing webhooks needs the master key, and none is loaded (a user who may not "
                             "read secrets cannot store them either)"));
}

// Custom headers that carry credentials by their very name are treated as secret even when nobody ticked
// the box: sealed at rest and redacted in listings, attempt logs and copy-as-cURL.
void markCredentialHeaders(HeaderList& headers)
{
    static const QStringList kCredentialNames{QStringLiteral("authorization"), QStringLiteral("proxy-authorization"),
                                              QStringLiteral("cookie"), QStringLiteral("x-api-key")};
    for (Header& h : headers)
        h.secret = h.secret || kCredentialNames.contains(h.name.trimmed().toLower());
}

QStringList dedupe(const QStringList& in)
{
    QStringList out;
    for (const QString& s : in) {
        if (!out.contains(s))
            out << s;
    }
    return out;
}

} // namespace

Result<FieldErrors> WebhookStore::validate(const Webhook& w) const
{
    const auto known = m_catalog.names();
    if (!known)
        return known.error();
    const QSet<QString> names = *known;
    return WebhookValidator([&names](const QString& n) { return names.contains(n); }).validate(w);
}

Result<Webhook> WebhookStore::create(Webhook w)
{
    w.events = dedupe(w.events);
    markCredentialHeaders(w.headers);
    const auto errors = validate(w);
    if (!errors)
        return errors.error();
    if (!errors->isEmpty())
        return Error::validation(*errors);

    const security::SecretBox* box = m_db->secretBox();
    if (!box)
        return noKey();
    const qint64 now = m_clock.nowMs();
    w.name = w.name.trimmed();
    w.secret = signing::generateSecret();
    w.createdAt = w.updatedAt = now;
    qint64 id = 0;
    Status s = m_db->transaction([&](QSqlDatabase& db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO webhooks (name, url, is_active, auth_type, auth_username, auth_secret, "
                                 "headers, secret, retry_schedule, timeout_seconds, created_at, updated_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
        for (const QVariant& v : QVariantList{
                 w.name, w.url, int(w.isActive), AuthConfig::typeName(w.auth.type),
                 text(w.auth.type == AuthConfig::Type::Basic ? w.auth.username : QString()), authSecret(w.auth, *box),
                 secretcolumns::headersToStorage(w.headers, *box), box->seal(w.secret, secretcolumns::kSecret),
                 text(w.retrySchedule.toStorageString()), w.timeoutSeconds, now, now})
            q.addBindValue(v);
        if (!q.exec() || !q.next())
            return Database::queryError(q, tr("creating the webhook"));
        id = q.value(0).toLongLong();
        q.finish();
        if (Status st = writeEvents(db, id, w.events); !st)
            return st;
        return m_db->notify(QLatin1String(Database::kChangesChannel));
    });
    if (!s)
        return s.error();
    return get(id);
}

Status WebhookStore::writeEvents(QSqlDatabase& db, qint64 id, const QStringList& events)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("DELETE FROM webhook_events WHERE webhook_id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return Database::queryError(q, tr("updating subscriptions"));
    q.prepare(QStringLiteral("INSERT INTO webhook_events (webhook_id, event_type, position) VALUES (?, ?, ?)"));
    for (qsizetype i = 0; i < events.size(); ++i) {
        q.addBindValue(id);
        q.addBindValue(events.at(i));
        q.addBindValue(int(i));
        if (!q.exec())
            return Database::queryError(q, tr("updating subscriptions"));
    }
    return {};
}

Result<Webhook> WebhookStore::update(const Webhook& input)
{
    const auto existing = get(input.id);
    if (!existing)
        return existing.error();
    Webhook w = input;
    w.events = dedupe(w.events);
    markCredentialHeaders(w.headers);
    w.name = w.name.trimmed();
    // Secrets are write-only: an update that leaves them blank keeps what is stored.
    if (w.auth.type == AuthConfig::Type::Basic && w.auth.password.isEmpty() &&
        existing->auth.type == AuthConfig::Type::Basic)
        w.auth.password = existing->auth.password;
    if (w.auth.type == AuthConfig::Type::Bearer && w.auth.token.isEmpty() &&
        existing->auth.type == AuthConfig::Type::Bearer)
        w.auth.token = existing->auth.token;
    for (Header& h : w.headers) {
        if (!h.secret || h.value != headers::redacted())
            continue;
        for (const Header& old : existing->headers) {
            if (old.name.compare(h.name, Qt::CaseInsensitive) == 0)
                h.value = old.value;
        }
    }
    const auto errors = validate(w);
    if (!errors)
        return errors.error();
    if (!errors->isEmpty())
        return Error::validation(*errors);

    const security::SecretBox* box = m_db->secretBox();
    if (!box)
        return noKey();
    const bool reactivated = w.isActive && !existing->isActive;
    Status s = m_db->transaction([&](QSqlDatabase& db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "UPDATE webhooks SET name = ?, url = ?, is_active = ?, auth_type = ?, auth_username = ?, auth_secret = ?, "
            "headers = ?, retry_schedule = ?, timeout_seconds = ?, updated_at = ?, "
            "disabled_reason = CASE WHEN ? = 1 THEN '' ELSE disabled_reason END, "
            "failure_count = CASE WHEN ? = 1 THEN 0 ELSE failure_count END, "
            "failing_since = CASE WHEN ? = 1 THEN NULL ELSE failing_since END WHERE id = ?"));
        for (const QVariant& v : QVariantList{
                 w.name, w.url, int(w.isActive), AuthConfig::typeName(w.auth.type),
                 text(w.auth.type == AuthConfig::Type::Basic ? w.auth.username : QString()), authSecret(w.auth, *box),
                 secretcolumns::headersToStorage(w.headers, *box), text(w.retrySchedule.toStorageString()),
                 w.timeoutSeconds, m_clock.nowMs(), int(reactivated), int(reactivated), int(reactivated), w.id})
            q.addBindValue(v);
        if (!q.exec())
            return Database::queryError(q, tr("updating webhook %1").arg(w.id));
        if (q.numRowsAffected() == 0)
            return Error::notFound(tr("Webhook %1 not found").arg(w.id));
        if (Status st = writeEvents(db, w.id, w.events); !st)
            return st;
        return m_db->notify(QLatin1String(Database::kChangesChannel));
    });
    if (!s)
        return s.error();
    return get(w.id);
}

Result<QList<Webhook>> WebhookStore::query(const QString& where, const QVariantList& binds, bool kept) const
{
    // The support role may not read credentials, headers or secrets: select placeholders instead.
    static const QString kPublicColumns = QStringLiteral(
        "id, name, url, is_active, auth_type, auth_username, '' AS auth_secret, '[]' AS headers, '' AS secret, "
        "'' AS previous_secret, NULL AS previous_secret_expires_at, retry_schedule, timeout_seconds, "
        "disabled_reason, created_at, updated_at, last_triggered_at, last_success_at, last_failure_at, "
        "failure_count, failing_since");
    const QString sql = QStringLiteral("SELECT ") + (m_db->canReadSecrets() ? kColumns : kPublicColumns) +
                        QStringLiteral(" FROM webhooks ") + where;
    QSqlQuery fresh = kept ? QSqlQuery() : m_db->prepare(sql);
    QSqlQuery& q = kept ? m_db->statement(sql) : fresh;
    for (const QVariant& b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return Database::queryError(q, tr("reading webhooks"));
    QList<Webhook> out;
    QHash<qint64, qsizetype> index;
    while (q.next()) {
        auto w = fromRow(q, m_db->canReadSecrets() ? m_db->secretBox() : nullptr);
        if (!w) {
            q.finish();
            return w.error();
        }
        index.insert(w->id, out.size());
        out.append(*w);
    }
    q.finish();
    if (out.isEmpty())
        return out;
    if (kept && out.size() == 1) {
        QSqlQuery& e = m_db->statement(
            QStringLiteral("SELECT event_type FROM webhook_events WHERE webhook_id = ? ORDER BY position"));
        e.addBindValue(out.first().id);
        if (!e.exec())
            return Database::queryError(e, tr("reading subscriptions"));
        while (e.next())
            out.first().events << e.value(0).toString();
        e.finish();
        return out;
    }
    // One query for all subscriptions of the page, instead of one per webhook.
    QStringList ids;
    for (const Webhook& w : out)
        ids << QString::number(w.id);
    QSqlQuery e =
        m_db->prepare(QStringLiteral("SELECT webhook_id, event_type FROM webhook_events WHERE webhook_id IN (") +
                      ids.join(QLatin1Char(',')) + QStringLiteral(") ORDER BY webhook_id, position"));
    if (!e.exec())
        return Database::queryError(e, tr("reading subscriptions"));
    while (e.next())
        out[index.value(e.value(0).toLongLong())].events << e.value(1).toString();
    return out;
}

Result<Webhook> WebhookStore::get(qint64 id) const
{
    auto rows = query(QStringLiteral("WHERE id = ?"), {id});
    if (!rows)
        return rows.error();
    if (rows->isEmpty())
        return Error::notFound(tr("Webhook %1 not found").arg(id));
    return rows->first();
}

Result<QList<Webhook>> WebhookStore::list() const
{
    return query(QStringLiteral("ORDER BY id"), {});
}

Result<QList<Webhook>> WebhookStore::getMany(const QList<qint64>& ids) const
{
    if (ids.isEmpty())
        return QList<Webhook>();
    // The engine asks for the webhooks of every claim and every ingest commit it is handed, mostly one
    // or a few: kept statements for those. Preparing the two queries was half the time of each call.
    if (ids.size() <= 8) {
        QList<Webhook> out;
        for (const qint64 id : ids) {
            auto one = query(QStringLiteral("WHERE id = ?"), {id}, true);
            if (!one)
                return one.error();
            out += *one;
        }
        return out;
    }
    QStringList parts;
    for (qint64 id : ids)
        parts << QString::number(id);
    return query(QStringLiteral("WHERE id IN (") + parts.join(QLatin1Char(',')) + QLatin1Char(')'), {});
}

Result<QList<Webhook>> WebhookStore::page(qint64 afterId, int limit) const
{
    return query(QStringLiteral("WHERE id > ? ORDER BY id LIMIT ?"), {afterId, limit});
}

Status WebhookStore::remove(qint64 id)
{
    return m_db->transaction([&](QSqlDatabase& db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM webhooks WHERE id = ?"));
        q.addBindValue(id);
        if (!q.exec())
            return Database::queryError(q, tr("deleting webhook %1").arg(id));
        if (q.numRowsAffected() == 0)
            return Error::notFound(tr("Webhook %1 not found").arg(id));
        return m_db->notify(QLatin1String(Database::kChangesChannel));
    });
}

Result<Webhook> WebhookStore::setActive(qint64 id, bool active)
{
    Status s = m_db->transaction([&](QSqlDatabase& db) -> Status {
        QSqlQuery q(db);
        q.prepare(active ? QStringLiteral("UPDATE webhooks SET is_active = 1, disabled_reason = '', failure_count = 0, "
                                          "failing_since = NULL, updated_at = ? WHERE id = ?")
                         : QStringLiteral("UPDATE webhooks SET is_active = 0, updated_at = ? WHERE id = ?"));
        q.addBindValue(m_clock.nowMs());
        q.addBindValue(id);
        if (!q.exec())
            return Database::queryError(q, tr("changing webhook %1").arg(id));
        if (q.numRowsAffected() == 0)
            return Error::notFound(tr("Webhook %1 not found").arg(id));
        return m_db->notify(QLatin1String(Database::kChangesChannel));
    });
    if (!s)
        return s.error();
    return get(id);
}

Result<Webhook> WebhookStore::rotateSecret(qint64 id, qint64 graceSeconds)
{
    const auto existing = get(id);
    if (!existing)
        return existing.error();
    const security::SecretBox* box = m_db->secretBox();
    if (!box)
        return noKey();
    const qint64 now = m_clock.nowMs();
    Status s = m_db->transaction([&](QSqlDatabase& db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE webhooks SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?, "
                                 "updated_at = ? WHERE id = ?"));
        q.addBindValue(box->seal(signing::generateSecret(), secretcolumns::kSecret));
        q.addBindValue(graceSeconds > 0 ? box->seal(existing->secret, secretcolumns::kPreviousSecret) : text({}));
        q.addBindValue(graceSeconds > 0 ? QVariant(now + graceSeconds * 1000) : fromOpt(std::nullopt));
        q.addBindValue(now);
        q.addBindValue(id);
        if (!q.exec())
            return Database::queryError(q, tr("rotating the secret of webhook %1").arg(id));
        return {};
    });
    if (!s)
        return s.error();
    return get(id);
}

} // namespace outhook
