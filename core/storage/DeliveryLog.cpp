#include "storage/DeliveryLog.h"

#include <QCoreApplication>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("DeliveryLog", text);
}

const QString kSelect = QStringLiteral(
    "SELECT d.id, d.event_id, d.webhook_id, d.event_type, d.msg_id, d.status, d.attempt_count, d.next_attempt_at, "
    "d.last_status_code, d.last_error_class, d.created_at, d.updated_at, w.url FROM deliveries d "
    "JOIN webhooks w ON w.id = d.webhook_id ");

Delivery fromRow(const QSqlQuery& q)
{
    Delivery d;
    d.id = q.value(0).toLongLong();
    d.eventId = q.value(1).toLongLong();
    d.webhookId = q.value(2).toLongLong();
    d.eventType = q.value(3).toString();
    d.msgId = q.value(4).toString();
    d.status = parseDeliveryStatus(q.value(5).toString()).value_or(DeliveryStatus::Pending);
    d.attemptCount = q.value(6).toInt();
    if (!q.value(7).isNull())
        d.nextAttemptAt = q.value(7).toLongLong();
    if (!q.value(8).isNull())
        d.lastStatusCode = q.value(8).toInt();
    d.lastErrorClass = q.value(9).toString();
    d.createdAt = q.value(10).toLongLong();
    d.updatedAt = q.value(11).toLongLong();
    d.url = q.value(12).toString();
    return d;
}

const QString kSelectAttempts = QStringLiteral(
    "SELECT id, delivery_id, number, triggered_by, started_at, duration_ms, request_url, request_headers, "
    "status_code, response_headers, response_body, response_body_size, truncated, error_class, error, "
    "remote_address FROM attempts ");

Attempt attemptFromRow(const QSqlQuery& q)
{
    Attempt a;
    a.id = q.value(0).toLongLong();
    a.deliveryId = q.value(1).toLongLong();
    a.number = q.value(2).toInt();
    a.trigger = parseAttemptTrigger(q.value(3).toString());
    a.startedAt = q.value(4).toLongLong();
    a.durationMs = q.value(5).toLongLong();
    a.requestUrl = q.value(6).toString();
    a.requestHeaders = headers::rawFromJson(q.value(7).toString());
    if (!q.value(8).isNull())
        a.statusCode = q.value(8).toInt();
    a.responseHeaders = headers::rawFromJson(q.value(9).toString());
    a.responseBody = q.value(10).toByteArray();
    a.responseBodySize = q.value(11).toLongLong();
    a.truncated = q.value(12).toInt() != 0;
    a.errorClass = q.value(13).toString();
    a.error = q.value(14).toString();
    a.remoteAddress = q.value(15).toString();
    return a;
}

