#include "events/Emitter.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/HealthStats.h"
#include "storage/WebhookStore.h"

#include "TestDatabases.h"
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <functional>

using namespace outhook;

namespace {

constexpr qint64 kHourMs = 3600LL * 1000;

QDateTime at(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2026, 11, day), QTime(hour, minute), QTimeZone::utc());
}

// PostgreSQL's percentile_cont over the raw values: what the histogram approximates.
double exactPercentile(QList<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    const double rank = p * double(values.size() - 1);
    const auto low = qsizetype(std::floor(rank));
    const qsizetype high = std::min(low + 1, values.size() - 1);
    return double(values[low]) + (rank - double(low)) * double(values[high] - values[low]);
}

// The width of the histogram bin that holds `ms`: the most an interpolated percentile may be off by.
double binWidth(double ms)
{
    const QList<qint64>& bounds = HealthStats::latencyBounds();
    for (qsizetype i = 1; i < bounds.size(); ++i) {
        if (ms < double(bounds[i]))
            return double(bounds[i] - bounds[i - 1]);
    }
    return ms;
}

// A bucket's deliveries as {succeeded, failed, retrying, pending}.
QList<qint64> outcomes(const HealthBucket& b)
{
    using S = DeliveryStatus;
    return {b.count(S::Succeeded), b.count(S::Failed), b.count(S::Retrying), b.count(S::Pending)};
}

} // namespace

