#pragma once

#include "model/Delivery.h"
#include "util/Result.h"

#include <map>
#include <tuple>

namespace outhook {

class Database;

// Changes to delivery_counts (resources/sql/0008_delivery_counts.sql), the number of deliveries per
// webhook, 15-minute slot of created_at and status, which the health dashboard sums. Collected over a
// transaction's rows and written once per (webhook, slot, status) at its end: a status change then costs
// no index entry moved per delivery, only a counter per batch.
class DeliveryCounts
{
public:
    // Every UTC offset in use is a whole number of quarter hours, so a slot never straddles a local hour.
    static constexpr qint64 kSlotMs = 15LL * 60 * 1000;
    static qint64 slotOf(qint64 createdAtMs);

    void add(qint64 webhookId, qint64 createdAtMs, DeliveryStatus status, qint64 n = 1);
    void move(qint64 webhookId, qint64 createdAtMs, DeliveryStatus from, DeliveryStatus to);
    bool isEmpty() const { return m_deltas.empty(); }

    // Writes the changes in the caller's transaction, in key order: on PostgreSQL two engines lock
    // counter rows in the same order and cannot deadlock on them.
    Status apply(Database& db) const;

    // Counts everything again from the deliveries table, in the caller's transaction: for tools that
    // insert deliveries directly (the bench generators).
    static Status rebuild(Database& db);

private:
    std::map<std::tuple<qint64, qint64, int>, qint64> m_deltas; // (webhook, slot, status) -> change
};

} // namespace outhook
