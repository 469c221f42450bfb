// The handlers behind each /api/v1 route (routing, auth and body parsing live in ApiRouter.cpp).
#include "api/ApiContext.h"
#include "api/WebhookInput.h"

#include "delivery/StorageLane.h"
#include "delivery/TestSender.h"
#include "events/Emitter.h"
#include "model/DeliveryJson.h"
#include "model/WebhookJson.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/SettingsStore.h"
#include "storage/WebhookStore.h"
#include "util/Time.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

namespace outhook::api {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("ApiEndpoints", text);
}

// Paging parameters: `limit` (1..max, default 50) and `cursor` (the last id of the previous page).
bool pageArgs(const QUrlQuery& q, int max, int* limit, std::optional<qint64>* cursor, FieldErrors* errors)
{
    *limit = 50;
    if (q.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        *limit = q.queryItemValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || *limit < 1 || *limit > max)
            errors->append({QStringLiteral("limit"), tr("Limit must be between 1 and %1").arg(max)});
    }
    if (q.hasQueryItem(QStringLiteral("cursor"))) {
        bool ok = false;
        const qint64 c = q.queryItemValue(QStringLiteral("cursor")).toLongLong(&ok);
        if (!ok || c < 0)
            errors->append({QStringLiteral("cursor"), tr("Cursor must be the next_cursor of a previous page")});
        *cursor = c;
    }
    return errors->isEmpty();
}

QJsonObject webhookJson(const Webhook& w, bool withSecret)
{
    return json::webhookToJson(w, withSecret ? json::SecretVisibility::Shown : json::SecretVisibility::Hidden);
}

} // namespace

void ApiRouter::listWebhooks(Context& c)
{
    int limit = 50;
    std::optional<qint64> cursor;
    FieldErrors errors;
    if (!pageArgs(c.request.query, 200, &limit, &cursor, &errors))
        return c.fail(Error::validation(errors));
    const auto page = m_webhooks->page(cursor.value_or(0), limit + 1);
    if (!page)
        return c.fail(page.error());
    QJsonArray data;
    for (qsizetype i = 0; i < std::min<qsizetype>(page->size(), limit); ++i)
        data.append(webhookJson(page->at(i), false));
    const QJsonValue next =
        page->size() > limit ? QJsonValue(QString::number(page->at(limit - 1).id)) : QJsonValue(QJsonValue::Null);
    c.ok(200, data, {{QStringLiteral("next_cursor"), next}});
}

void ApiRouter::getWebhook(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    const auto w = m_webhooks->get(*id);
    if (!w)
        return c.fail(w.error());
    // The signing secret is shown to keys that may change the webhook anyway.
    c.ok(200, webhookJson(*w, c.key.scopes.contains(QStringLiteral("webhooks:write"))));
}

void ApiRouter::createWebhook(Context& c)
{
    const auto body = jsonBody(c);
    if (!body)
        return;
    // Fields the body leaves out get the team's defaults (retry schedule, timeout).
    const auto team = SettingsStore(m_db, m_clock).load();
    if (!team)
        return c.fail(team.error());
    Webhook w = team->newWebhook();
    if (FieldErrors e = applyWebhookJson(*body, w, InputMode::Create); !e.isEmpty())
        return c.fail(Error::validation(e));
    const auto created = m_webhooks->create(w);
    if (!created)
        return c.fail(created.error());
    c.ok(201, webhookJson(*created, true));
}

void ApiRouter::patchWebhook(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    const auto body = jsonBody(c);
    if (!body)
        return;
    auto existing = m_webhooks->get(*id);
    if (!existing)
        return c.fail(existing.error());
    Webhook w = *existing;
    if (FieldErrors e = applyWebhookJson(*body, w, InputMode::Patch); !e.isEmpty())
        return c.fail(Error::validation(e));
    const auto updated = m_webhooks->update(w);
    if (!updated)
        return c.fail(updated.error());
    if (updated->isActive && !existing->isActive && m_onQueued)
        m_onQueued(); // its queued deliveries may go out now
    c.ok(200, webhookJson(*updated, false));
}

void ApiRouter::deleteWebhook(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    if (Status s = m_webhooks->remove(*id); !s)
        return c.fail(s.error());
    c.ok(200, QJsonObject{{QStringLiteral("id"), *id}, {QStringLiteral("deleted"), true}});
}

void ApiRouter::rotateSecret(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    qint64 grace = 24 * 3600;
    if (!c.request.body.trimmed().isEmpty()) {
        const auto body = jsonBody(c);
        if (!body)
            return;
        const QJsonValue g = body->value(QStringLiteral("grace_seconds"));
        if (!g.isUndefined() && (!g.isDouble() || g.toInteger() < 0 || g.toInteger() > 30 * 86400))
            return c.fail(Error::validation(QStringLiteral("grace_seconds"),
                                            tr("Grace must be a number of seconds up to 30 days")));
        if (!g.isUndefined())
            grace = g.toInteger();
    }
    const auto w = m_webhooks->rotateSecret(*id, grace);
    if (!w)
        return c.fail(w.error());
    c.ok(200, webhookJson(*w, true));
}

