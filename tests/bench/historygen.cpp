// Fast generator for the Log History benchmark: WEBHOOKS active webhooks and DELIVERIES deliveries
// spread over the last 30 days, with about 2.9 attempts each (70% succeeded after 1-3 attempts, 15%
// failed after 6, 15% still retrying after 4), written straight into the tables in large transactions.
// 3,450,000 deliveries make about 10 million attempts.
// Usage: outhook_historygen DB DELIVERIES [WEBHOOKS]
#include "storage/Database.h"
#include "storage/DeliveryCounts.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <cstdio>

using namespace outhook;

namespace {

bool exec(QSqlQuery& q, const QVariantList& values)
{
    for (const QVariant& v : values)
        q.addBindValue(v);
    if (q.exec())
        return true;
    std::fprintf(stderr, "historygen: %s\n", qPrintable(q.lastError().text()));
    return false;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: outhook_historygen DB DELIVERIES [WEBHOOKS]\n");
        return 2;
    }
    const qint64 count = QByteArray(argv[2]).toLongLong();
    const int webhookCount = argc > 3 ? QByteArray(argv[3]).toInt() : 20;
    if (count <= 0 || webhookCount <= 0) {
        std::fprintf(stderr, "historygen: DELIVERIES and WEBHOOKS must be positive\n");
        return 2;
    }
    const auto db = Database::open(*DatabaseUrl::parse(QString::fromLocal8Bit(argv[1])));
    if (!db) {
        std::fprintf(stderr, "%s\n", qPrintable(db.error().message));
        return 5;
    }
    SystemClock clock;
    EventCatalog catalog(*db, clock);
    WebhookStore store(*db, catalog, clock);
    QList<qint64> webhookIds;
    for (int i = 0; i < webhookCount; ++i) {
        Webhook w;
        w.name = QStringLiteral("Endpoint %1").arg(i + 1);
        w.url = QStringLiteral("https://hooks%1.example.com/outhook").arg(i + 1);
        w.events = {QStringLiteral("invoice.paid"), QStringLiteral("job.created")};
        w.isActive = true;
        const auto created = store.create(w);
        if (!created) {
            std::fprintf(stderr, "%s\n", qPrintable(created.error().message));
            return 3;
        }
        webhookIds << created->id;
    }

    QSqlDatabase c = (*db)->connection();
    QSqlQuery pragma(c);
    pragma.exec(QStringLiteral("PRAGMA synchronous = OFF"));
    pragma.exec(QStringLiteral("PRAGMA cache_size = -262144"));
    QSqlQuery ev(c), del(c), att(c);
    ev.prepare(QStringLiteral("INSERT INTO events (id, type, payload, created_at) VALUES (?, ?, ?, ?)"));
    del.prepare(
        QStringLiteral("INSERT INTO deliveries (id, event_id, webhook_id, event_type, msg_id, status, attempt_count, "
                       "next_attempt_at, last_status_code, last_error_class, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    att.prepare(QStringLiteral(
        "INSERT INTO attempts (delivery_id, number, triggered_by, started_at, duration_ms, request_url, "
        "request_headers, status_code, response_headers, response_body, response_body_size, error_class, error, "
        "remote_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));

    const qint64 now = clock.nowMs();
    const qint64 span = 30LL * 24 * 3600 * 1000;
    const qint64 start = now - span;
    const QString requestHeaders =
        QStringLiteral("[[\"content-type\",\"application/json\"],[\"webhook-id\",\"msg_x\"],[\"webhook-timestamp\","
                       "\"1764547200\"],[\"webhook-signature\",\"v1,[redacted]\"],[\"user-agent\",\"Outhook/1.0\"]]");
    const QString okHeaders = QStringLiteral("[[\"Content-Type\",\"application/json\"],[\"Server\",\"nginx\"]]");
    const QByteArray okBody = "{\"received\":true}";
    const QByteArray errBody = "{\"error\":\"upstream timed out\",\"retry\":true}";
    qint64 attempts = 0;
    if (!c.transaction())
        return 5;
    for (qint64 i = 0; i < count; ++i) {
        const qint64 id = i + 1;
        const qint64 created = start + span * i / count;
        const int kind = int(i % 20);
        const QString type = (i % 3 == 0) ? QStringLiteral("job.created") : QStringLiteral("invoice.paid");
        const qint64 webhookId = webhookIds.at(int(i % webhookIds.size()));
        const int n = kind < 14 ? 1 + int(i % 3) : (kind < 17 ? 6 : 4);
        const QString status = kind < 14 ? QStringLiteral("succeeded")
                                         : (kind < 17 ? QStringLiteral("failed") : QStringLiteral("retrying"));
        const QVariant next = kind >= 17 ? QVariant(now + 3600 * 1000) : QVariant(QMetaType::fromType<qint64>());
        const QByteArray payload =
            "{\"type\":\"" + type.toLatin1() + "\",\"data\":{\"id\":" + QByteArray::number(id) + "}}";
        if (!exec(ev, {id, type, QString::fromLatin1(payload), created}))
            return 5;
        const bool ok = kind < 14;
        if (!exec(del,
                  {id, id, webhookId, type, QString::fromLatin1(ids::newMessageId()), status, n, next, ok ? 200 : 503,
                   ok ? QStringLiteral("") : QStringLiteral("http_5xx"), created, created + qint64(n) * 60000}))
            return 5;
        for (int a = 1; a <= n; ++a) {
            const bool success = ok && a == n;
            if (!exec(att,
                      {id, a, QStringLiteral("scheduled"), created + qint64(a - 1) * 60000, 20 + int((i * 7 + a) % 400),
                       QStringLiteral("https://hooks.example.com/outhook"), requestHeaders, success ? 200 : 503,
                       okHeaders, success ? okBody : errBody, success ? okBody.size() : errBody.size(),
                       success ? QStringLiteral("") : QStringLiteral("http_5xx"),
                       success ? QStringLiteral("") : QStringLiteral("HTTP 503"), QStringLiteral("127.0.0.1")}))
                return 5;
            ++attempts;
        }
        if (id % 200000 == 0) {
            if (!c.commit() || !c.transaction())
                return 5;
            std::fprintf(stderr, "\r%lld deliveries, %lld attempts", id, attempts);
        }
    }
    if (!c.commit())
        return 5;
    if (const Status counted = (*db)->transaction([&](QSqlDatabase&) { return DeliveryCounts::rebuild(**db); });
        !counted) {
        std::fprintf(stderr, "%s\n", qPrintable(counted.error().message));
        return 5;
    }
    std::fprintf(stderr, "\n");
    std::printf("%lld deliveries, %lld attempts, %d webhooks\n", count, attempts, webhookCount);
    return 0;
}
