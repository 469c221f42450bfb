// Fast generator for benchmarks: one active webhook pointing at URL and N pending deliveries of a
// 1 KiB event, written straight into the tables in one transaction (Emitter would take minutes).
// Usage: outhook_benchgen DB URL N
#include "storage/Database.h"
#include "storage/DeliveryCounts.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"

#include <QCoreApplication>
#include <QSqlQuery>
#include <cstdio>

using namespace outhook;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: outhook_benchgen DB URL COUNT\n");
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
    Webhook w;
    w.name = QStringLiteral("bench");
    w.url = QString::fromLocal8Bit(argv[2]);
    w.events = {QStringLiteral("job.created")};
    w.isActive = true;
    w.retrySchedule = RetrySchedule();
    const auto created = store.create(w);
    if (!created) {
        std::fprintf(stderr, "%s\n", qPrintable(created.error().message));
        return 3;
    }
    const int count = QByteArray(argv[3]).toInt();
    const qint64 now = clock.nowMs();
    const QByteArray payload =
        "{\"type\":\"job.created\",\"timestamp\":\"2026-11-22T00:00:00.000Z\",\"data\":{\"pad\":\"" +
        QByteArray(1024 - 80, 'x') + "\"}}";
    const Status s = (*db)->transaction([&](QSqlDatabase& c) -> Status {
        QSqlQuery ev(c);
        ev.prepare(
            QStringLiteral("INSERT INTO events (type, payload, created_at) VALUES ('job.created', ?, ?) RETURNING id"));
        QSqlQuery del(c);
        del.prepare(QStringLiteral(
            "INSERT INTO deliveries (event_id, webhook_id, event_type, msg_id, status, "
            "next_attempt_at, created_at, updated_at) VALUES (?, ?, 'job.created', ?, 'pending', ?, ?, ?)"));
        for (int i = 0; i < count; ++i) {
            ev.addBindValue(QString::fromLatin1(payload));
            ev.addBindValue(now);
            if (!ev.exec() || !ev.next())
                return Database::queryError(ev, QStringLiteral("inserting events"));
            const qint64 eventId = ev.value(0).toLongLong();
            ev.finish();
            for (const QVariant& v :
                 QVariantList{eventId, created->id, QString::fromLatin1(ids::newMessageId()), now, now, now})
                del.addBindValue(v);
            if (!del.exec())
                return Database::queryError(del, QStringLiteral("inserting deliveries"));
        }
        return DeliveryCounts::rebuild(**db);
    });
    if (!s) {
        std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
        return 5;
    }
    std::printf("%d pending deliveries to %s\n", count, argv[2]);
    return 0;
}
