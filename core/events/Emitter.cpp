#include "events/Emitter.h"

#include "storage/DeliveryCounts.h"
#include "storage/Statement.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"
#include "util/Json.h"
#include "util/Time.h"

#include <QCoreApplication>
#include <QJsonDocument>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("Emitter", text);
}

} // namespace

QByteArray Emitter::envelope(const QString& type, qint64 timestampMs, const QJsonObject& data)
{
    return envelope(type, timestampMs, QJsonDocument(data).toJson(QJsonDocument::Compact));
}

QByteArray Emitter::envelope(const QString& type, qint64 timestampMs, const QByteArray& dataJson)
{
    // Written by hand, once per ingested event: QJsonDocument for the type and QDateTime's formatter for
    // the timestamp were about 20 heap allocations per event in heaptrack. The bytes are the same.
    QByteArray out;
    out.reserve(type.size() + dataJson.size() + 64);
    out += "{\"type\":";
    json::appendString(out, type.toUtf8());
    out += ",\"timestamp\":\"";
    out += time::isoBytes(timestampMs);
    out += "\",\"data\":";
    out += dataJson;
    out += '}';
    return out;
}

Result<QByteArray> Emitter::prepare(const EmitRequest& request) const
{
    if (!m_catalog.find(request.type))
        return Error::validation(QStringLiteral("type"), tr("Unknown event type \"%1\"").arg(request.type));
    if (request.idempotencyKey.size() > kMaxIdempotencyKeyLength)
        return Error::validation(QStringLiteral("idempotency_key"),
                                 tr("Idempotency key must be at most %1 characters").arg(kMaxIdempotencyKeyLength));
    QByteArray payload = request.dataJson.isEmpty() ? envelope(request.type, m_clock.nowMs(), request.data)
                                                    : envelope(request.type, m_clock.nowMs(), request.dataJson);
    if (payload.size() > kMaxPayloadBytes)
        return Error::validation(
            QStringLiteral("data"),
            tr("Payload is %1 bytes; the limit is %2 bytes (256 KiB)").arg(payload.size()).arg(kMaxPayloadBytes));
    return payload;
}

Result<EmitResult> Emitter::emit(const QString& type, const QJsonObject& data, const QString& idempotencyKey)
{
    const auto payload = prepare({type, data, idempotencyKey, {}});
    if (!payload)
        return payload.error();
    auto result = insert(type, *payload, idempotencyKey, std::nullopt);
    // Two emits racing on one key: the loser hits the unique index; reading again returns the winner.
    if (!result && !idempotencyKey.isEmpty() && result.error().kind == Error::Kind::Storage)
        result = insert(type, *payload, idempotencyKey, std::nullopt);
    if (result && !result->duplicate && !result->deliveryIds.isEmpty() && m_onQueued)
        m_onQueued();
    return result;
}