void ApiRouter::testWebhook(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    QString type;
    if (!c.request.body.trimmed().isEmpty()) {
        const auto body = jsonBody(c);
        if (!body)
            return;
        type = body->value(QStringLiteral("event")).toString();
    }
    const auto tag = m_tests->send(*id, type);
    if (!tag)
        return c.fail(tag.error());
    // The answer waits for the attempt; onTestFinished sends it.
    Context copy = c;
    m_pendingTests.insert(*tag, {[copy](ApiResponse r) mutable { copy.respond(std::move(r)); }, c.requestId});
}

void ApiRouter::onTestFinished(quint64 tag, const TestSendResult& r)
{
    const auto pending = m_pendingTests.take(tag);
    if (!pending.first)
        return;
    QJsonObject attempt = json::attemptToJson(r.attempt);
    attempt.insert(QStringLiteral("delivery_id"), r.deliveryId);
    attempt.insert(QStringLiteral("event_type"), r.eventType);
    attempt.insert(QStringLiteral("signature_sent"), r.signatureSent);
    attempt.insert(QStringLiteral("succeeded"), r.status == DeliveryStatus::Succeeded);
    pending.first(jsonResponse(200, attempt, pending.second));
}

void ApiRouter::recoverWebhook(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    const auto body = jsonBody(c);
    if (!body)
        return;
    const auto since = time::parseIso(body->value(QStringLiteral("since")).toString());
    if (!since)
        return c.fail(Error::validation(QStringLiteral("since"), tr("Since must be an ISO 8601 time")));
    const auto n = m_queue->recover(*id, since->toMSecsSinceEpoch());
    if (!n)
        return c.fail(n.error());
    if (*n > 0 && m_onQueued)
        m_onQueued();
    c.ok(202, QJsonObject{{QStringLiteral("requeued"), *n}});
}

void ApiRouter::listEventTypes(Context& c)
{
    const auto types = m_catalog->list();
    if (!types)
        return c.fail(types.error());
    QJsonArray kinds;
    QJsonArray current;
    QString kind;
    const auto flush = [&] {
        if (!kind.isEmpty())
            kinds.append(QJsonObject{{QStringLiteral("kind"), kind}, {QStringLiteral("types"), current}});
        current = QJsonArray();
    };
    for (const EventType& t : *types) {
        if (t.kind != kind) {
            flush();
            kind = t.kind;
        }
        current.append(QJsonObject{{QStringLiteral("name"), t.name},
                                   {QStringLiteral("description"), t.description},
                                   {QStringLiteral("sample"), t.sample},
                                   {QStringLiteral("builtin"), t.builtin}});
    }
    flush();
    c.ok(200, kinds);
}

void ApiRouter::addEventType(Context& c)
{
    const auto body = jsonBody(c);
    if (!body)
        return;
    FieldErrors errors;
    for (const char* key : {"name", "kind", "description"}) {
        const QJsonValue v = body->value(QLatin1String(key));
        if (!v.isUndefined() && !v.isString())
            errors.append({QLatin1String(key), tr("Must be a string")});
    }
    const QJsonValue sample = body->value(QStringLiteral("sample"));
    if (!sample.isUndefined() && !sample.isObject())
        errors.append({QStringLiteral("sample"), tr("Must be a JSON object")});
    if (!errors.isEmpty())
        return c.fail(Error::validation(errors));
    EventType t;
    t.name = body->value(QStringLiteral("name")).toString();
    t.kind = body->value(QStringLiteral("kind")).toString(t.name.section(QLatin1Char('.'), 0, 0));
    t.description = body->value(QStringLiteral("description")).toString();
    t.sample = sample.toObject();
    const auto added = m_catalog->add(t);
    if (!added)
        return c.fail(added.error());
    c.ok(201, QJsonObject{{QStringLiteral("name"), added->name},
                          {QStringLiteral("kind"), added->kind},
                          {QStringLiteral("description"), added->description},
                          {QStringLiteral("sample"), added->sample}});
}

void ApiRouter::ingestEvent(Context& c)
{
    QByteArray dataJson;
    const auto body = jsonBody(c, QLatin1String("data"), &dataJson);
    if (!body)
        return;
    FieldErrors errors;
    if (!body->value(QStringLiteral("type")).isString())
        errors.append({QStringLiteral("type"), tr("Type is required (a string such as \"invoice.paid\")")});
    const QJsonValue data = body->value(QStringLiteral("data"));
    if (!data.isUndefined() && !data.isObject())
        errors.append({QStringLiteral("data"), tr("Data must be a JSON object")});
    for (auto it = body->begin(); it != body->end(); ++it) {
        if (it.key() != QLatin1String("type") && it.key() != QLatin1String("data"))
            errors.append({it.key(), tr("Unknown field")});
    }
    if (!errors.isEmpty())
        return c.fail(Error::validation(errors));
    // Group commit: the requests that arrive while the lane commits the previous batch (or in one pass of
    // the event loop, when it is idle) share one transaction; each is answered after that commit.
    if (m_ingestBatch.isEmpty())
        QMetaObject::invokeMethod(this, &ApiRouter::flushIngest, Qt::QueuedConnection);
    m_ingestBatch.append({EmitRequest{body->value(QStringLiteral("type")).toString(), data.toObject(),
                                      QString::fromUtf8(c.request.header("idempotency-key")), dataJson},
                          c.reply, c.requestId});
    if (m_ingestBatch.size() >= kMaxIngestBatch)
        flushIngest();
}