// HealthStats on a real database of each backend: deliveries and attempts written through the real
// Emitter and DeliveryQueue at times a ManualClock sets, then read back as per-hour aggregates.
class TestHealthStats : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{at(1, 0)};
    QString m_dbFile;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<DeliveryQueue> m_queue;
    qint64 m_a = 0;
    qint64 m_b = 0;
    QList<qint64> m_leavePending; // deliveries attemptAll hands back untouched

    struct Reply
    {
        DeliveryStatus status;
        qint64 durationMs;
        QString errorClass;
        std::optional<int> statusCode;
    };
    using Answer = std::function<Reply(const ClaimedDelivery&, int index)>;

    static Reply ok(qint64 ms) { return {DeliveryStatus::Succeeded, ms, {}, 200}; }

    qint64 addWebhook(const QString& name)
    {
        Webhook w;
        w.name = name;
        w.url = QStringLiteral("https://%1.example.com/hook").arg(name);
        w.events = {QStringLiteral("invoice.paid")};
        w.isActive = true;
        w.retrySchedule = RetrySchedule({3600});
        const auto created = m_store->create(w);
        return created ? created->id : 0;
    }

    QList<qint64> emitEvents(int n)
    {
        QList<qint64> ids;
        for (int i = 0; i < n; ++i) {
            const auto r = m_emitter->emit(QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("n"), i}});
            if (r)
                ids << r->deliveryIds;
        }
        return ids;
    }

    // Claims everything due now and records one attempt for each, as `answer` says, started now.
    void attemptAll(const Answer& answer)
    {
        const auto claimed = m_queue->claim(1000, 60000);
        QVERIFY2(claimed, qPrintable(claimed.error().message));
        QList<AttemptResult> results;
        int index = 0;
        QList<qint64> handBack;
        for (const ClaimedDelivery& c : *claimed) {
            if (m_leavePending.contains(c.id)) {
                handBack << c.id;
                continue;
            }
            results << resultFor(c, answer(c, index++));
        }
        const auto done = m_queue->complete(results, 100LL * 24 * kHourMs);
        QVERIFY2(done, qPrintable(done.error().message));
        QVERIFY(m_queue->release(handBack));
    }

    // One attempt's result, started now, carrying what the claim said as the dispatcher's do.
    AttemptResult resultFor(const ClaimedDelivery& c, const Reply& reply) const
    {
        AttemptResult r;
        r.claimedStatus = c.status;
        r.createdAt = c.createdAt;
        r.webhookId = c.webhookId;
        r.attempt.deliveryId = c.id;
        r.attempt.number = c.attemptCount + 1;
        r.attempt.trigger = c.trigger;
        r.attempt.startedAt = m_clock.nowMs();
        r.attempt.durationMs = reply.durationMs;
        r.attempt.requestUrl = QStringLiteral("https://x.example.com/");
        r.attempt.statusCode = reply.statusCode;
        r.attempt.errorClass = reply.errorClass;
        r.outcome.status = reply.status;
        r.outcome.errorClass = reply.errorClass;
        if (reply.status == DeliveryStatus::Retrying)
            r.outcome.nextAttemptAt = m_clock.nowMs() + kHourMs;
        return r;
    }

    static HealthQuery dayOfNovemberFirst(std::optional<qint64> webhook = {})
    {
        HealthQuery q;
        q.webhookId = webhook;
        q.sinceMs = at(1, 0).toMSecsSinceEpoch();
        q.bucketMs = kHourMs;
        q.buckets = 24;
        return q;
    }

    // The story the report must tell (all times UTC, on 2026-11-01 unless said otherwise):
    // - 31 Oct 23:30, before the window: one event, both attempts fail with tls_error.
    // - 02:10: three events. A answers 200 in 100/200/300 ms; B answers 500 in 1/2/3 s and is retried.
    // - 05:30: B's retries: one succeeds (50 ms), one times out (30 s, fails), one gets 503 (84 ms, fails).
    // - 05:40: one event, never attempted: two pending deliveries.
    // - 10:00: ten events, all twenty deliveries succeed in 100..118 ms (unevenly spread).
    // - 23:59: one event: A succeeds in 10 ms; B times out (30 s) and is retrying.
    // - 2 Nov 00:00, just after the window: one event, both attempts succeed.
    QList<qint64> populate()
    {
        m_clock.set(QDateTime(QDate(2026, 10, 31), QTime(23, 30), QTimeZone::utc()));
        emitEvents(1);
        attemptAll([](const ClaimedDelivery&, int) {
            return Reply{DeliveryStatus::Failed, 5, QStringLiteral("tls_error"), std::nullopt};
        });

        m_clock.set(at(1, 2, 10));
        emitEvents(3);
        int a = 0;
        int b = 0;
        attemptAll([&](const ClaimedDelivery& c, int) {
            if (c.webhookId == m_a)
                return ok(100 * ++a);
            return Reply{DeliveryStatus::Retrying, 1000 * ++b, QStringLiteral("http_status"), 500};
        });

        m_clock.set(at(1, 5, 30));
        attemptAll([](const ClaimedDelivery&, int i) {
            if (i == 0)
                return ok(50);
            if (i == 1)
                return Reply{DeliveryStatus::Failed, 30000, QStringLiteral("timeout"), std::nullopt};
            return Reply{DeliveryStatus::Failed, 84, QStringLiteral("http_status"), 503};
        });

        m_clock.set(at(1, 5, 40));
        m_leavePending = emitEvents(1);
        if (m_leavePending.size() != 2)
            qWarning("expected two pending deliveries");

        m_clock.set(at(1, 10));
        emitEvents(10);
        QList<qint64> tenOClock;
        attemptAll([&](const ClaimedDelivery&, int i) {
            tenOClock << 100 + i * i / 20; // 100 .. 118, bunched at the low end
            return ok(tenOClock.last());
        });

        m_clock.set(at(1, 23, 59));
        emitEvents(1);
        attemptAll([&](const ClaimedDelivery& c, int) {
            if (c.webhookId == m_a)
                return ok(10);
            return Reply{DeliveryStatus::Retrying, 30000, QStringLiteral("timeout"), std::nullopt};
        });

        m_clock.set(at(2, 0));
        emitEvents(1);
        attemptAll([](const ClaimedDelivery&, int) { return ok(7); });
        return tenOClock;
    }

    HealthReport load(const HealthQuery& q)
    {
        const auto report = HealthStats(m_db).load(q);
        if (!report)
            qWarning("%s", qPrintable(report.error().message));
        return report ? *report : HealthReport();
    }

