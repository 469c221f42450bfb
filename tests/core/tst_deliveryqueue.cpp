#include "events/Emitter.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/WebhookStore.h"

#include "TestDatabases.h"
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <algorithm>

using namespace outhook;

// Emitter, DeliveryQueue and DeliveryLog on a real database of each backend (SQLite file, PostgreSQL from
// scripts/test-postgres), with time under the test's control.
class TestDeliveryQueue : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;

    qint64 scalar(const QString& sql)
    {
        QSqlQuery q(m_db->connection());
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }

    Webhook addWebhook(const QString& name, QStringList events, bool active)
    {
        Webhook w;
        w.name = name;
        w.url = QStringLiteral("https://%1.example.com/hook").arg(name);
        w.events = std::move(events);
        w.isActive = active;
        w.retrySchedule = RetrySchedule({60, 120});
        const auto created = m_store->create(w);
        Q_ASSERT(created);
        return *created;
    }

    AttemptResult result(const ClaimedDelivery& c, std::optional<int> status, AttemptOutcome outcome) const
    {
        AttemptResult r;
        r.attempt.startedAt = m_clock.nowMs();
        r.webhookId = c.webhookId;
        r.claimedStatus = c.status;
        r.createdAt = c.createdAt;
        r.attempt.deliveryId = c.id;
        r.attempt.number = c.attemptCount + 1;
        r.attempt.trigger = c.trigger;
        r.attempt.requestUrl = QStringLiteral("https://x.example.com/");
        r.attempt.requestHeaders = {{"webhook-id", c.msgId}, {"authorization", "Basic [redacted]"}};
        r.attempt.statusCode = status;
        r.attempt.responseHeaders = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}};
        r.attempt.responseBody = "{\"ok\":false}";
        r.attempt.responseBodySize = 12;
        r.attempt.errorClass = outcome.errorClass;
        r.attempt.error = outcome.error;
        r.outcome = std::move(outcome);
        return r;
    }