// Ids are integers, so they go into IN (...) as text: no bind per id.
QString idList(const QList<qint64>& ids)
{
    QStringList parts;
    parts.reserve(ids.size());
    for (qint64 id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

// What PostgreSQL's encode(bytes, 'escape') makes of `bytes`: NUL and bytes >= 0x80 as \ooo, a
// backslash doubled, everything else as it is.
QString byteaEscapeForm(const QByteArray& bytes)
{
    QString out;
    out.reserve(bytes.size());
    for (const char c : bytes) {
        const auto b = uchar(c);
        if (b == '\\')
            out += QStringLiteral("\\\\");
        else if (b == 0 || b >= 0x80)
            out += QLatin1Char('\\') + QStringLiteral("%1").arg(uint(b), 3, 8, QLatin1Char('0'));
        else
            out += QLatin1Char(c);
    }
    return out;
}

} // namespace

QStringList DeliveryLog::whereClauses(const DeliveryFilter& f, QVariantList& binds) const
{
    QStringList where;
    if (f.webhookId) {
        where << QStringLiteral("d.webhook_id = ?");
        binds << *f.webhookId;
    }
    if (f.status) {
        where << QStringLiteral("d.status = ?");
        binds << deliveryStatusName(*f.status);
    }
    if (!f.eventType.isEmpty()) {
        where << QStringLiteral("d.event_type = ?");
        binds << f.eventType;
    }
    if (f.sinceMs) {
        where << QStringLiteral("d.created_at >= ?");
        binds << *f.sinceMs;
    }
    if (f.untilMs) {
        where << QStringLiteral("d.created_at < ?");
        binds << *f.untilMs;
    }
    if (!f.text.trimmed().isEmpty()) {
        const QString t = f.text.trimmed();
        bool isNumber = false;
        const qint64 n = t.toLongLong(&isNumber);
        // Bodies are bytes. SQLite compares them as text with LIKE, which folds ASCII case only and has
        // no escape character. PostgreSQL has no never-failing bytea-to-text cast (bodies need not be
        // UTF-8), so it compares the 'escape' form of the body with the search text in the same form:
        // ILIKE folds ASCII only there too, since other bytes are \ooo digits.
        const QString bodyMatch = m_db->isPostgres()
                                      ? QStringLiteral("encode(a.response_body, 'escape') ILIKE ? ESCAPE ''")
                                      : QStringLiteral("CAST(a.response_body AS TEXT) LIKE ?");
        const QString needle = m_db->isPostgres() ? byteaEscapeForm(t.toUtf8()) : t;
        QString clause =
            QStringLiteral("(d.msg_id = ? OR EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND ") +
            bodyMatch + QLatin1Char(')');
        binds << t << QString(QLatin1Char('%') + needle + QLatin1Char('%'));
        if (isNumber) {
            clause += QStringLiteral(" OR d.id = ? OR d.event_id = ?");
            binds << n << n;
        }
        where << clause + QLatin1Char(')');
    }
    return where;
}

QString DeliveryLog::listStatement(const DeliveryFilter& f, int limit, std::optional<qint64> beforeId,
                                   QVariantList& binds) const
{
    QStringList where = whereClauses(f, binds);
    if (beforeId) {
        where << QStringLiteral("d.id < ?");
        binds << *beforeId;
    }
    QString sql = kSelect;
    if (!where.isEmpty())
        sql += QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND ")) + QLatin1Char(' ');
    sql += QStringLiteral("ORDER BY d.id DESC LIMIT ?");
    binds << limit;
    return sql;
}

Result<QList<Delivery>> DeliveryLog::list(const DeliveryFilter& f, int limit, std::optional<qint64> beforeId) const
{
    QVariantList binds;
    const QString sql = listStatement(f, limit, beforeId, binds);
    QSqlQuery q(m_db->connection());
    q.prepare(sql);
    for (const QVariant& b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return Database::queryError(q, tr("listing deliveries"));
    QList<Delivery> out;
    while (q.next())
        out.append(fromRow(q));
    return out;
}

Result<Delivery> DeliveryLog::get(qint64 id) const
{
    QSqlQuery q(m_db->connection());
    q.prepare(kSelect + QStringLiteral("WHERE d.id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return Database::queryError(q, tr("reading delivery %1").arg(id));
    if (!q.next())
        return Error::notFound(tr("Delivery %1 not found").arg(id));
    Delivery d = fromRow(q);
    q.finish();
    q.prepare(QStringLiteral("SELECT payload FROM events WHERE id = ?"));
    q.addBindValue(d.eventId);
    if (!q.exec())
        return Database::queryError(q, tr("reading event %1").arg(d.eventId));
    if (q.next())
        d.payload = q.value(0).toString().toUtf8();
    return d;
}

Result<DeliveryLog::Changes> DeliveryLog::changedSince(qint64 updatedAfterMs, int limit) const
{
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral("SELECT id, updated_at FROM deliveries WHERE updated_at > ? ORDER BY updated_at LIMIT ?"));
    q.addBindValue(updatedAfterMs);
    q.addBindValue(limit);
    if (!q.exec())
        return Database::queryError(q, tr("looking for changed deliveries"));
    Changes c;
    c.newestUpdatedAt = updatedAfterMs;
    while (q.next()) {
        c.ids << q.value(0).toLongLong();
        c.newestUpdatedAt = std::max(c.newestUpdatedAt, q.value(1).toLongLong());
    }
    if (!q.exec(QStringLiteral("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM webhooks")) || !q.next())
        return Database::queryError(q, tr("looking for changed webhooks"));
    c.webhooksFingerprint = q.value(0).toString() + QLatin1Char('/') + q.value(1).toString();
    return c;
}

Result<QList<Attempt>> DeliveryLog::attempts(qint64 deliveryId) const
{
    QSqlQuery q(m_db->connection());
    q.prepare(kSelectAttempts + QStringLiteral("WHERE delivery_id = ? ORDER BY number, id"));
    q.addBindValue(deliveryId);
    if (!q.exec())
        return Database::queryError(q, tr("reading attempts of delivery %1").arg(deliveryId));
    QList<Attempt> out;
    while (q.next())
        out.append(attemptFromRow(q));
    return out;
}

Result<qint64> DeliveryLog::count(const DeliveryFilter& filter) const
{
    QVariantList binds;
    const QStringList where = whereClauses(filter, binds);
    QString sql = QStringLiteral("SELECT COUNT(*) FROM deliveries d ");
    if (!where.isEmpty())
        sql += QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND "));
    QSqlQuery q(m_db->connection());
    q.prepare(sql);
    for (const QVariant& b : binds)
        q.addBindValue(b);
    if (!q.exec() || !q.next())
        return Database::queryError(q, tr("counting deliveries"));
    return q.value(0).toLongLong();
}

Result<QList<Delivery>> DeliveryLog::getMany(const QList<qint64>& ids) const
{
    QList<Delivery> out;
    if (ids.isEmpty())
        return out;
    QSqlQuery q(m_db->connection());
    if (!q.exec(kSelect + QStringLiteral("WHERE d.id IN (") + idList(ids) + QStringLiteral(") ORDER BY d.id DESC")))
        return Database::queryError(q, tr("reading deliveries"));
    QHash<qint64, QList<qsizetype>> byEvent;
    while (q.next()) {
        byEvent[q.value(1).toLongLong()].append(out.size());
        out.append(fromRow(q));
    }
    q.finish();
    if (out.isEmpty())
        return out;
    if (!q.exec(QStringLiteral("SELECT id, payload FROM events WHERE id IN (") + idList(byEvent.keys()) +
                QLatin1Char(')')))
        return Database::queryError(q, tr("reading event payloads"));
    while (q.next()) {
        const QByteArray payload = q.value(1).toString().toUtf8();
        for (qsizetype i : byEvent.value(q.value(0).toLongLong()))
            out[i].payload = payload;
    }
    return out;
}

Result<QHash<qint64, QList<Attempt>>> DeliveryLog::attemptsOf(const QList<qint64>& deliveryIds) const
{
    QHash<qint64, QList<Attempt>> out;
    if (deliveryIds.isEmpty())
        return out;
    QSqlQuery q(m_db->connection());
    if (!q.exec(kSelectAttempts + QStringLiteral("WHERE delivery_id IN (") + idList(deliveryIds) +
                QStringLiteral(") ORDER BY delivery_id, number, id")))
        return Database::queryError(q, tr("reading attempts"));
    while (q.next()) {
        Attempt a = attemptFromRow(q);
        out[a.deliveryId].append(std::move(a));
    }
    return out;
}

} // namespace outhook
