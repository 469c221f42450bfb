#include "DemoData.h"

#include "events/Emitter.h"
#include "storage/DeliveryQueue.h"
#include "storage/WebhookStore.h"

#include <QJsonObject>
#include <QSqlQuery>

namespace outhook::demo {

namespace {

Webhook webhook(const QString& name, const QString& url, QStringList events, bool active)
{
    Webhook w;
    w.name = name;
    w.url = url;
    w.events = std::move(events);
    w.isActive = active;
    return w;
}

struct Reply
{
    std::optional<int> status;
    QByteArray body;
    RawHeaders headers;
    QString errorClass;
    QString error;
    qint64 durationMs;
};

Reply ok(int status, qint64 ms)
{
    return {
        status, "{\"received\":true}", {{"Content-Type", "application/json"}, {"X-Request-Id", "req_8f2c1a"}}, {}, {},
        ms};
}

Reply serverError(qint64 ms)
{
    return {500,
            "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1>"
            "<p>The server encountered an unexpected condition.</p></body></html>",
            {{"Content-Type", "text/html; charset=utf-8"}, {"Server", "nginx/1.22.1"}, {"X-Request-Id", "req_1d77e0"}},
            QStringLiteral("http_status"),
            QStringLiteral("Endpoint answered HTTP 500"),
            ms};
}

Reply unavailable()
{
    return {503,
            "{\"error\":\"maintenance\",\"message\":\"Scheduled maintenance until 14:00 UTC\"}",
            {{"Content-Type", "application/json"}, {"Retry-After", "600"}},
            QStringLiteral("http_status"),
            QStringLiteral("Endpoint answered HTTP 503"),
            84};
}

Reply timeout()
{
    return {std::nullopt,
            {},
            {},
            QStringLiteral("timeout"),
            QStringLiteral("Operation timed out after 30000 milliseconds with 0 bytes received"),
            30000};
}

} // namespace

int populate(const std::shared_ptr<Database>& db, qint64 nowMs)
{
    ManualClock clock(QDateTime::fromMSecsSinceEpoch(nowMs - 24LL * 3600 * 1000, QTimeZone::utc()));
    EventCatalog catalog(db, clock);
    WebhookStore store(db, catalog, clock);
    Emitter emitter(db, catalog, clock);
    DeliveryQueue queue(db, clock, "demo");

    const auto billing = store.create(
        webhook(QStringLiteral("Billing (NetSuite)"), QStringLiteral("https://netsuite.acme-corp.com/hooks/outhook"),
                {QStringLiteral("invoice.created"), QStringLiteral("invoice.paid")}, true));
    const auto crm =
        store.create(webhook(QStringLiteral("CRM sync"), QStringLiteral("https://crm.example.io/webhooks/inbound"),
                             {QStringLiteral("contact.created"), QStringLiteral("job.created"),
                              QStringLiteral("job.updated"), QStringLiteral("job.status_changed")},
                             true));
    const auto warehouse = store.create(webhook(QStringLiteral("Data warehouse"),
                                                QStringLiteral("https://ingest.warehouse.example.net/v2/events"),
                                                {QStringLiteral("job.created"), QStringLiteral("invoice.paid"),
                                                 QStringLiteral("time_entry.logged"), QStringLiteral("task.completed")},
                                                true));
    const auto zapier = store.create(webhook(QStringLiteral("Zapier: new contacts"),
                                             QStringLiteral("https://hooks.zapier.com/hooks/catch/123456/abcdef"),
                                             {QStringLiteral("contact.created")}, true));
    if (!billing || !crm || !warehouse || !zapier)
        return 0;

    const QStringList types{QStringLiteral("invoice.paid"),      QStringLiteral("job.created"),
                            QStringLiteral("contact.created"),   QStringLiteral("job.status_changed"),
                            QStringLiteral("time_entry.logged"), QStringLiteral("invoice.created")};
    int deliveries = 0;
    for (int i = 0; i < 36; ++i) {
        const QString type = types.at(i % types.size());
        const auto sample = catalog.find(type);
        const auto emitted = emitter.emit(type, sample ? sample->sample : QJsonObject());
        if (!emitted)
            continue;
        deliveries += int(emitted->deliveryIds.size());
        // Each delivery's story: the warehouse times out now and then, the CRM had a bad hour, the
        // billing endpoint is in maintenance at the end, Zapier answered 410 once and was turned off.
        for (int attemptNo = 1; attemptNo <= 4; ++attemptNo) {
            const auto claimed = queue.claim(100, 60000);
            if (!claimed || claimed->isEmpty())
                break;
            QList<AttemptResult> results;
            for (const ClaimedDelivery& c : *claimed) {
                Reply r = ok(c.webhookId == billing->id ? 200 : 204, 40 + (c.id * 37) % 180);
                if (c.webhookId == crm->id && i >= 20 && i < 26)
                    r = serverError(220 + c.id % 90);
                if (c.webhookId == warehouse->id && i % 7 == 3 && attemptNo == 1)
                    r = timeout();
                if (c.webhookId == billing->id && i >= 33)
                    r = unavailable();
                if (c.webhookId == zapier->id && i >= 14)
                    r = {410,
                         "Gone",
                         {{"Content-Type", "text/plain"}},
                         QStringLiteral("http_status"),
                         QStringLiteral("Endpoint answered HTTP 410"),
                         61};
                AttemptResult ar;
                ar.webhookId = c.webhookId;
                Attempt& a = ar.attempt;
                a.deliveryId = c.id;
                a.number = c.attemptCount + 1;
                a.trigger = c.trigger;
                a.startedAt = clock.nowMs();
                a.durationMs = r.durationMs;
                a.requestUrl = QStringLiteral("https://demo.invalid/");
                a.requestHeaders = {{"content-type", "application/json"},
                                    {"user-agent", "Outhook/" OUTHOOK_VERSION},
                                    {"webhook-id", c.msgId},
                                    {"webhook-timestamp", QByteArray::number(clock.nowMs() / 1000)},
                                    {"webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="}};
                a.statusCode = r.status;
                a.responseHeaders = r.headers;
                a.responseBody = r.body;
                a.responseBodySize = r.body.size();
                a.errorClass = r.errorClass;
                a.error = r.error;
                const bool success = r.errorClass.isEmpty();
                ar.outcome.errorClass = r.errorClass;
                ar.outcome.error = r.error;
                if (success) {
                    ar.outcome.status = DeliveryStatus::Succeeded;
                } else if (r.status == 410) {
                    ar.outcome.status = DeliveryStatus::Failed;
                    ar.outcome.disableReason = QStringLiteral("410 Gone from endpoint");
                } else if (r.status == 503) {
                    ar.outcome.status = DeliveryStatus::Retrying;
                    ar.outcome.nextAttemptAt = nowMs + 10 * 60 * 1000;
                } else {
                    ar.outcome.status = a.number >= 4 ? DeliveryStatus::Failed : DeliveryStatus::Retrying;
                    if (a.number < 4)
                        ar.outcome.nextAttemptAt = clock.nowMs() + 60 * 1000;
                }
                results << ar;
            }
            queue.complete(results, 5LL * 24 * 3600 * 1000);
            clock.advance(61 * 1000);
        }
        clock.advance(35 * 60 * 1000);
    }
    // Fix up the webhook URLs in the attempt log (the synthetic rows above used a placeholder).
    QSqlQuery q(db->connection());
    q.exec(QStringLiteral("UPDATE attempts SET request_url = (SELECT w.url FROM deliveries d JOIN webhooks w ON "
                          "w.id = d.webhook_id WHERE d.id = attempts.delivery_id)"));
    return deliveries;
}

} // namespace outhook::demo