QList<Result<EmitResult>> Emitter::emitMany(const QList<EmitRequest>& requests)
{
    QList<Result<EmitResult>> results;
    QList<QByteArray> payloads;
    results.reserve(requests.size());
    for (const EmitRequest& r : requests) {
        auto payload = prepare(r);
        results.append(payload ? Result<EmitResult>(EmitResult()) : Result<EmitResult>(payload.error()));
        payloads.append(payload ? *payload : QByteArray());
    }
    const qint64 now = m_clock.nowMs();
    std::optional<Handing> handing;
    if (m_handoff)
        handing.emplace(Handing{*m_handoff, {}, 0, {}});
    const Status s = m_db->transaction([&](QSqlDatabase&) -> Status {
        Subscribers subscribers; // read once per event type in the batch, inside its transaction
        DeliveryCounts counts;
        for (qsizetype i = 0; i < requests.size(); ++i) {
            if (!results[i])
                continue;
            EmitResult out;
            if (Status one = insertRows(requests[i].type, payloads[i], requests[i].idempotencyKey, std::nullopt, false,
                                        now, out, counts, &subscribers, handing ? &*handing : nullptr);
                !one)
                return one;
            results[i] = out;
        }
        if (Status counted = counts.apply(*m_db); !counted)
            return counted;
        if (!handing || handing->batch.deliveries.isEmpty())
            return {};
        // The engine signs with these; read here, the rows cannot change before it has them.
        QList<qint64> webhookIds;
        for (const ClaimedDelivery& c : std::as_const(handing->batch.deliveries)) {
            if (!webhookIds.contains(c.webhookId))
                webhookIds << c.webhookId;
        }
        auto webhooks = WebhookStore(m_db, m_catalog, m_clock).getMany(webhookIds);
        if (!webhooks)
            return webhooks.error();
        handing->batch.webhooks = std::move(*webhooks);
        return {};
    });
    if (handing)
        finishHanding(*handing, s.ok());
    bool queued = false;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        if (!results[i])
            continue;
        if (!s) // rolled back: each on its own (emit() also retries an idempotency-key race)
            results[i] = insert(requests[i].type, payloads[i], requests[i].idempotencyKey, std::nullopt);
        if (!s && !results[i] && !requests[i].idempotencyKey.isEmpty() &&
            results[i].error().kind == Error::Kind::Storage)
            results[i] = insert(requests[i].type, payloads[i], requests[i].idempotencyKey, std::nullopt);
        queued = queued || (results[i] && !results[i]->duplicate && !results[i]->deliveryIds.isEmpty());
    }
    if (queued && m_onQueued)
        m_onQueued();
    return results;
}

void Emitter::finishHanding(Handing& handing, bool committed)
{
    if (handing.reserved == 0)
        return;
    if (!committed) {
        handing.handoff.giveBack(handing.reserved);
        return;
    }
    QList<qint64> ids;
    for (const ClaimedDelivery& c : std::as_const(handing.batch.deliveries))
        ids << c.id;
    if (handing.handoff.hand(std::move(handing.batch), handing.reserved))
        return;
    // The engine stopped meanwhile: due again now, for whoever looks next.
    if (const Status released = DeliveryQueue(m_db, m_clock, handing.lease.owner).release(ids); !released)
        qWarning("%s", qPrintable(released.error().message)); // the leases run out by themselves
}

Result<EmitResult> Emitter::emitTest(const Webhook& webhook, const QString& type, const QJsonObject& data, bool queued)
{
    const QByteArray payload = envelope(type, m_clock.nowMs(), data);
    return insert(type, payload, {}, webhook.id, queued);
}

Result<EmitResult> Emitter::insert(const QString& type, const QByteArray& payload, const QString& key,
                                   std::optional<qint64> onlyWebhook, bool queued)
{
    EmitResult out;
    const qint64 now = m_clock.nowMs();
    const Status s = m_db->transaction([&](QSqlDatabase&) -> Status {
        DeliveryCounts counts;
        if (Status inserted = insertRows(type, payload, key, onlyWebhook, queued, now, out, counts); !inserted)
            return inserted;
        return counts.apply(*m_db);
    });
    if (!s)
        return s.error();
    return out;
}

