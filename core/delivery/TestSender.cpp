#include "delivery/TestSender.h"

#include "delivery/RequestBuilder.h"
#include "events/Emitter.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/SettingsStore.h"
#include "storage/WebhookStore.h"

#include <QCoreApplication>

namespace outhook {

TestSender::TestSender(std::shared_ptr<Database> db, const Clock& clock, std::unique_ptr<Transport> transport,
                       QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_clock(clock)
    , m_transport(std::move(transport))
    , m_poll(new QTimer(this))
{
    connect(m_transport.get(), &Transport::finished, this, &TestSender::onFinished);
    m_poll->setInterval(200);
    connect(m_poll, &QTimer::timeout, this, &TestSender::pollQueued);
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

    if (!m_db->canReadSecrets())
        return queueForEngine(*webhook, *type);
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
    // Test sends capture the response body like the engine does: up to the team's cap.
    const auto team = SettingsStore(m_db, m_clock).load();
    const qint64 bodyCap = team ? team->maxResponseBodyBytesOr(TeamSettings::kDefaultMaxResponseBodyBytes)
                                : TeamSettings::kDefaultMaxResponseBodyBytes;
    BuiltRequest built = RequestBuilder::build(*webhook, msgId, payload, now, quint64(deliveryId), bodyCap);
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

Result<quint64> TestSender::queueForEngine(const Webhook& webhook, const EventType& type)
{
    EventCatalog catalog(m_db, m_clock);
    const auto emitted = Emitter(m_db, catalog, m_clock).emitTest(webhook, type.name, type.sample, true);
    if (!emitted)
        return emitted.error();
    Queued q;
    q.result.webhookId = webhook.id;
    q.result.deliveryId = emitted->deliveryIds.value(0);
    q.result.eventType = type.name;
    q.deadlineMs = m_clock.nowMs() + kQueuedTimeoutMs;
    m_queued.insert(quint64(q.result.deliveryId), q);
    m_poll->start();
    return quint64(q.result.deliveryId);
}

void TestSender::pollQueued()
{
    DeliveryLog log(m_db);
    for (auto it = m_queued.begin(); it != m_queued.end();) {
        const auto attempts = log.attempts(it->result.deliveryId);
        if (attempts && !attempts->isEmpty()) {
            TestSendResult r = it->result;
            r.attempt = attempts->first();
            r.status = r.attempt.errorClass.isEmpty() ? DeliveryStatus::Succeeded : DeliveryStatus::Failed;
            r.signatureSent = !RetryPolicy::header(r.attempt.requestHeaders, "webhook-signature").isEmpty();
            const quint64 tag = it.key();
            it = m_queued.erase(it);
            Q_EMIT finished(tag, r);
            continue;
        }
        if (m_clock.nowMs() > it->deadlineMs) {
            const quint64 tag = it.key();
            it = m_queued.erase(it);
            Q_EMIT failed(
                tag,
                tr("No engine sent the test within %1 s; is outhookd serve running?").arg(kQueuedTimeoutMs / 1000));
            continue;
        }
        ++it;
    }
    if (m_queued.isEmpty())
        m_poll->stop();
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