private Q_SLOTS:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        static int n = 0;
        m_dbFile = m_dir.filePath(QStringLiteral("h%1.db").arg(++n));
        m_db = test::freshDatabase(m_dbFile);
        QVERIFY2(m_db, "could not open a fresh database for this backend");
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        m_queue = std::make_unique<DeliveryQueue>(m_db, m_clock, "test");
        m_a = addWebhook(QStringLiteral("a"));
        m_b = addWebhook(QStringLiteral("b"));
        QVERIFY(m_a > 0 && m_b > 0);
    }
    void cleanup()
    {
        m_queue.reset();
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void countsDeliveriesPerHourByOutcome()
    {
        populate();
        const HealthReport r = load(dayOfNovemberFirst());
        QCOMPARE(r.buckets.size(), 24);
        QCOMPARE(r.buckets[2].startMs, at(1, 2).toMSecsSinceEpoch());
        const auto counts = [&](int hour) { return outcomes(r.buckets[hour]); };
        QCOMPARE(counts(2), (QList<qint64>{4, 2, 0, 0}));
        QCOMPARE(counts(5), (QList<qint64>{0, 0, 0, 2}));
        QCOMPARE(counts(10), (QList<qint64>{20, 0, 0, 0}));
        QCOMPARE(counts(23), (QList<qint64>{1, 0, 1, 0}));
        for (int hour : {0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 22})
            QCOMPARE(r.buckets[hour].total(), 0);
        QCOMPARE(r.totalDeliveries(), 30); // not the two before and the two after the window
        QCOMPARE(r.count(DeliveryStatus::Succeeded), 25);
        QVERIFY(!r.isEmpty());
    }

    void successRateIgnoresPendingDeliveries()
    {
        populate();
        const HealthReport r = load(dayOfNovemberFirst());
        QCOMPARE(r.buckets[2].successRate(), std::optional<double>(4.0 / 6.0));
        QCOMPARE(r.buckets[5].successRate(), std::nullopt); // only pending: nothing to rate yet
        QCOMPARE(r.buckets[10].successRate(), std::optional<double>(1.0));
        QCOMPARE(r.buckets[23].successRate(), std::optional<double>(0.5));
        QCOMPARE(r.buckets[7].successRate(), std::nullopt);
        QCOMPARE(r.successRate(), std::optional<double>(25.0 / 28.0));
    }

    void latencyPercentilesPerHour()
    {
        const QList<qint64> tenOClock = populate();
        const HealthReport r = load(dayOfNovemberFirst());
        // Every bin holds at most two values in these hours: the histogram gives percentile_cont exactly.
        QCOMPARE(r.buckets[2].latency.count(), 6);
        QCOMPARE(r.buckets[2].latency.percentile(0.5).value_or(-1), double(650)); // 100 200 300 1000 2000 3000
        QCOMPARE(r.buckets[2].latency.percentile(0.95).value_or(-1), double(2750));
        QCOMPARE(r.buckets[5].latency.percentile(0.5).value_or(-1), double(84)); // 50 84 30000
        QCOMPARE(r.buckets[5].latency.percentile(0.95).value_or(-1), double(84 + 0.9 * (30000 - 84)));
        QCOMPARE(r.buckets[23].latency.percentile(0.5).value_or(-1), double(15005)); // 10 30000
        QCOMPARE(r.buckets[4].latency.count(), 0);
        QCOMPARE(r.buckets[4].latency.percentile(0.5), std::nullopt);

        // Twenty values bunched in one bin: within that bin's width of the exact answer, not exact.
        QCOMPARE(r.buckets[10].latency.count(), 20);
        for (double p : {0.5, 0.95}) {
            const double exact = exactPercentile(tenOClock, p);
            const double estimate = r.buckets[10].latency.percentile(p).value_or(-1);
            QVERIFY2(std::abs(estimate - exact) < binWidth(exact),
                     qPrintable(QStringLiteral("p%1: %2 vs exact %3").arg(p * 100).arg(estimate).arg(exact)));
        }
        QVERIFY(r.buckets[10].latency.percentile(0.5) != exactPercentile(tenOClock, 0.5));
        QCOMPARE(r.latency().count(), 6 + 3 + 20 + 2);
    }

    void topErrorClassesSplitHttpByStatus()
    {
        populate();
        const HealthReport r = load(dayOfNovemberFirst());
        QCOMPARE(r.topErrors.size(), 3); // the tls_error before the window does not count
        QCOMPARE(r.topErrors[0].errorClass, QStringLiteral("http_status"));
        QCOMPARE(r.topErrors[0].statusCode, std::optional<int>(500));
        QCOMPARE(r.topErrors[0].count, 3);
        QCOMPARE(r.topErrors[1].errorClass, QStringLiteral("timeout"));
        QCOMPARE(r.topErrors[1].statusCode, std::nullopt);
        QCOMPARE(r.topErrors[1].count, 2);
        QCOMPARE(r.topErrors[2].statusCode, std::optional<int>(503));
        QCOMPARE(r.topErrors[2].count, 1);

        const auto limited = HealthStats(m_db).load(dayOfNovemberFirst(), 1);
        QVERIFY(limited);
        QCOMPARE(limited->topErrors.size(), 1);
        QCOMPARE(limited->failedAttempts, 6); // the total still counts every class
        QCOMPARE(r.failedAttempts, 6);
    }

    void filtersByWebhook()
    {
        populate();
        const HealthReport b = load(dayOfNovemberFirst(m_b));
        QCOMPARE(b.buckets[2].count(DeliveryStatus::Succeeded), 1);
        QCOMPARE(b.buckets[2].count(DeliveryStatus::Failed), 2);
        QCOMPARE(b.buckets[5].count(DeliveryStatus::Pending), 1);
        QCOMPARE(b.buckets[23].count(DeliveryStatus::Retrying), 1);
        QCOMPARE(b.totalDeliveries(), 15);
        QCOMPARE(b.buckets[2].latency.percentile(0.5).value_or(-1), double(2000)); // B: 1000 2000 3000
        QCOMPARE(b.topErrors.size(), 3);

        const HealthReport a = load(dayOfNovemberFirst(m_a));
        QCOMPARE(a.buckets[2].count(DeliveryStatus::Succeeded), 3);
        QCOMPARE(a.buckets[2].latency.percentile(0.5).value_or(-1), double(200)); // A: 100 200 300
        QCOMPARE(a.successRate(), std::optional<double>(1.0));
        QVERIFY(a.topErrors.isEmpty());

        const HealthReport none = load(dayOfNovemberFirst(m_b + 100));
        QVERIFY(none.isEmpty());
        QCOMPARE(none.buckets.size(), 24);
    }

    // The counters the dashboard sums agree with counting the deliveries, after results of every kind.
    void countersAgreeWithTheDeliveries()
    {
        populate();
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM delivery_counts WHERE n < 0")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), 0);
    }

    // A window that does not start on a quarter hour cannot be summed from the counters: the deliveries
    // are counted one by one instead, with the same answer.
    void unalignedWindowsCountTheDeliveries()
    {
        populate();
        HealthQuery q = dayOfNovemberFirst();
        q.sinceMs += 60 * 1000; // 00:01 to 00:01 the next day
        const HealthReport r = load(q);
        const auto counts = [&](int hour) { return outcomes(r.buckets[hour]); };
        QCOMPARE(counts(2), (QList<qint64>{4, 2, 0, 0}));
        QCOMPARE(counts(5), (QList<qint64>{0, 0, 0, 2}));
        QCOMPARE(counts(9), (QList<qint64>{20, 0, 0, 0})); // 10:00 falls in 09:01 .. 10:01
        QCOMPARE(counts(10), (QList<qint64>{0, 0, 0, 0}));
        QCOMPARE(counts(23), (QList<qint64>{3, 0, 1, 0})); // 23:59, and 2 Nov 00:00 now inside
        QCOMPARE(r.totalDeliveries(), 32);
    }

    // An engine whose lease ran out sends anyway, and its result lands after another engine's. The
    // status it claimed is stale then: the count moves from the status the row has.
    void aLateResultMovesTheCurrentStatus()
    {
        m_clock.set(at(1, 2));
        emitEvents(1);
        DeliveryQueue late(m_db, m_clock, "late");
        const auto first = late.claim(10, 1000);
        QVERIFY2(first, qPrintable(first.error().message));
        QCOMPARE(first->size(), 2);
        m_clock.set(at(1, 2, 1)); // the lease ran out: due again for the other engine
        attemptAll([](const ClaimedDelivery&, int) {
            return Reply{DeliveryStatus::Retrying, 30000, QStringLiteral("timeout"), std::nullopt};
        });
        QList<AttemptResult> results;
        for (const ClaimedDelivery& c : *first) {
            QCOMPARE(c.status, std::optional<DeliveryStatus>(DeliveryStatus::Pending));
            results << resultFor(c, ok(40));
        }
        const auto done = late.complete(results, 100LL * 24 * kHourMs);
        QVERIFY2(done, qPrintable(done.error().message));
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
        const HealthReport r = load(dayOfNovemberFirst());
        QCOMPARE(r.buckets[2].count(DeliveryStatus::Succeeded), 2);
        QCOMPARE(r.buckets[2].count(DeliveryStatus::Retrying), 0);
        QCOMPARE(r.buckets[2].count(DeliveryStatus::Pending), 0);
    }

    // A result without a claim (a test send's) reads the status from the row.
    void aResultWithoutAClaimIsCounted()
    {
        m_clock.set(at(1, 3));
        const QList<qint64> ids = emitEvents(1);
        QCOMPARE(ids.size(), 2);
        ClaimedDelivery sent; // ids[0] is A's
        sent.id = ids[0];
        sent.webhookId = m_a;
        AttemptResult r = resultFor(sent, ok(5));
        r.claimedStatus.reset();
        const auto done = DeliveryQueue(m_db, m_clock, "test-sender").complete({r}, 100LL * 24 * kHourMs);
        QVERIFY2(done, qPrintable(done.error().message));
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
        const HealthReport report = load(dayOfNovemberFirst());
        QCOMPARE(report.buckets[3].count(DeliveryStatus::Succeeded), 1);
        QCOMPARE(report.buckets[3].count(DeliveryStatus::Pending), 1);
    }

    void deletingAWebhookTakesItsCounters()
    {
        populate();
        QVERIFY(m_store->remove(m_b));
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
        QCOMPARE(load(dayOfNovemberFirst()).totalDeliveries(), 15);
        QCOMPARE(load(dayOfNovemberFirst(m_b)).totalDeliveries(), 0);
    }

    // A database of version 7 had the two health indexes and no counters: the upgrade counts what is
    // there, in the same transaction, and the reports read the same.
    void upgradingFromVersion7CountsTheDeliveries()
    {
        populate();
        const HealthReport before = load(dayOfNovemberFirst());
        {
            QSqlQuery q(m_db->connection());
            for (const char* sql :
                 {"DROP TABLE delivery_counts", "DROP INDEX deliveries_by_created",
                  "CREATE INDEX deliveries_health ON deliveries (created_at, status)",
                  "CREATE INDEX deliveries_health_by_webhook ON deliveries (webhook_id, created_at, status)",
                  "UPDATE outhook_meta SET value = '7' WHERE key = 'schema_version'"})
                QVERIFY2(q.exec(QLatin1String(sql)), sql);
        }
        const QString file = m_dbFile;
        cleanup();
        m_db = test::freshDatabase(file, false);
        QVERIFY(m_db);
        QCOMPARE(m_db->schemaVersion().value(), Database::latestSchemaVersion());
        QCOMPARE(test::deliveryCountsMismatch(*m_db), QString());
        const HealthReport after = load(dayOfNovemberFirst());
        QCOMPARE(after.totalDeliveries(), 30);
        for (int i = 0; i < 24; ++i)
            QCOMPARE(after.buckets[i].deliveries, before.buckets[i].deliveries);
    }

    void emptyDatabaseGivesAnEmptyReport()
    {
        const HealthReport r = load(dayOfNovemberFirst());
        QVERIFY(r.isEmpty());
        QCOMPARE(r.buckets.size(), 24);
        QCOMPARE(r.successRate(), std::nullopt);
        QVERIFY(r.topErrors.isEmpty());
    }

    void refusesMalformedWindows_data()
    {
        QTest::addColumn<qint64>("bucketMs");
        QTest::addColumn<int>("buckets");
        QTest::addColumn<QString>("field");
        QTest::newRow("zero bucket") << qint64(0) << 24 << "bucketMs";
        QTest::newRow("no buckets") << kHourMs << 0 << "buckets";
        QTest::newRow("too many buckets") << kHourMs << 100000 << "buckets";
    }
    void refusesMalformedWindows()
    {
        QFETCH(qint64, bucketMs);
        QFETCH(int, buckets);
        QFETCH(QString, field);
        HealthQuery q = dayOfNovemberFirst();
        q.bucketMs = bucketMs;
        q.buckets = buckets;
        const auto r = HealthStats(m_db).load(q);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Validation);
        QCOMPARE(r.error().fields.first().field, field);
    }

    void windowsEndWithTheCurrentLocalBucket_data()
    {
        QTest::addColumn<int>("range");
        QTest::addColumn<int>("offsetSeconds");
        QTest::addColumn<QDateTime>("since");
        QTest::addColumn<qint64>("bucketMs");
        QTest::addColumn<int>("buckets");
        const QDateTime oct31 = QDateTime(QDate(2026, 10, 31), QTime(14, 0), QTimeZone::utc());
        QTest::newRow("day, UTC") << int(HealthQuery::Range::Day) << 0 << oct31 << kHourMs << 24;
        QTest::newRow("day, +05:30") << int(HealthQuery::Range::Day) << 19800 << oct31.addSecs(-1800) << kHourMs << 24;
        QTest::newRow("week, UTC") << int(HealthQuery::Range::Week) << 0
                                   << QDateTime(QDate(2026, 10, 25), QTime(18, 0), QTimeZone::utc()) << 6 * kHourMs
                                   << 28;
        QTest::newRow("week, -08:00") << int(HealthQuery::Range::Week) << -8 * 3600
                                      << QDateTime(QDate(2026, 10, 25), QTime(14, 0), QTimeZone::utc()) << 6 * kHourMs
                                      << 28;
    }
    void windowsEndWithTheCurrentLocalBucket()
    {
        QFETCH(int, range);
        QFETCH(int, offsetSeconds);
        QFETCH(QDateTime, since);
        QFETCH(qint64, bucketMs);
        QFETCH(int, buckets);
        const qint64 now = at(1, 13, 20).toMSecsSinceEpoch();
        const HealthQuery q = HealthQuery::ending(now, HealthQuery::Range(range), offsetSeconds, 7);
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(q.sinceMs, QTimeZone::utc()), since);
        QCOMPARE(q.bucketMs, bucketMs);
        QCOMPARE(q.buckets, buckets);
        QCOMPARE(q.webhookId, std::optional<qint64>(7));
        QVERIFY(q.bucketStart(buckets - 1) <= now && now < q.untilMs());
    }
};

QTEST_GUILESS_MAIN(TestHealthStats)
#include "tst_healthstats.moc"
