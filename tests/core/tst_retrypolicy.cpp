#include "delivery/RetryPolicy.h"

#include <QTest>

using namespace outhook;

// Every outcome class as a _data() row, with a fixed jitter source and an explicit "now".
class TestRetryPolicy : public QObject
{
    Q_OBJECT
    static constexpr qint64 kNow = 1'700'000'000'000;

    static HttpResponse status(int code, RawHeaders headers = {})
    {
        HttpResponse r;
        r.statusCode = code;
        r.headers = std::move(headers);
        return r;
    }
    static HttpResponse failure(TransportError e)
    {
        HttpResponse r;
        r.error = e;
        r.errorMessage = QStringLiteral("boom");
        return r;
    }

private Q_SLOTS:
    void outcomes_data()
    {
        QTest::addColumn<HttpResponse>("response");
        QTest::addColumn<int>("attempt");
        QTest::addColumn<int>("trigger");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("errorClass");
        QTest::addColumn<qint64>("delayMs"); // -1: no next attempt
        QTest::addColumn<bool>("disables");
        const int sched = int(AttemptTrigger::Scheduled);
        const int retrying = int(DeliveryStatus::Retrying);
        const int failed = int(DeliveryStatus::Failed);
        const int ok = int(DeliveryStatus::Succeeded);
        // Jitter source is fixed at 0.5 → factor 1.0, so delays are the schedule's exactly.
        QTest::newRow("200") << status(200) << 1 << sched << ok << "" << qint64(-1) << false;
        QTest::newRow("204") << status(204) << 1 << sched << ok << "" << qint64(-1) << false;
        QTest::newRow("299") << status(299) << 1 << sched << ok << "" << qint64(-1) << false;
        QTest::newRow("302 not followed") << status(302, {{"Location", "https://elsewhere/"}}) << 1 << sched << retrying
                                          << "redirect_not_followed" << qint64(300000) << false;
        QTest::newRow("400") << status(400) << 1 << sched << retrying << "http_status" << qint64(300000) << false;
        QTest::newRow("500 second attempt")
            << status(500) << 2 << sched << retrying << "http_status" << qint64(600000) << false;
        QTest::newRow("500 third attempt")
            << status(500) << 3 << sched << retrying << "http_status" << qint64(1200000) << false;
        QTest::newRow("500 last attempt")
            << status(500) << 4 << sched << failed << "http_status" << qint64(-1) << false;
        QTest::newRow("410 gone") << status(410) << 1 << sched << failed << "http_status" << qint64(-1) << true;
        QTest::newRow("429 retry-after longer") << status(429, {{"Retry-After", "900"}}) << 1 << sched << retrying
                                                << "http_status" << qint64(900000) << false;
        QTest::newRow("429 retry-after shorter") << status(429, {{"retry-after", "10"}}) << 1 << sched << retrying
                                                 << "http_status" << qint64(300000) << false;
        QTest::newRow("503 retry-after capped") << status(503, {{"Retry-After", "999999"}}) << 1 << sched << retrying
                                                << "http_status" << qint64(3600000) << false;
        QTest::newRow("503 http-date") << status(503, {{"Retry-After", "Tue, 14 Nov 2023 22:30:00 GMT"}}) << 1 << sched
                                       << retrying << "http_status" << qint64(1000000) << false;
        QTest::newRow("503 junk retry-after") << status(503, {{"Retry-After", "soon"}}) << 1 << sched << retrying
                                              << "http_status" << qint64(300000) << false;
        QTest::newRow("500 retry-after ignored") << status(500, {{"Retry-After", "3000"}}) << 1 << sched << retrying
                                                 << "http_status" << qint64(300000) << false;
        QTest::newRow("timeout") << failure(TransportError::Timeout) << 1 << sched << retrying << "timeout"
                                 << qint64(300000) << false;
        QTest::newRow("refused") << failure(TransportError::ConnectionRefused) << 1 << sched << retrying
                                 << "connection_refused" << qint64(300000) << false;
        QTest::newRow("reset") << failure(TransportError::ConnectionReset) << 1 << sched << retrying
                               << "connection_reset" << qint64(300000) << false;
        QTest::newRow("tls") << failure(TransportError::Tls) << 1 << sched << retrying << "tls_error" << qint64(300000)
                             << false;
        QTest::newRow("dns") << failure(TransportError::Dns) << 1 << sched << retrying << "dns_error" << qint64(300000)
                             << false;
        QTest::newRow("blocked") << failure(TransportError::BlockedDestination) << 1 << sched << retrying
                                 << "blocked_destination" << qint64(300000) << false;
        QTest::newRow("manual failure is a single shot")
            << status(500) << 2 << int(AttemptTrigger::Manual) << failed << "http_status" << qint64(-1) << false;
        QTest::newRow("test failure is a single shot")
            << failure(TransportError::Timeout) << 1 << int(AttemptTrigger::Test) << failed << "timeout" << qint64(-1)
            << false;
        QTest::newRow("manual success") << status(201) << 5 << int(AttemptTrigger::Manual) << ok << "" << qint64(-1)
                                        << false;
    }
    void outcomes()
    {
        QFETCH(HttpResponse, response);
        QFETCH(int, attempt);
        QFETCH(int, trigger);
        QFETCH(int, status);
        QFETCH(QString, errorClass);
        QFETCH(qint64, delayMs);
        QFETCH(bool, disables);
        const RetryPolicy policy([] { return 0.5; });
        const AttemptOutcome o =
            policy.decide(response, RetrySchedule::defaultSchedule(), attempt, AttemptTrigger(trigger), kNow);
        QCOMPARE(int(o.status), status);
        QCOMPARE(o.errorClass, errorClass);
        QCOMPARE(o.nextAttemptAt ? *o.nextAttemptAt - kNow : qint64(-1), delayMs);
        QCOMPARE(!o.disableReason.isEmpty(), disables);
        if (!errorClass.isEmpty())
            QVERIFY(!o.error.isEmpty());
    }

    void jitterStaysWithinTenPercent()
    {
        for (double r : {0.0, 0.25, 0.999999}) {
            const RetryPolicy policy([r] { return r; });
            const auto o = policy.decide(status(500), RetrySchedule({100}), 1, AttemptTrigger::Scheduled, kNow);
            QVERIFY(o.nextAttemptAt);
            const qint64 d = *o.nextAttemptAt - kNow;
            QVERIFY2(d >= 90000 && d <= 110000, qPrintable(QString::number(d)));
        }
        // With the real random source, a burst spreads out.
        const RetryPolicy real;
        QSet<qint64> seen;
        for (int i = 0; i < 20; ++i)
            seen.insert(
                *real.decide(status(500), RetrySchedule({100}), 1, AttemptTrigger::Scheduled, kNow).nextAttemptAt);
        QVERIFY(seen.size() > 10);
    }

    void noRetriesMeansFailedAtOnce()
    {
        const auto o = RetryPolicy().decide(status(500), RetrySchedule(), 1, AttemptTrigger::Scheduled, kNow);
        QCOMPARE(o.status, DeliveryStatus::Failed);
    }
};

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
