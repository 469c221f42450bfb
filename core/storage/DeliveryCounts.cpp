#include "storage/DeliveryCounts.h"

#include "storage/Database.h"
#include "storage/Statement.h"

#include <QCoreApplication>
#include <QSqlQuery>

namespace outhook {

qint64 DeliveryCounts::slotOf(qint64 createdAtMs)
{
    // Truncating, as SQL's integer division in the migration's backfill does on both backends. Health
    // reports read slots only for windows after 1970 (HealthStats::loadDeliveries).
    return createdAtMs / kSlotMs;
}

void DeliveryCounts::add(qint64 webhookId, qint64 createdAtMs, DeliveryStatus status, qint64 n)
{
    m_deltas[{webhookId, slotOf(createdAtMs), int(status)}] += n;
}

void DeliveryCounts::move(qint64 webhookId, qint64 createdAtMs, DeliveryStatus from, DeliveryStatus to)
{
    if (from == to)
        return;
    add(webhookId, createdAtMs, from, -1);
    add(webhookId, createdAtMs, to, 1);
}

Status DeliveryCounts::apply(Database& db) const
{
    if (m_deltas.empty())
        return {};
    Statement& upsert = db.fastStatement(
        QStringLiteral("INSERT INTO delivery_counts (webhook_id, slot, status, n) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (webhook_id, slot, status) DO UPDATE SET n = delivery_counts.n + excluded.n"));
    const QString what = QCoreApplication::translate("DeliveryCounts", "counting deliveries");
    if (!upsert.isValid())
        return db.statementError(upsert, what);
    for (const auto& [key, n] : m_deltas) {
        if (n == 0)
            continue; // moved in and out again within the batch
        const auto& [webhookId, slot, status] = key;
        upsert.bind(webhookId).bind(slot).bind(deliveryStatusName(DeliveryStatus(status))).bind(n);
        if (!upsert.exec())
            return db.statementError(upsert, what);
    }
    return {};
}

Status DeliveryCounts::rebuild(Database& db)
{
    QSqlQuery q(db.connection());
    if (!q.exec(QStringLiteral("DELETE FROM delivery_counts")) ||
        !q.exec(QStringLiteral("INSERT INTO delivery_counts (webhook_id, slot, status, n) SELECT webhook_id, "
                               "created_at / 900000, status, COUNT(*) FROM deliveries "
                               "GROUP BY webhook_id, created_at / 900000, status")))
        return Database::queryError(q, QCoreApplication::translate("DeliveryCounts", "counting deliveries"));
    return {};
}

} // namespace outhook
