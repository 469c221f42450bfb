#pragma once

#include "storage/Database.h"
#include "util/Clock.h"

#include <QStringList>
#include <memory>

namespace outhook {

struct ApiKey
{
    qint64 id = 0;
    QString name;
    QString prefix; // "ohk_" + the first 8 characters: shown in listings to tell keys apart
    QStringList scopes;
    qint64 createdAt = 0;
    std::optional<qint64> lastUsedAt;
    std::optional<qint64> revokedAt;
};

// API keys for the REST API. A key is "ohk_" + 43 URL-safe characters (32 random bytes); only its
// SHA-256 is stored, and lookups compare hashes in constant time.
class ApiKeyStore
{
public:
    static const QStringList&
    knownScopes(); // webhooks:read, webhooks:write, events:write, deliveries:read, deliveries:write

    ApiKeyStore(std::shared_ptr<Database> db, const Clock& clock)
        : m_db(std::move(db))
        , m_clock(clock)
    {}

    // Returns the new key's record and the key itself, which is never retrievable again.
    Result<QPair<ApiKey, QString>> create(const QString& name, const QStringList& scopes);
    Result<QList<ApiKey>> list() const;
    Status revoke(qint64 id);
    // The live key matching `secret`, or NotFound. Records last use at most once a minute.
    Result<ApiKey> authenticate(const QString& secret);

private:
    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
};

} // namespace outhook
