#pragma once

#include "model/Delivery.h"
#include "storage/Database.h"

#include <QHash>
#include <memory>

namespace outhook {

// Which deliveries to read. Every field is optional; filtering happens in SQL.
struct DeliveryFilter
{
    std::optional<qint64> webhookId;
    std::optional<DeliveryStatus> status;
    QString eventType;
    std::optional<qint64> sinceMs; // created at or after
    std::optional<qint64> untilMs; // created before
    QString text;                  // a delivery id, an event id, or text in a response body
};

// The read side of deliveries and attempts, for the CLI, the API and the Log History. Pages by keyset
// (newest first, ids below `beforeId`), never loads everything.
class DeliveryLog
{
public:
    explicit DeliveryLog(std::shared_ptr<Database> db)
        : m_db(std::move(db))
    {}

    Result<QList<Delivery>> list(const DeliveryFilter& filter, int limit, std::optional<qint64> beforeId = {}) const;
    // The statement list() runs, with its bind values appended: for checking its query plan.
    QString listStatement(const DeliveryFilter& filter, int limit, std::optional<qint64> beforeId,
                          QVariantList& binds) const;
    // One delivery with its payload. NotFound when absent.
    Result<Delivery> get(qint64 id) const;
    Result<QList<Attempt>> attempts(qint64 deliveryId) const;

    // For exports and bulk work, a page at a time: how many match, several deliveries with their
    // payloads (id descending; absent ids are left out) and their attempts keyed by delivery id.
    Result<qint64> count(const DeliveryFilter& filter) const;
    Result<QList<Delivery>> getMany(const QList<qint64>& ids) const;
    Result<QHash<qint64, QList<Attempt>>> attemptsOf(const QList<qint64>& deliveryIds) const;

    // Deliveries changed after `updatedAfterMs` (by any process), for live views: their ids and the
    // newest updated_at seen, to pass next time.
    struct Changes
    {
        QList<qint64> ids;
        qint64 newestUpdatedAt = 0;
        // Changes when a webhook is added, edited or deleted anywhere: compare it with the last one seen.
        QString webhooksFingerprint;
    };
    Result<Changes> changedSince(qint64 updatedAfterMs, int limit = 1000) const;

private:
    // The SQL conditions for `filter` over deliveries aliased d, with their bind values appended.
    QStringList whereClauses(const DeliveryFilter& filter, QVariantList& binds) const;

    std::shared_ptr<Database> m_db;
};

} // namespace outhook
