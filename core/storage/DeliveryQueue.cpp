#include "storage/DeliveryQueue.h"

#include "storage/DeliveryCounts.h"
#include "storage/Statement.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>

#include "util/Time.h"

namespace outhook {

namespace {

QString tr(const char* text, const char* disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("DeliveryQueue", text, disambiguation, n);
}

QString idList(const QList<qint64>& ids)
{
    QStringList parts;
    parts.reserve(ids.size());
    for (qint64 id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

// Active webhooks' deliveries, plus manual resends to inactive ones (an explicit user action).
const char* kEligible = "(w.is_active = 1 OR d.next_trigger <> 'scheduled')";

} // namespace

Result<QList<ClaimedDelivery>> DeliveryQueue::claim(int limit, qint64 leaseMs)
{
    // One transaction for the claim and the payload reads: on SQLite each statement on its own would be a
    // transaction of its own, two fcntl() lock calls on the WAL index per event read (measured: 2.1 per
    // delivery, the lane's most frequent system call).
    QList<ClaimedDelivery> out;
    const Status s = m_db->transaction([&](QSqlDatabase&) { return claimInto(out, limit, leaseMs); });
    if (!s)
        return s.error();
    return out;
}

Status DeliveryQueue::claimInto(QList<ClaimedDelivery>& out, int limit, qint64 leaseMs)
{
    const qint64 now = m_clock.nowMs();
    QSqlQuery& q = m_db->statement(
        QStringLiteral("UPDATE deliveries SET lease_owner = ?, next_attempt_at = ? WHERE id IN ("
                       "SELECT d.id FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                       "WHERE d.next_attempt_at <= ? AND ") +
        QLatin1String(kEligible) + QStringLiteral(" ORDER BY d.next_attempt_at LIMIT ?") +
        (m_db->isPostgres() ? QStringLiteral(" FOR UPDATE OF d SKIP LOCKED") : QString()) +
        QStringLiteral(") RETURNING id, webhook_id, event_id, msg_id, attempt_count, next_trigger, status, "
                       "created_at"));
    q.addBindValue(QString::fromLatin1(m_owner));
    q.addBindValue(now + leaseMs);
    q.addBindValue(now);
    q.addBindValue(limit);
    if (!q.exec())
        return Database::queryError(q, tr("claiming deliveries"));
    QHash<qint64, QList<qsizetype>> byEvent;
    while (q.next()) {
        ClaimedDelivery c;
        c.id = q.value(0).toLongLong();
        c.webhookId = q.value(1).toLongLong();
        c.eventId = q.value(2).toLongLong();
        c.msgId = q.value(3).toString().toLatin1();
        c.attemptCount = q.value(4).toInt();
        c.trigger = parseAttemptTrigger(q.value(5).toString());
        c.status = parseDeliveryStatus(q.value(6).toString());
        c.createdAt = q.value(7).toLongLong();
        byEvent[c.eventId].append(out.size());
        out.append(c);
    }
    q.finish();
    if (out.isEmpty())
        return {};
    // One kept statement per event rather than an IN list: the payload comes back as the UTF-8 it is
    // stored in, where QSqlQuery would convert it to UTF-16 and the dispatcher back again.
    Statement& e = m_db->fastStatement(QStringLiteral("SELECT type, payload FROM events WHERE id = ?"));
    if (!e.isValid())
        return m_db->statementError(e, tr("reading event payloads"));
    for (auto it = byEvent.cbegin(); it != byEvent.cend(); ++it) {
        e.bind(it.key());
        if (!e.exec())
            return m_db->statementError(e, tr("reading event payloads"));
        if (!e.next())
            continue; // the event is gone (deleted with its deliveries); nothing to send
        const QString type = QString::fromUtf8(e.text(0));
        const QByteArray payload = e.text(1);
        e.reset();
        for (const qsizetype i : it.value()) {
            out[i].eventType = type;
            out[i].payload = payload;
        }
    }
    return {};
}

Status DeliveryQueue::extendLeases(qint64 leaseMs)
{
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral(
        "UPDATE deliveries SET next_attempt_at = ? WHERE lease_owner = ? AND next_attempt_at IS NOT NULL"));
    q.addBindValue(m_clock.nowMs() + leaseMs);
    q.addBindValue(QString::fromLatin1(m_owner));
    if (!q.exec())
        return Database::queryError(q, tr("extending leases"));
    return {};
}

Status DeliveryQueue::release(const QList<qint64>& deliveryIds)
{
    if (deliveryIds.isEmpty())
        return {};
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral(
                  "UPDATE deliveries SET lease_owner = NULL, next_attempt_at = ? WHERE lease_owner = ? AND id IN (") +
              idList(deliveryIds) + QLatin1Char(')'));
    q.addBindValue(m_clock.nowMs());
    q.addBindValue(QString::fromLatin1(m_owner));
    if (!q.exec())
        return Database::queryError(q, tr("releasing leases"));
    return {};
}

Result<QList<qint64>> DeliveryQueue::complete(const QList<AttemptResult>& results, qint64 autoDisableAfterMs)
{
    QList<qint64> disabled;
    if (results.isEmpty())
        return disabled;
    const qint64 now = m_clock.nowMs();
    constexpr qint64 kDayMs = 24LL * 3600 * 1000;
    const QString autoReason = autoDisableAfterMs % kDayMs == 0
                                   ? tr("failing for %n day(s)", nullptr, int(autoDisableAfterMs / kDayMs))
                                   : tr("failing for %1").arg(time::formatDuration(autoDisableAfterMs / 1000));
    Status s = m_db->transaction([&](QSqlDatabase&) -> Status {
        Statement& insert = m_db->fastStatement(QStringLiteral(
            "INSERT INTO attempts (delivery_id, number, triggered_by, started_at, duration_ms, request_url, "
            "request_headers, status_code, response_headers, response_body, response_body_size, truncated, "
            "error_class, error, remote_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        // Still this engine's lease: the status is the one claimed, since only a result changes it.
        const QString setResult = QStringLiteral(
            "UPDATE deliveries SET status = ?, attempt_count = ?, next_attempt_at = ?, next_trigger = 'scheduled', "
            "lease_owner = NULL, last_status_code = ?, last_error_class = ?, updated_at = ? WHERE id = ? AND ");
        Statement& update = m_db->fastStatement(setResult + QStringLiteral("lease_owner = ?"));
        // Otherwise (released, run out, or never leased, as a test send's) read it from the row first.
        Statement& lookup = m_db->fastStatement(
            QStringLiteral("SELECT status, created_at FROM deliveries WHERE id = ? AND (lease_owner = ? OR "
                           "lease_owner IS NULL)") +
            (m_db->isPostgres() ? QStringLiteral(" FOR UPDATE") : QString()));
        Statement& updateAny =
            m_db->fastStatement(setResult + QStringLiteral("(lease_owner = ? OR lease_owner IS NULL)"));
        DeliveryCounts counts;
        Statement& success =
            m_db->fastStatement(QStringLiteral("UPDATE webhooks SET last_triggered_at = ?, last_success_at = ?, "
                                               "failure_count = 0, failing_since = NULL WHERE id = ?"));
        Statement& failure = m_db->fastStatement(QStringLiteral(
            "UPDATE webhooks SET last_triggered_at = ?, last_failure_at = ?, failure_count = failure_count + 1, "
            "failing_since = COALESCE(failing_since, ?) WHERE id = ?"));
        // Deactivates on 410 (streak start ignored) or after a streak longer than the auto-disable period.
        Statement& disable =
            m_db->fastStatement(QStringLiteral("UPDATE webhooks SET is_active = 0, disabled_reason = ? "
                                               "WHERE id = ? AND is_active = 1 AND failing_since <= ? RETURNING id"));
        for (Statement* st : {&insert, &update, &lookup, &updateAny, &success, &failure, &disable}) {
            if (!st->isValid())
                return m_db->statementError(*st, tr("recording an attempt"));
        }
        const QString owner = QString::fromLatin1(m_owner);
        const auto orEmpty = [](const QString& text) { return text.isNull() ? QStringLiteral("") : text; };
        const auto optionalInt = [](std::optional<int> v) {
            return v ? std::optional<qint64>(*v) : std::optional<qint64>();
        };

        // A success's counter update is overwritten by the next result of the same webhook in this batch
        // when that is a success too: write only the last of such a run (a third of the statements when
        // everything succeeds). A failure after a success still sees the success's reset.
        QList<bool> overwritten(results.size(), false);
        QHash<qint64, bool> nextIsSuccess;
        for (qsizetype i = results.size() - 1; i >= 0; --i) {
            const AttemptResult& r = results.at(i);
            const bool succeeded = r.outcome.status == DeliveryStatus::Succeeded;
            const auto next = nextIsSuccess.constFind(r.webhookId);
            overwritten[i] = succeeded && next != nextIsSuccess.cend() && *next;
            nextIsSuccess.insert(r.webhookId, succeeded);
        }

        for (qsizetype i = 0; i < results.size(); ++i) {
            const AttemptResult& r = results.at(i);
            const Attempt& a = r.attempt;
            insert.bind(a.deliveryId)
                .bind(qint64(a.number))
                .bind(attemptTriggerName(a.trigger))
                .bind(a.startedAt)
                .bind(a.durationMs)
                .bind(a.requestUrl)
                .bindText(headers::rawToJsonUtf8(a.requestHeaders))
                .bind(optionalInt(a.statusCode))
                .bindText(headers::rawToJsonUtf8(a.responseHeaders))
                .bind(a.responseBody.isNull() ? QByteArray("") : a.responseBody)
                .bind(a.responseBodySize)
                .bind(qint64(a.truncated))
                .bind(orEmpty(a.errorClass))
                .bind(orEmpty(a.error))
                .bind(orEmpty(a.remoteAddress));
            if (!insert.exec())
                return m_db->statementError(insert, tr("recording an attempt"));

            const auto setDelivery = [&](Statement& st) {
                st.bind(deliveryStatusName(r.outcome.status))
                    .bind(qint64(a.number))
                    .bind(r.outcome.nextAttemptAt)
                    .bind(optionalInt(a.statusCode))
                    .bind(orEmpty(a.errorClass))
                    .bind(now)
                    .bind(a.deliveryId)
                    .bind(owner);
                return st.exec();
            };
            bool updated = false;
            if (r.claimedStatus) {
                if (!setDelivery(update))
                    return m_db->statementError(update, tr("updating a delivery"));
                updated = update.rowsAffected() > 0;
                if (updated)
                    counts.move(r.webhookId, r.createdAt, *r.claimedStatus, r.outcome.status);
            }
            if (!updated) {
                if (Status read = updateUnclaimed(lookup, updateAny, setDelivery, r, counts); !read)
                    return read;
            }

            if (r.outcome.status == DeliveryStatus::Succeeded) {
                if (overwritten.at(i))
                    continue;
                success.bind(a.startedAt).bind(a.startedAt).bind(r.webhookId);
                if (!success.exec())
                    return m_db->statementError(success, tr("updating webhook counters"));
            } else {
                failure.bind(a.startedAt).bind(a.startedAt).bind(a.startedAt).bind(r.webhookId);
                if (!failure.exec())
                    return m_db->statementError(failure, tr("updating webhook counters"));
                const bool gone = !r.outcome.disableReason.isEmpty();
                disable.bind(gone ? r.outcome.disableReason : autoReason)
                    .bind(r.webhookId)
                    .bind(gone ? a.startedAt : a.startedAt - autoDisableAfterMs);
                if (!disable.exec())
                    return m_db->statementError(disable, tr("disabling a webhook"));
                if (disable.next() && !disabled.contains(r.webhookId))
                    disabled << r.webhookId;
                disable.reset();
            }
        }
        if (Status written = counts.apply(*m_db); !written)
            return written;
        return m_db->notify(QLatin1String(Database::kChangesChannel));
    });
    if (!s)
        return s.error();
    return disabled;
}

Status DeliveryQueue::updateUnclaimed(Statement& lookup, Statement& update,
                                      const std::function<bool(Statement&)>& setDelivery, const AttemptResult& r,
                                      DeliveryCounts& counts)
{
    lookup.bind(r.attempt.deliveryId).bind(QString::fromLatin1(m_owner));
    if (!lookup.exec())
        return m_db->statementError(lookup, tr("updating a delivery"));
    if (!lookup.next())
        return {}; // another engine's now, or gone with its webhook: the attempt is still recorded
    const auto status = parseDeliveryStatus(QString::fromUtf8(lookup.text(0)));
    const qint64 createdAt = lookup.int64(1);
    lookup.reset();
    if (!setDelivery(update))
        return m_db->statementError(update, tr("updating a delivery"));
    if (update.rowsAffected() == 0)
        return {};
    if (status)
        counts.move(r.webhookId, createdAt, *status, r.outcome.status);
    else // a status this version does not know: counted under its own name by the migration, left there
        counts.add(r.webhookId, createdAt, r.outcome.status);
    return {};
}

Result<std::optional<qint64>> DeliveryQueue::nextDueAt()
{
    QSqlQuery& q = m_db->statement(
        QStringLiteral("SELECT d.next_attempt_at FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                       "WHERE d.next_attempt_at IS NOT NULL AND ") +
        QLatin1String(kEligible) + QStringLiteral(" ORDER BY d.next_attempt_at LIMIT 1"));
    if (!q.exec())
        return Database::queryError(q, tr("finding the next due delivery"));
    std::optional<qint64> next;
    if (q.next())
        next = q.value(0).toLongLong();
    q.finish(); // a kept statement must not hold its read snapshot open
    return next;
}

Result<int> DeliveryQueue::requeueManually(Database& db, qint64 now, const QString& where, const QVariantList& binds)
{
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("UPDATE deliveries SET next_attempt_at = ?, next_trigger = 'manual', updated_at = ? "
                             "WHERE lease_owner IS NULL AND (") +
              where + QLatin1Char(')'));
    q.addBindValue(now);
    q.addBindValue(now);
    for (const QVariant& v : binds)
        q.addBindValue(v);
    if (!q.exec())
        return Database::queryError(q, tr("requeueing deliveries"));
    const int changed = q.numRowsAffected();
    if (changed > 0) {
        if (Status s = db.notify(QLatin1String(Database::kQueueChannel)); !s)
            return s.error();
    }
    return changed;
}

Status DeliveryQueue::resend(qint64 deliveryId)
{
    return m_db->transaction([&](QSqlDatabase& db) -> Status {
        const auto changed = requeueManually(*m_db, m_clock.nowMs(), QStringLiteral("id = ?"), {deliveryId});
        if (!changed)
            return changed.error();
        if (*changed == 1)
            return {};
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE id = ?"));
        q.addBindValue(deliveryId);
        if (q.exec() && q.next() && q.value(0).toInt() == 0)
            return Error::notFound(tr("Delivery %1 not found").arg(deliveryId));
        return Error::conflict(tr("Delivery %1 is being sent right now; try again in a moment").arg(deliveryId));
    });
}

Result<int> DeliveryQueue::recover(qint64 webhookId, qint64 sinceMs)
{
    int count = 0;
    Status s = m_db->transaction([&](QSqlDatabase& db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT COUNT(*) FROM webhooks WHERE id = ?"));
        q.addBindValue(webhookId);
        if (!q.exec() || !q.next())
            return Database::queryError(q, tr("finding webhook %1").arg(webhookId));
        if (q.value(0).toInt() == 0)
            return Error::notFound(tr("Webhook %1 not found").arg(webhookId));
        q.finish();
        const auto changed = requeueManually(*m_db, m_clock.nowMs(),
                                             QStringLiteral("webhook_id = ? AND status = 'failed' AND created_at >= ?"),
                                             {webhookId, sinceMs});
        if (!changed)
            return changed.error();
        count = *changed;
        return {};
    });
    if (!s)
        return s.error();
    return count;
}

Result<QueueCounts> DeliveryQueue::counts()
{
    const qint64 now = m_clock.nowMs();
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral("SELECT "
                             "SUM(CASE WHEN next_attempt_at <= ? AND lease_owner IS NULL THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN next_attempt_at > ? AND lease_owner IS NULL THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN lease_owner IS NOT NULL THEN 1 ELSE 0 END), "
                             "MIN(CASE WHEN lease_owner IS NULL THEN next_attempt_at END) "
                             "FROM deliveries WHERE next_attempt_at IS NOT NULL"));
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec() || !q.next())
        return Database::queryError(q, tr("counting the queue"));
    QueueCounts c;
    c.due = q.value(0).toLongLong();
    c.scheduled = q.value(1).toLongLong();
    c.leased = q.value(2).toLongLong();
    if (!q.value(3).isNull() && q.value(3).toLongLong() <= now)
        c.oldestDueAt = q.value(3).toLongLong();
    q.finish();
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE status = 'failed'")) || !q.next())
        return Database::queryError(q, tr("counting failed deliveries"));
    c.failed = q.value(0).toLongLong();
    return c;
}

} // namespace outhook