private Q_SLOTS:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        static int n = 0;
        m_db = test::freshDatabase(m_dir.filePath(QStringLiteral("q%1.db").arg(++n)));
        QVERIFY2(m_db, "could not open a fresh database for this backend");
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
    }
    void cleanup()
    {
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void emitFansOutToActiveSubscribers()
    {
        const Webhook a = addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        const Webhook b =
            addWebhook(QStringLiteral("b"), {QStringLiteral("job.created"), QStringLiteral("invoice.paid")}, true);
        addWebhook(QStringLiteral("inactive"), {QStringLiteral("invoice.paid")}, false);
        addWebhook(QStringLiteral("other"), {QStringLiteral("job.created")}, true);
        int woken = 0;
        m_emitter->setOnQueued([&] { ++woken; });
        const auto r = m_emitter->emit(QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("amount"), 12}});
        QVERIFY2(r, qPrintable(r.error().message));
        QCOMPARE(r->deliveryIds.size(), 2);
        QCOMPARE(woken, 1);
        QVERIFY(!r->duplicate);

        DeliveryLog log(m_db);
        const auto d = log.get(r->deliveryIds.first());
        QVERIFY(d);
        QCOMPARE(d->webhookId, a.id);
        QCOMPARE(d->status, DeliveryStatus::Pending);
        QCOMPARE(d->nextAttemptAt, std::optional<qint64>(m_clock.nowMs()));
        QVERIFY(d->msgId.startsWith(QLatin1String("msg_")));
        QCOMPARE(d->msgId.size(), 28);
        QCOMPARE(d->payload,
                 QByteArray(R"({"type":"invoice.paid","timestamp":"2026-11-01T12:00:00.000Z","data":{"amount":12}})"));
        QCOMPARE(log.get(r->deliveryIds.last())->webhookId, b.id);
        QVERIFY(log.get(r->deliveryIds.last())->msgId != d->msgId);
    }

    void emitRefusesBadInputAndWritesNothing_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown type") << "invoice.exploded" << 10 << "type";
        QTest::newRow("just over 256 KiB") << "invoice.paid" << 256 * 1024 << "data";
    }
    void emitRefusesBadInputAndWritesNothing()
    {
        QFETCH(QString, type);
        QFETCH(int, dataBytes);
        QFETCH(QString, field);
        addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        const auto r =
            m_emitter->emit(type, QJsonObject{{QStringLiteral("blob"), QString(dataBytes, QLatin1Char('x'))}});
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Validation);
        QCOMPARE(r.error().fields.first().field, field);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events")), 0);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries")), 0);
    }

    void idempotencyKeyWithin24Hours()
    {
        addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        const auto first = m_emitter->emit(QStringLiteral("invoice.paid"), {}, QStringLiteral("key-1"));
        m_clock.advance(23LL * 3600 * 1000);
        const auto again = m_emitter->emit(QStringLiteral("invoice.paid"), {}, QStringLiteral("key-1"));
        QVERIFY(again->duplicate);
        QCOMPARE(again->eventId, first->eventId);
        QCOMPARE(again->deliveryIds, first->deliveryIds);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries")), 1);
        m_clock.advance(2LL * 3600 * 1000);
        const auto later = m_emitter->emit(QStringLiteral("invoice.paid"), {}, QStringLiteral("key-1"));
        QVERIFY(!later->duplicate);
        QVERIFY(later->eventId != first->eventId);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries")), 2);
    }

    // The API's group commit: one transaction for the requests that arrived together, yet each answered
    // as if emitted alone, refusals and duplicates included.
    void emitManyAnswersEachRequestAlone()
    {
        addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        int woken = 0;
        m_emitter->setOnQueued([&] { ++woken; });
        const auto results = m_emitter->emitMany({
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), 1}}, {}, {}},
            {QStringLiteral("invoice.exploded"), {}, {}, {}},
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), 3}}, QStringLiteral("key-1"), {}},
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), 4}}, QStringLiteral("key-1"), {}},
        });
        QCOMPARE(results.size(), 4);
        QVERIFY(results[0] && !results[0]->duplicate);
        QCOMPARE(results[0]->deliveryIds.size(), 1);
        QVERIFY(!results[1]);
        QCOMPARE(results[1].error().kind, Error::Kind::Validation);
        QCOMPARE(results[1].error().fields.first().field, QStringLiteral("type"));
        QVERIFY(results[2] && !results[2]->duplicate);
        QVERIFY(results[3] && results[3]->duplicate); // same key in the same batch: the first one wins
        QCOMPARE(results[3]->eventId, results[2]->eventId);
        QCOMPARE(results[3]->deliveryIds, results[2]->deliveryIds);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events")), 2);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries")), 2);
        QCOMPARE(woken, 1); // one wake for the whole batch
        QVERIFY(DeliveryLog(m_db).get(results[2]->deliveryIds.first())->payload.contains("\"n\":3"));
    }

    // The batch reads each type's subscribers once; every event still goes to exactly the active
    // webhooks of its own type, and a non-ASCII payload is stored as the same text.
    void emitManyFansOutEachTypeToItsOwnWebhooks()
    {
        const Webhook a = addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        const Webhook b =
            addWebhook(QStringLiteral("b"), {QStringLiteral("invoice.paid"), QStringLiteral("job.created")}, true);
        addWebhook(QStringLiteral("c"), {QStringLiteral("job.created")}, false);
        const QString name = QStringLiteral("Zo\u00eb pays \u20ac5 \U0001F600");
        const auto results = m_emitter->emitMany({
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("name"), name}}, {}, {}},
            {QStringLiteral("job.created"), {}, {}, {}},
            {QStringLiteral("invoice.paid"), {}, {}, {}},
        });
        const auto webhooksOf = [&](const Result<EmitResult>& r) {
            QList<qint64> ids;
            for (qint64 id : r->deliveryIds)
                ids << DeliveryLog(m_db).get(id)->webhookId;
            return ids;
        };
        QVERIFY(results[0] && results[1] && results[2]);
        QCOMPARE(webhooksOf(results[0]), (QList<qint64>{a.id, b.id}));
        QCOMPARE(webhooksOf(results[1]), QList<qint64>{b.id});
        QCOMPARE(webhooksOf(results[2]), (QList<qint64>{a.id, b.id}));
        const auto stored = DeliveryLog(m_db).get(results[0]->deliveryIds.first());
        QCOMPARE(QJsonDocument::fromJson(stored->payload)
                     .object()
                     .value(QStringLiteral("data"))
                     .toObject()
                     .value(QStringLiteral("name")),
                 QJsonValue(name));
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events WHERE payload LIKE '%\u20ac5%'")), 1);
        if (!m_db->isPostgres()) // text, as Qt binds it, not a blob
            QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events WHERE typeof(payload) <> 'text'")), 0);
    }

    // A row that fails inside the shared transaction rolls it back; the others are then written one by
    // one, so only the failing request gets the error.
    void emitManyIsolatesAFailingRow()
    {
        addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        QSqlQuery q(m_db->connection());
        const QStringList poison =
            m_db->isPostgres()
                ? QStringList{QStringLiteral("CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
                                             "IF NEW.payload LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned'; END IF; "
                                             "RETURN NEW; END $$ LANGUAGE plpgsql"),
                              QStringLiteral("CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW "
                                             "EXECUTE FUNCTION poison()")}
                : QStringList{
                      QStringLiteral("CREATE TRIGGER poison BEFORE INSERT ON events "
                                     "WHEN NEW.payload LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned'); END")};
        for (const QString& sql : poison)
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        const auto results = m_emitter->emitMany({
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), 1}}, {}, {}},
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), QStringLiteral("poison")}}, {}, {}},
            {QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), 3}}, {}, {}},
        });
        QVERIFY(results[0]);
        QVERIFY(!results[1]);
        QCOMPARE(results[1].error().kind, Error::Kind::Storage);
        QVERIFY(results[1].error().message.contains(QLatin1String("poisoned")));
        QVERIFY(results[2]);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events")), 2);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries")), 2);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events WHERE payload LIKE '%poison%'")), 0);
    }

    void claimLeasesAndExpiredLeasesAreReclaimed()
    {
        addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        for (int i = 0; i < 3; ++i)
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        DeliveryQueue engineA(m_db, m_clock, "engine-a");
        DeliveryQueue engineB(m_db, m_clock, "engine-b");
        const auto claimed = engineA.claim(2, 20000);
        QVERIFY(claimed);
        QCOMPARE(claimed->size(), 2);
        QCOMPARE(claimed->first().eventType, QStringLiteral("job.created"));
        QVERIFY(claimed->first().payload.startsWith("{\"type\":\"job.created\""));
        QCOMPARE(engineB.claim(10, 20000)->size(), 1); // only the unleased one
        QCOMPARE(engineB.claim(10, 20000)->size(), 0);

        // engine A dies; once its lease runs out, B takes its work over.
        m_clock.advance(19000);
        QCOMPARE(engineB.claim(10, 20000)->size(), 0);
        m_clock.advance(2000);
        const auto takenOver = engineB.claim(10, 20000);
        QCOMPARE(takenOver->size(), 3); // A's two, and B's own: it sent no heartbeat either
        // A heartbeat keeps a lease alive.
        QVERIFY(engineB.extendLeases(20000));
        m_clock.advance(15000);
        QCOMPARE(engineA.claim(10, 20000)->size(), 0);
    }

    // Two engines claiming at the same time, each on its own connection and thread, never get the same
    // delivery (SKIP LOCKED on PostgreSQL, the write lock on SQLite), and between them they get all of them.
    void concurrentClaimsNeverOverlap()
    {
        addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        constexpr int kDeliveries = 500;
        for (int i = 0; i < kDeliveries; ++i)
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        QSet<qint64> all;
        {
            QSqlQuery q(m_db->connection());
            QVERIFY(q.exec(QStringLiteral("SELECT id FROM deliveries")));
            while (q.next())
                all.insert(q.value(0).toLongLong());
        }
        QCOMPARE(all.size(), kDeliveries);
        QList<qint64> claimed[2];
        QString failed[2];
        QThread* threads[2];
        for (int t = 0; t < 2; ++t) {
            threads[t] = QThread::create([this, t, &claimed, &failed] {
                DeliveryQueue q(m_db, m_clock, t == 0 ? "engine-a" : "engine-b");
                for (;;) {
                    const auto batch = q.claim(20, 60000);
                    if (!batch) {
                        failed[t] = batch.error().message;
                        break;
                    }
                    if (batch->isEmpty())
                        break;
                    for (const ClaimedDelivery& c : *batch)
                        claimed[t] << c.id;
                }
                m_db->releaseThreadConnection();
            });
            threads[t]->start();
        }
        for (QThread* t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        QVERIFY2(failed[0].isEmpty(), qPrintable(failed[0]));
        QVERIFY2(failed[1].isEmpty(), qPrintable(failed[1]));
        const QSet<qint64> a(claimed[0].begin(), claimed[0].end());
        const QSet<qint64> b(claimed[1].begin(), claimed[1].end());
        QCOMPARE(a.size(), claimed[0].size()); // no engine got one twice either
        QCOMPARE(b.size(), claimed[1].size());
        QVERIFY(!a.intersects(b));
        QCOMPARE(a + b, all);
        qInfo() << "engine a claimed" << a.size() << "engine b claimed" << b.size();
    }

    // Two emits with one idempotency key at the same time, on two connections: one event, one set of
    // deliveries, and the loser answers with the winner's ids (on PostgreSQL it waits on the unique
    // index and reads again; on SQLite the write lock orders them).
    void concurrentEmitsWithOneKeyQueueOnce()
    {
        addWebhook(QStringLiteral("a"), {QStringLiteral("invoice.paid")}, true);
        addWebhook(QStringLiteral("b"), {QStringLiteral("invoice.paid")}, true);
        constexpr int kRounds = 20;
        for (int round = 0; round < kRounds; ++round) {
            const QString key = QStringLiteral("race-%1").arg(round);
            Result<EmitResult> results[2] = {Error::storage(QStringLiteral("not run")),
                                             Error::storage(QStringLiteral("not run"))};
            QThread* threads[2];
            for (int t = 0; t < 2; ++t) {
                threads[t] = QThread::create([this, t, &key, &results] {
                    EventCatalog catalog(m_db, m_clock);
                    Emitter emitter(m_db, catalog, m_clock);
                    results[t] = emitter.emit(QStringLiteral("invoice.paid"), {}, key);
                    m_db->releaseThreadConnection();
                });
            }
            for (QThread* t : threads)
                t->start();
            for (QThread* t : threads) {
                QVERIFY(t->wait(30000));
                delete t;
            }
            for (const auto& r : results)
                QVERIFY2(r, qPrintable(r.error().message));
            QCOMPARE(results[0]->eventId, results[1]->eventId);
            QCOMPARE(results[0]->deliveryIds, results[1]->deliveryIds);
            QCOMPARE(results[0]->deliveryIds.size(), 2);
            QCOMPARE(int(results[0]->duplicate) + int(results[1]->duplicate), 1);
        }
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM events")), kRounds);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries")), 2 * kRounds);
    }

    // The Log History's text search means the same on both backends: a delivery or event id, a message
    // id, or text in a response body, ASCII case folded (SQLite's LIKE), bytes that are not UTF-8 no
    // obstacle, and no escape character.
    void logSearchMatchesResponseBodies_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("expected"); // indexes of the deliveries found, newest first
        QTest::newRow("body word") << "boom" << QList<int>{0};
        QTest::newRow("ASCII case folded") << "BOOM in" << QList<int>{0};
        QTest::newRow("non-ASCII") << QStringLiteral("Caf\u00e9") << QList<int>{0};
        QTest::newRow("several") << "error" << QList<int>{2, 0};
        QTest::newRow("after invalid UTF-8") << "tail" << QList<int>{1};
        QTest::newRow("backslash") << "C:\\temp" << QList<int>{2};
        QTest::newRow("quote") << "it's" << QList<int>{2};
        QTest::newRow("nothing") << "no such text" << QList<int>{};
    }
    void logSearchMatchesResponseBodies()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, expected);
        addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        for (int i = 0; i < 4; ++i)
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        DeliveryQueue q(m_db, m_clock, "e");
        auto claimed = *q.claim(10, 20000);
        std::sort(claimed.begin(), claimed.end(),
                  [](const ClaimedDelivery& x, const ClaimedDelivery& y) { return x.id < y.id; });
        QCOMPARE(claimed.size(), 4);
        const QList<QByteArray> bodies{
            QStringLiteral("{\"error\":\"Boom in Caf\u00e9\"}").toUtf8(),
            QByteArray("\xff\xfe binary \x80 tail"),
            QByteArray("{\"error\":\"disk C:\\temp full, it's over\"}"),
            QByteArray(),
        };
        QList<AttemptResult> results;
        AttemptOutcome ok{DeliveryStatus::Succeeded, std::nullopt, {}, {}, {}};
        for (int i = 0; i < 4; ++i) {
            results << result(claimed.at(i), 200, ok);
            results.last().attempt.responseBody = bodies.at(i);
        }
        const auto done = q.complete(results, 5LL * 24 * 3600 * 1000);
        QVERIFY2(done, qPrintable(done.error().message));

        DeliveryLog log(m_db);
        DeliveryFilter f;
        f.text = text;
        const auto found = log.list(f, 50);
        QVERIFY2(found, qPrintable(found.error().message));
        QList<qint64> want;
        for (int i : expected)
            want << claimed.at(i).id;
        QList<qint64> got;
        for (const Delivery& d : *found)
            got << d.id;
        QCOMPARE(got, want);
        // The bytes come back as they were stored.
        QCOMPARE(log.attempts(claimed.at(1).id)->first().responseBody, bodies.at(1));

        // Ids and message ids find their delivery.
        f.text = QString::number(claimed.at(3).id);
        QVERIFY(log.list(f, 50)->size() >= 1);
        QCOMPARE(log.list(f, 50)->first().id, claimed.at(3).id);
        f.text = QString::fromLatin1(claimed.at(3).msgId);
        QCOMPARE(log.list(f, 50)->size(), 1);
        QCOMPARE(log.list(f, 50)->first().id, claimed.at(3).id);
    }

    void inactiveWebhooksAreNotClaimed()
    {
        const Webhook w = addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        QVERIFY(m_store->setActive(w.id, false));
        DeliveryQueue q(m_db, m_clock, "e");
        QCOMPARE(q.claim(10, 1000)->size(), 0);
        QVERIFY(m_store->setActive(w.id, true));
        QCOMPARE(q.claim(10, 1000)->size(), 1);
    }

    void completeRecordsAttemptsAndCounters()
    {
        const Webhook w = addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        // Text beyond ASCII and characters JSON escapes survive the round trip through the queue.
        const QString name = QStringLiteral("Zoë \u2713 \U0001F680");
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("name"), name}}));
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        DeliveryQueue q(m_db, m_clock, "e");
        const auto claimed = q.claim(10, 20000);
        QCOMPARE(claimed->size(), 2);
        QVERIFY(claimed->at(0).payload.contains(name.toUtf8()));
        QCOMPARE(claimed->at(0).eventType, QStringLiteral("job.created"));
        AttemptOutcome retry{DeliveryStatus::Retrying,
                             m_clock.nowMs() + 60000,
                             QStringLiteral("http_status"),
                             QStringLiteral("Endpoint answered HTTP 500 — «überlastet»"),
                             {}};
        AttemptOutcome ok{DeliveryStatus::Succeeded, std::nullopt, {}, {}, {}};
        AttemptResult failed = result(claimed->at(0), 500, retry);
        const QByteArray trace = QStringLiteral("a\"b\\c\td\u0001 ü").toUtf8();
        failed.attempt.responseHeaders[1].second = trace;
        const auto disabled = q.complete({failed, result(claimed->at(1), 200, ok)}, 5LL * 24 * 3600 * 1000);
        QVERIFY2(disabled, qPrintable(disabled.error().message));
        QVERIFY(disabled->isEmpty());

        DeliveryLog log(m_db);
        const auto failedOne = log.get(claimed->at(0).id);
        QCOMPARE(failedOne->status, DeliveryStatus::Retrying);
        QCOMPARE(failedOne->attemptCount, 1);
        QCOMPARE(failedOne->nextAttemptAt, std::optional<qint64>(m_clock.nowMs() + 60000));
        QCOMPARE(failedOne->lastStatusCode, std::optional<int>(500));
        const auto attempts = log.attempts(claimed->at(0).id);
        QCOMPARE(attempts->size(), 1);
        const Attempt& a = attempts->first();
        QCOMPARE(a.statusCode, std::optional<int>(500));
        QCOMPARE(a.responseHeaders.size(), 2);
        QCOMPARE(a.responseHeaders.at(1).second, trace);
        QCOMPARE(a.error, retry.error);
        QCOMPARE(a.responseBody, QByteArray("{\"ok\":false}"));
        QCOMPARE(a.requestHeaders.at(1).second, QByteArray("Basic [redacted]"));
        QCOMPARE(a.errorClass, QStringLiteral("http_status"));
        QCOMPARE(log.get(claimed->at(1).id)->status, DeliveryStatus::Succeeded);
        QCOMPARE(log.get(claimed->at(1).id)->nextAttemptAt, std::nullopt);

        const Webhook after = *m_store->get(w.id);
        QCOMPARE(after.failureCount, 0); // the success came after the failure in the batch
        QVERIFY(after.lastSuccessAt && after.lastFailureAt && after.lastTriggeredAt);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM attempts")), 2);

        // The retry falls due after its delay, not before.
        QCOMPARE(q.claim(10, 20000)->size(), 0);
        QCOMPARE(q.nextDueAt()->value(), m_clock.nowMs() + 60000);
        m_clock.advance(60000);
        QCOMPARE(q.claim(10, 20000)->first().attemptCount, 1);
    }

    // Runs of successes in one batch write the webhook's counters once; the result must be what writing
    // each in turn gives.
    void batchedCountersMatchOneByOne()
    {
        const Webhook w = addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        const Webhook other = addWebhook(QStringLiteral("b"), {QStringLiteral("job.created")}, true);
        for (int i = 0; i < 3; ++i)
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        DeliveryQueue q(m_db, m_clock, "e");
        const auto claimed = q.claim(10, 20000);
        QCOMPARE(claimed->size(), 6);
        QList<ClaimedDelivery> mine, theirs;
        for (const ClaimedDelivery& c : *claimed)
            (c.webhookId == w.id ? mine : theirs) << c;
        const AttemptOutcome ok{DeliveryStatus::Succeeded, std::nullopt, {}, {}, {}};
        const AttemptOutcome retry{DeliveryStatus::Retrying,
                                   m_clock.nowMs() + 60000,
                                   QStringLiteral("http_status"),
                                   QStringLiteral("Endpoint answered HTTP 500"),
                                   {}};
        const auto at = [&](AttemptResult r, qint64 startedAt) {
            r.attempt.startedAt = startedAt;
            return r;
        };
        const qint64 t = m_clock.nowMs();
        // w: success, success, failure (interleaved with the other webhook's successes).
        QVERIFY(q.complete({at(result(mine[0], 200, ok), t + 20), at(result(theirs[0], 200, ok), t + 1),
                            at(result(mine[1], 200, ok), t + 10), at(result(theirs[1], 200, ok), t + 2),
                            at(result(mine[2], 500, retry), t + 30), at(result(theirs[2], 200, ok), t + 3)},
                           5LL * 24 * 3600 * 1000));
        const Webhook failing = *m_store->get(w.id);
        QCOMPARE(failing.failureCount, 1);
        QCOMPARE(failing.lastSuccessAt, std::optional<qint64>(t + 10)); // the later in the batch wins
        QCOMPARE(failing.lastTriggeredAt, std::optional<qint64>(t + 30));
        QCOMPARE(scalar(QStringLiteral("SELECT failing_since FROM webhooks WHERE id = %1").arg(w.id)), t + 30);
        const Webhook fine = *m_store->get(other.id);
        QCOMPARE(fine.failureCount, 0);
        QCOMPARE(fine.lastSuccessAt, std::optional<qint64>(t + 3));
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM attempts")), 6);

        // w's retry succeeds: the streak ends.
        m_clock.advance(60000);
        const auto again = q.claim(10, 20000);
        QCOMPARE(again->size(), 1);
        QVERIFY(q.complete({at(result(again->at(0), 200, ok), t + 40)}, 5LL * 24 * 3600 * 1000));
        const Webhook recovered = *m_store->get(w.id);
        QCOMPARE(recovered.failureCount, 0);
        QCOMPARE(recovered.lastSuccessAt, std::optional<qint64>(t + 40));
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM webhooks WHERE failing_since IS NULL")), 2);
    }

    void goneDisablesWebhook()
    {
        const Webhook w = addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        DeliveryQueue q(m_db, m_clock, "e");
        const auto c = q.claim(1, 20000)->first();
        AttemptOutcome gone{DeliveryStatus::Failed, std::nullopt, QStringLiteral("http_status"),
                            QStringLiteral("Endpoint answered HTTP 410"), QStringLiteral("410 Gone from endpoint")};
        const auto disabled = q.complete({result(c, 410, gone)}, 5LL * 24 * 3600 * 1000);
        QCOMPARE(*disabled, QList<qint64>{w.id});
        const Webhook after = *m_store->get(w.id);
        QVERIFY(!after.isActive);
        QCOMPARE(after.disabledReason, QStringLiteral("410 Gone from endpoint"));
        QCOMPARE(DeliveryLog(m_db).get(c.id)->status, DeliveryStatus::Failed);
    }

    void failingForTheWholePeriodDisables()
    {
        const Webhook w = addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        DeliveryQueue q(m_db, m_clock, "e");
        const qint64 period = 5LL * 24 * 3600 * 1000;
        AttemptOutcome failed{DeliveryStatus::Failed, std::nullopt, QStringLiteral("timeout"), QStringLiteral("t"), {}};
        for (int day = 0; day <= 5; ++day) {
            QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
            const auto c = q.claim(1, 20000)->first();
            const auto disabled = q.complete({result(c, std::nullopt, failed)}, period);
            QVERIFY(disabled);
            QCOMPARE(disabled->isEmpty(), day < 5);
            QCOMPARE(m_store->get(w.id)->isActive, day < 5);
            m_clock.advance(24LL * 3600 * 1000);
        }
        QCOMPARE(m_store->get(w.id)->disabledReason, QStringLiteral("failing for 5 day(s)"));
        QCOMPARE(m_store->get(w.id)->failureCount, 6);
    }

    void resendAndRecover()
    {
        const Webhook w = addWebhook(QStringLiteral("a"), {QStringLiteral("job.created")}, true);
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        QVERIFY(m_emitter->emit(QStringLiteral("job.created"), {}));
        DeliveryQueue q(m_db, m_clock, "e");
        const auto claimed = q.claim(10, 20000);
        AttemptOutcome failed{
            DeliveryStatus::Failed, std::nullopt, QStringLiteral("http_status"), QStringLiteral("x"), {}};
        QVERIFY(q.complete({result(claimed->at(0), 500, failed), result(claimed->at(1), 500, failed)},
                           5LL * 24 * 3600 * 1000));
        QCOMPARE(q.counts()->failed, 2);

        QVERIFY(q.resend(claimed->at(0).id));
        const auto again = q.claim(10, 20000);
        QCOMPARE(again->size(), 1);
        QCOMPARE(again->first().trigger, AttemptTrigger::Manual);
        QCOMPARE(q.resend(424242).error().kind, Error::Kind::NotFound);
        QCOMPARE(q.resend(claimed->at(0).id).error().kind, Error::Kind::Conflict); // leased right now

        const auto recovered = q.recover(w.id, m_clock.nowMs() - 1000);
        QCOMPARE(*recovered, 1); // the other one; the first is in flight
        QCOMPARE(q.recover(w.id, m_clock.nowMs() + 1000).value(), 0);
        QCOMPARE(q.recover(999, 0).error().kind, Error::Kind::NotFound);

        // The manual resend claimed a failed delivery; its success moves it out of the failed count.
        QCOMPARE(again->first().status, std::optional<DeliveryStatus>(DeliveryStatus::Failed));
        AttemptOutcome ok{DeliveryStatus::Succeeded, std::nullopt, {}, {}, {}};
        QVERIFY(q.complete({result(again->first(), 200, ok)}, 5LL * 24 * 3600 * 1000));
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
    }
};

QTEST_GUILESS_MAIN(TestDeliveryQueue)
#include "tst_deliveryqueue.moc"
