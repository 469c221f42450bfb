#include "storage/ApiKeyStore.h"

#include "signing/Secret.h"

#include <QCoreApplication>
#include <QCryptographicHash>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("ApiKeyStore", text);
}

constexpr int kPrefixLength = 12; // "ohk_" + 8

QString hashOf(const QString& secret)
{
    return QString::fromLatin1(QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha256).toHex());
}

ApiKey fromRow(const QSqlQuery& q)
{
    ApiKey k;
    k.id = q.value(0).toLongLong();
    k.name = q.value(1).toString();
    k.prefix = q.value(2).toString();
    k.scopes = q.value(3).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    k.createdAt = q.value(4).toLongLong();
    if (!q.value(5).isNull())
        k.lastUsedAt = q.value(5).toLongLong();
    if (!q.value(6).isNull())
        k.revokedAt = q.value(6).toLongLong();
    return k;
}

const QString kColumns = QStringLiteral("id, name, prefix, scopes, created_at, last_used_at, revoked_at");

} // namespace

const QStringList& ApiKeyStore::knownScopes()
{
    static const QStringList scopes{QStringLiteral("webhooks:read"),    QStringLiteral("webhooks:write"),
                                    QStringLiteral("events:write"),     QStringLiteral("deliveries:read"),
                                    QStringLiteral("deliveries:write"), QStringLiteral("metrics:read")};
    return scopes;
}

Result<QPair<ApiKey, QString>> ApiKeyStore::create(const QString& name, const QStringList& scopes)
{
    FieldErrors errors;
    if (name.trimmed().isEmpty() || name.size() > 200)
        errors.append({QStringLiteral("name"), tr("Name is required (at most 200 characters)")});
    if (scopes.isEmpty())
        errors.append(
            {QStringLiteral("scopes"), tr("Give at least one scope: %1").arg(knownScopes().join(QLatin1Char(',')))});
    for (const QString& s : scopes) {
        if (!knownScopes().contains(s))
            errors.append({QStringLiteral("scopes"),
                           tr("Unknown scope \"%1\"; known: %2").arg(s, knownScopes().join(QLatin1Char(',')))});
    }
    if (!errors.isEmpty())
        return Error::validation(errors);
    const QString secret =
        QStringLiteral("ohk_") + QString::fromLatin1(signing::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding |
                                                                                       QByteArray::OmitTrailingEquals));
    ApiKey key;
    key.name = name.trimmed();
    key.prefix = secret.left(kPrefixLength);
    key.scopes = scopes;
    key.createdAt = m_clock.nowMs();
    QSqlQuery q = m_db->prepare(QStringLiteral(
        "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"));
    q.addBindValue(key.name);
    q.addBindValue(key.prefix);
    q.addBindValue(hashOf(secret));
    q.addBindValue(scopes.join(QLatin1Char(' ')));
    q.addBindValue(key.createdAt);
    if (!q.exec() || !q.next())
        return Database::queryError(q, tr("creating an API key"));
    key.id = q.value(0).toLongLong();
    return QPair<ApiKey, QString>(key, secret);
}

Result<QList<ApiKey>> ApiKeyStore::list() const
{
    QSqlQuery q = m_db->prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys ORDER BY id"));
    if (!q.exec())
        return Database::queryError(q, tr("listing API keys"));
    QList<ApiKey> out;
    while (q.next())
        out.append(fromRow(q));
    return out;
}

Status ApiKeyStore::revoke(qint64 id)
{
    QSqlQuery q =
        m_db->prepare(QStringLiteral("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"));
    q.addBindValue(m_clock.nowMs());
    q.addBindValue(id);
    if (!q.exec())
        return Database::queryError(q, tr("revoking API key %1").arg(id));
    if (q.numRowsAffected() == 0)
        return Error::notFound(tr("API key %1 not found (or already revoked)").arg(id));
    return {};
}

Result<ApiKey> ApiKeyStore::authenticate(const QString& secret)
{
    if (!secret.startsWith(QLatin1String("ohk_")) || secret.size() < kPrefixLength + 8 || secret.size() > 200)
        return Error::notFound(tr("Invalid API key"));
    // On every API request, so the statement is kept prepared.
    QSqlQuery& q = m_db->statement(QStringLiteral("SELECT ") + kColumns +
                                   QStringLiteral(", key_hash FROM api_keys WHERE prefix = ? AND revoked_at IS NULL"));
    q.addBindValue(secret.left(kPrefixLength));
    if (!q.exec())
        return Database::queryError(q, tr("checking an API key"));
    const QByteArray wanted = hashOf(secret).toLatin1();
    while (q.next()) {
        if (!signing::constantTimeEquals(q.value(7).toString().toLatin1(), wanted))
            continue;
        ApiKey key = fromRow(q);
        q.finish();
        const qint64 now = m_clock.nowMs();
        if (!key.lastUsedAt || *key.lastUsedAt < now - 60000) {
            QSqlQuery u = m_db->prepare(QStringLiteral("UPDATE api_keys SET last_used_at = ? WHERE id = ?"));
            u.addBindValue(now);
            u.addBindValue(key.id);
            u.exec(); // best effort: a failed bookkeeping write must not refuse a valid key
        }
        return key;
    }
    q.finish();
    return Error::notFound(tr("Invalid API key"));
}

} // namespace outhook
