#pragma once

#include "model/Webhook.h"
#include "storage/Database.h"
#include "storage/EventCatalog.h"
#include "util/Clock.h"

#include <memory>

namespace outhook {

// Webhooks and their subscriptions. Every write is validated with WebhookValidator first and runs in
// one transaction, so a refused or failed write leaves the database as it was.
class WebhookStore
{
public:
    WebhookStore(std::shared_ptr<Database> db, const EventCatalog& catalog, const Clock& clock)
        : m_db(std::move(db))
        , m_catalog(catalog)
        , m_clock(clock)
    {}

    // Generates the signing secret and timestamps; ignores w.id and the counters.
    Result<Webhook> create(Webhook w);
    // Replaces the editable fields (name, url, events, active, auth, headers, schedule, timeout).
    // Secret and counters are kept. An empty password/token keeps the stored one.
    Result<Webhook> update(const Webhook& w);
    Result<Webhook> get(qint64 id) const;
    Result<QList<Webhook>> list() const;
    Result<QList<Webhook>> getMany(const QList<qint64>& ids) const;
    // Keyset page: ids greater than afterId, ascending.
    Result<QList<Webhook>> page(qint64 afterId, int limit) const;
    Status remove(qint64 id);
    // Turning a webhook on clears its disabled_reason and its failure streak.
    Result<Webhook> setActive(qint64 id, bool active);
    // New secret now; the old one keeps signing for graceSeconds (0: dropped at once).
    Result<Webhook> rotateSecret(qint64 id, qint64 graceSeconds);

    Result<FieldErrors> validate(const Webhook& w) const;

private:
    // `kept`: `where` is fixed text, run as a kept statement (Database::statement()); the subscriptions
    // of a single webhook found are read with one too.
    Result<QList<Webhook>> query(const QString& where, const QVariantList& binds, bool kept = false) const;
    Status writeEvents(QSqlDatabase& db, qint64 id, const QStringList& events);

    std::shared_ptr<Database> m_db;
    const EventCatalog& m_catalog;
    const Clock& m_clock;
};

} // namespace outhook