void ApiRouter::flushIngest()
{
    if (!m_ingestCommitting.isEmpty() || m_ingestBatch.isEmpty())
        return; // answerIngest() flushes again when the batch in flight is answered
    m_ingestCommitting = m_ingestBatch.mid(0, kMaxIngestBatch);
    m_ingestBatch.remove(0, m_ingestCommitting.size());
    QList<EmitRequest> events;
    events.reserve(m_ingestCommitting.size());
    for (const PendingIngest& p : std::as_const(m_ingestCommitting))
        events.append(p.event);
    m_ingestLane->post([this, events = std::move(events)] {
        QList<Result<EmitResult>> results = m_ingestEmitter->emitMany(events);
        QMetaObject::invokeMethod(
            this, [this, results = std::move(results)] { answerIngest(results); }, Qt::QueuedConnection);
    });
}

void ApiRouter::answerIngest(const QList<Result<EmitResult>>& results)
{
    const QList<PendingIngest> batch = std::exchange(m_ingestCommitting, {});
    flushIngest(); // the requests that arrived during that commit go to the lane before these are answered
    bool queued = false;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        Context c = batch[i].answer();
        const Result<EmitResult>& r = results[i];
        if (!r) {
            c.fail(r.error());
            continue;
        }
        // Deliveries handed to this process's engine need no wake-up: they are on their way already.
        queued = queued || (!r->duplicate && r->deliveryIds.size() > r->handedOff);
        // Answered only now, after the commit: an acknowledged event is durable.
        c.okRaw(202, ingestAnswerJson(r->eventId, r->deliveryIds, r->duplicate));
    }
    if (queued && m_onQueued)
        m_onQueued();
}

void ApiRouter::finishIngest()
{
    while (!m_ingestCommitting.isEmpty() || !m_ingestBatch.isEmpty()) {
        flushIngest();
        m_ingestLane->waitIdle();
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall); // runs answerIngest()
    }
}

void ApiRouter::listDeliveries(Context& c)
{
    const QUrlQuery& q = c.request.query;
    DeliveryFilter f;
    FieldErrors errors;
    int limit = 50;
    std::optional<qint64> cursor;
    pageArgs(q, 1000, &limit, &cursor, &errors);
    if (q.hasQueryItem(QStringLiteral("webhook"))) {
        bool ok = false;
        f.webhookId = q.queryItemValue(QStringLiteral("webhook")).toLongLong(&ok);
        if (!ok)
            errors.append({QStringLiteral("webhook"), tr("Webhook must be a numeric id")});
    }
    if (q.hasQueryItem(QStringLiteral("status"))) {
        f.status = parseDeliveryStatus(q.queryItemValue(QStringLiteral("status")));
        if (!f.status)
            errors.append({QStringLiteral("status"), tr("Status must be pending, retrying, succeeded or failed")});
    }
    f.eventType = q.queryItemValue(QStringLiteral("event_type"), QUrl::FullyDecoded);
    if (q.hasQueryItem(QStringLiteral("since"))) {
        const auto t = time::parseIso(q.queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded));
        if (!t)
            errors.append({QStringLiteral("since"), tr("Since must be an ISO 8601 time")});
        else
            f.sinceMs = t->toMSecsSinceEpoch();
    }
    if (!errors.isEmpty())
        return c.fail(Error::validation(errors));
    // Newest first, so the cursor is the smallest id seen.
    const auto rows = m_log->list(f, limit + 1, cursor && *cursor > 0 ? cursor : std::nullopt);
    if (!rows)
        return c.fail(rows.error());
    QJsonArray data;
    for (qsizetype i = 0; i < std::min<qsizetype>(rows->size(), limit); ++i)
        data.append(json::deliveryToJson(rows->at(i)));
    const QJsonValue next =
        rows->size() > limit ? QJsonValue(QString::number(rows->at(limit - 1).id)) : QJsonValue(QJsonValue::Null);
    c.ok(200, data, {{QStringLiteral("next_cursor"), next}});
}

void ApiRouter::getDelivery(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    const auto d = m_log->get(*id);
    if (!d)
        return c.fail(d.error());
    const auto attempts = m_log->attempts(*id);
    if (!attempts)
        return c.fail(attempts.error());
    c.ok(200, json::deliveryDetailToJson(*d, *attempts));
}

void ApiRouter::resendDelivery(Context& c)
{
    const auto id = idArg(c, 0);
    if (!id)
        return;
    if (Status s = m_queue->resend(*id); !s)
        return c.fail(s.error());
    if (m_onQueued)
        m_onQueued();
    c.ok(202, QJsonObject{{QStringLiteral("id"), *id}, {QStringLiteral("queued"), true}});
}

} // namespace outhook::api
