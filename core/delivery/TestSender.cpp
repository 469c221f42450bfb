#include "delivery/TestSender.h"

#include "delivery/RequestBuilder.h"
#include "events/Emitter.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"

#include <QCoreApplication>

namespace outhook {

TestSender::TestSender(std::shared_ptr<Database> db, const Clock& clock, std::unique_ptr<Transport> transport,
                       QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_clock(clock)
    , m_transport(std::move(transport))
{
    connect(m_transport.get(), &Transport::finished, this, &TestSender::onFinished);
}

TestSender::~TestSender() = default;

Result<quint64> TestSender::send(qint64 webhookId, const QString& eventType)
{
    EventCatalog catalog(m_db, m_clock);
    WebhookStore store(m_db, catalog, m_clock);
    const auto webhook = store.get(webhookId);
    if (!webhook)
        return webhook.error();
    const QString typeName = eventType.isEmpty() ? webhook->events.value(0) : eventType;
    const auto type = catalog.find(typeName);
    if (!type)
        return Error::validation(QStringLiteral("event"), type.error().message);

    Emitter emitter(m_db, catalog, m_clock);
    const auto emitted = emitter.emitTest(*webhook, type->name, type->sample);
    if (!emitted)
        return emitted.error();
    const qint64 deliveryId = emitted->deliveryIds.value(0);
    // The msg id and the frozen envelope, exactly as stored.
    const auto delivery = [&]() -> Result<QPair<QByteArray, QByteArray>> {
        QSqlQuery q(m_db->connection());
        q.prepare(QStringLiteral("SELECT d.msg_id, e.payload FROM deliveries d JOIN events e ON e.id = d.event_id "
                                 "WHERE d.id = ?"));
        q.addBindValue(deliveryId);
        if (!q.exec() || !q.next())
            return Database::queryError(q, QCoreApplication::translate("TestSender", "reading the test delivery"));
        return QPair<QByteArray, QByteArray>(q.value(0).toString().toLatin1(), q.value(1).toString().toUtf8());
    }();
    if (!delivery)
        return delivery.error();
    const auto& [msgId, payload] = delivery.value();

    const qint64 now = m_clock.nowMs();
    BuiltRequest built = RequestBuilder::build(*webhook, msgId, payload, now, quint64(deliveryId));
    Pending p;
    p.webhook = *webhook;
    p.result.webhookId = webhook->id;
    p.result.deliveryId = deliveryId;
    p.result.eventType = type->name;
    p.result.signatureSent = !RetryPolicy::header(built.request.headers, "webhook-signature").isEmpty();
    p.redacted = built.redactedHeaders;
    p.startedAt = now;
    m_pending.insert(quint64(deliveryId), p);
    m_transport->send(built.request);
    return quint64(deliveryId);
}

void TestSender::onFinished(const HttpResponse& r)
{
    const auto it = m_pending.find(r.tag);
    if (it == m_pending.end())
        return;
    Pending p = *it;
    m_pending.erase(it);

    AttemptResult ar;
    ar.webhookId = p.webhook.id;
    Attempt& a = ar.attempt;
    a.deliveryId = p.result.deliveryId;
    a.number = 1;
    a.trigger = AttemptTrigger::Test;
    a.startedAt = p.startedAt;
    a.durationMs = r.durationMs;
    a.requestUrl = p.webhook.url;
    a.requestHeaders = p.redacted;
    if (r.statusCode > 0)
        a.statusCode = r.statusCode;
    a.responseHeaders = r.headers;
    a.responseBody = r.body;
    a.responseBodySize = r.bodySize;
    a.truncated = r.truncated;
    a.remoteAddress = r.remoteAddress;
    ar.outcome = RetryPolicy().decide(r, p.webhook.retrySchedule, 1, AttemptTrigger::Test, m_clock.nowMs());
    a.errorClass = ar.outcome.errorClass;
    a.error = ar.outcome.error;

    DeliveryQueue queue(m_db, m_clock, QByteArrayLiteral("test-sender"));
    const auto written = queue.complete({ar}, 5LL * 24 * 3600 * 1000);
    p.result.attempt = a;
    p.result.status = ar.outcome.status;
    if (!written)
        Q_EMIT failed(r.tag, written.error().message);
    Q_EMIT finished(r.tag, p.result);
}

} // namespace outhook
