#include "storage/BulkRequeue.h"

#include "storage/DeliveryQueue.h"

#include <QCoreApplication>
#include <QSqlQuery>
#include <algorithm>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("BulkRequeue", text);
}

QString idList(const QList<qint64>& ids)
{
    QStringList parts;
    parts.reserve(ids.size());
    for (qint64 id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

const char* kFailedCondition = "status = 'failed'";

} // namespace

Result<int> BulkRequeue::requeueBatch(const QList<qint64>& ids, const QString& condition)
{
    int changed = 0;
    Status s = m_db->transaction([&](QSqlDatabase&) -> Status {
        const auto n =
            DeliveryQueue::requeueManually(*m_db, m_clock.nowMs(),
                                           QStringLiteral("id IN (") + idList(ids) + QLatin1Char(')') +
                                               (condition.isEmpty() ? QString() : QStringLiteral(" AND ") + condition),
                                           {});
        if (!n)
            return n.error();
        changed = *n;
        return {};
    });
    if (!s)
        return s.error();
    return changed;
}

BulkResult BulkRequeue::resend(QList<qint64> ids, const ProgressCallback& progress)
{
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    BulkResult r;
    r.total = ids.size();
    for (qsizetype start = 0; start < ids.size(); start += m_batchSize) {
        if (progress && !progress(r.requeued + r.skipped, r.total)) {
            r.cancelled = true;
            return r;
        }
        const QList<qint64> batch = ids.mid(start, m_batchSize);
        const auto changed = requeueBatch(batch, {});
        if (!changed) {
            r.error = changed.error();
            return r;
        }
        r.requeued += *changed;
        r.skipped += batch.size() - *changed;
    }
    if (progress)
        progress(r.requeued + r.skipped, r.total);
    return r;
}

BulkResult BulkRequeue::recoverFailed(qint64 webhookId, qint64 sinceMs, const ProgressCallback& progress)
{
    BulkResult r;
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM webhooks WHERE id = ?"));
    q.addBindValue(webhookId);
    if (!q.exec() || !q.next()) {
        r.error = Database::queryError(q, tr("finding webhook %1").arg(webhookId));
        return r;
    }
    if (q.value(0).toInt() == 0) {
        r.error = Error::notFound(tr("Webhook %1 not found").arg(webhookId));
        return r;
    }
    q.finish();
    const QString match = QStringLiteral("webhook_id = ? AND status = 'failed' AND created_at >= ?");
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE ") + match);
    q.addBindValue(webhookId);
    q.addBindValue(sinceMs);
    if (!q.exec() || !q.next()) {
        r.error = Database::queryError(q, tr("counting failed deliveries"));
        return r;
    }
    r.total = q.value(0).toLongLong();
    q.finish();

    // Keyset over ids, so each delivery is looked at once even though requeued rows still read 'failed'
    // until their next attempt finishes.
    qint64 after = 0;
    q.prepare(QStringLiteral("SELECT id FROM deliveries WHERE ") + match +
              QStringLiteral(" AND id > ? ORDER BY id LIMIT ?"));
    while (true) {
        if (progress && !progress(std::min(r.total, r.requeued + r.skipped), r.total)) {
            r.cancelled = true;
            return r;
        }
        q.addBindValue(webhookId);
        q.addBindValue(sinceMs);
        q.addBindValue(after);
        q.addBindValue(m_batchSize);
        if (!q.exec()) {
            r.error = Database::queryError(q, tr("listing failed deliveries"));
            return r;
        }
        QList<qint64> batch;
        while (q.next())
            batch << q.value(0).toLongLong();
        q.finish();
        if (batch.isEmpty())
            break;
        after = batch.last();
        // Re-checked inside the transaction: a row that an engine took or that stopped being failed
        // since the SELECT is left alone and counted as skipped.
        const auto changed = requeueBatch(batch, QLatin1String(kFailedCondition));
        if (!changed) {
            r.error = changed.error();
            return r;
        }
        r.requeued += *changed;
        r.skipped += batch.size() - *changed;
        r.total = std::max(r.total, r.requeued + r.skipped);
        if (batch.size() < m_batchSize)
            break;
    }
    if (progress)
        progress(r.requeued + r.skipped, r.total);
    return r;
}

} // namespace outhook