Status Emitter::insertRows(const QString& type, const QByteArray& payload, const QString& key,
                           std::optional<qint64> onlyWebhook, bool queued, qint64 now, EmitResult& out,
                           DeliveryCounts& counts, Subscribers* subscribers, Handing* handing)
{
    if (!key.isEmpty()) {
        QSqlQuery& q = m_db->statement(QStringLiteral("SELECT id, created_at FROM events WHERE idempotency_key = ?"));
        q.addBindValue(key);
        if (!q.exec())
            return Database::queryError(q, tr("checking the idempotency key"));
        if (q.next()) {
            const qint64 id = q.value(0).toLongLong();
            const bool recent = q.value(1).toLongLong() > now - kIdempotencyWindowMs;
            q.finish();
            if (recent) {
                out.eventId = id;
                out.duplicate = true;
                QSqlQuery& d =
                    m_db->statement(QStringLiteral("SELECT id FROM deliveries WHERE event_id = ? ORDER BY id"));
                d.addBindValue(id);
                if (!d.exec())
                    return Database::queryError(d, tr("reading deliveries"));
                while (d.next())
                    out.deliveryIds << d.value(0).toLongLong();
                d.finish();
                return {};
            }
            // Older than the window: the key may be used again.
            QSqlQuery& u = m_db->statement(QStringLiteral("UPDATE events SET idempotency_key = NULL WHERE id = ?"));
            u.addBindValue(id);
            if (!u.exec())
                return Database::queryError(u, tr("expiring an idempotency key"));
        }
        q.finish();
    }
    Statement& ev = m_db->fastStatement(QStringLiteral(
        "INSERT INTO events (type, payload, idempotency_key, created_at) VALUES (?, ?, ?, ?) RETURNING id"));
    if (!ev.isValid())
        return m_db->statementError(ev, tr("storing the event"));
    ev.bind(type).bindText(payload).bind(key.isEmpty() ? QString() : key).bind(now);
    if (!ev.exec() || !ev.next())
        return m_db->statementError(ev, tr("storing the event"));
    out.eventId = ev.int64(0);
    ev.reset();

    QList<qint64> targets;
    if (onlyWebhook) {
        targets << *onlyWebhook;
    } else if (subscribers && subscribers->contains(type)) {
        targets = subscribers->value(type);
    } else {
        QSqlQuery& q =
            m_db->statement(QStringLiteral("SELECT w.id FROM webhooks w JOIN webhook_events we ON we.webhook_id = w.id "
                                           "WHERE we.event_type = ? AND w.is_active = 1 ORDER BY w.id"));
        q.addBindValue(type);
        if (!q.exec())
            return Database::queryError(q, tr("finding subscribed webhooks"));
        while (q.next())
            targets << q.value(0).toLongLong();
        q.finish();
        if (subscribers)
            subscribers->insert(type, targets);
    }
    Statement& d = m_db->fastStatement(QStringLiteral(
        "INSERT INTO deliveries (event_id, webhook_id, event_type, msg_id, status, next_attempt_at, next_trigger, "
        "created_at, updated_at, lease_owner) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id"));
    if (!d.isValid())
        return m_db->statementError(d, tr("queueing a delivery"));
    const QString trigger = onlyWebhook ? QStringLiteral("test") : QStringLiteral("scheduled");
    // The first `leased` of them go to this process's engine: due when the lease runs out, like a claim.
    int leased = 0;
    if (handing && !onlyWebhook && !targets.isEmpty()) {
        leased = handing->handoff.reserve(int(targets.size()), &handing->lease);
        handing->reserved += leased;
    }
    const QString owner = leased > 0 ? QString::fromLatin1(handing->lease.owner) : QString();
    for (qsizetype i = 0; i < targets.size(); ++i) {
        const bool lease = i < leased;
        const QByteArray msgId = ids::newMessageId();
        d.bind(out.eventId)
            .bind(targets[i])
            .bind(type)
            .bindText(msgId)
            .bind(onlyWebhook && !queued ? std::optional<qint64>()
                                         : std::optional<qint64>(lease ? now + handing->lease.leaseMs : now))
            .bind(trigger)
            .bind(now)
            .bind(now)
            .bind(lease ? owner : QString());
        if (!d.exec() || !d.next())
            return m_db->statementError(d, tr("queueing a delivery"));
        out.deliveryIds << d.int64(0);
        d.reset();
        counts.add(targets[i], now, DeliveryStatus::Pending);
        if (lease)
            handing->batch.deliveries.append(ClaimedDelivery{out.deliveryIds.last(), targets[i], out.eventId, msgId, 0,
                                                             AttemptTrigger::Scheduled, payload, type,
                                                             DeliveryStatus::Pending, now});
    }
    out.handedOff = leased;
    // Wakes engines on other machines at commit (PostgreSQL); not for deliveries already leased here.
    if ((!onlyWebhook || queued) && targets.size() > leased)
        return m_db->notify(QLatin1String(Database::kQueueChannel));
    return {};
}

} // namespace outhook
