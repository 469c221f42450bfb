#include "DbFingerprint.h"
#include "util/Time.h"

#include "api/WebhookInput.h"
#include "events/Emitter.h"
#include "model/WebhookValidator.h"
#include "storage/DeliveryLog.h"
#include "storage/WebhookStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace outhook;
using outhook::test::DbFingerprint;

namespace {

using Mutation = std::function<void(Webhook&)>;

// What SQL injection tries, in every text field. Must be stored and read back byte for byte.
const QString kSql = QStringLiteral("x'); DROP TABLE webhooks; -- \" ; SELECT * FROM api_keys WHERE '1'='1");

Webhook validWebhook()
{
    Webhook w;
    w.name = QStringLiteral("Billing sync");
    w.url = QStringLiteral("https://hooks.example.com/outhook");
    w.events = {QStringLiteral("invoice.paid")};
    w.isActive = true;
    return w;
}

Mutation header(const QString& name, const QString& value)
{
    return [name, value](Webhook& w) { w.headers = {{name, value, false}}; };
}

} // namespace

Q_DECLARE_METATYPE(Mutation)

// Bad input at the validator, through the real store on a real SQLite file: every row is refused with an
// error naming the field, and the database is byte-for-byte what it was (all tables hashed).
class TestBadInputCore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    qint64 m_existingId = 0;
    int m_rows = 0;

    QString path() const { return m_dir.filePath(QStringLiteral("bad.db")); }

private Q_SLOTS:
    void initTestCase()
    {
        auto db = Database::open(*DatabaseUrl::parse(path()));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        const auto created = m_store->create(validWebhook());
        QVERIFY(created);
        m_existingId = created->id;
        QVERIFY(m_emitter->emit(QStringLiteral("invoice.paid"), {}));
    }

    void cleanupTestCase() { qInfo("tst_badinput_core: %d bad-input rows", m_rows); }

    void refused_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message"); // a fragment of the message

        const auto url = [](const QString& u) { return Mutation([u](Webhook& w) { w.url = u; }); };
        QTest::newRow("url http:") << url(QStringLiteral("http://hooks.example.com/h")) << "url"
                                   << "HTTPS";
        QTest::newRow("url http: no slashes") << url(QStringLiteral("http:hooks.example.com")) << "url"
                                              << "";
        QTest::newRow("url ftp:") << url(QStringLiteral("ftp://example.com/f")) << "url"
                                  << "HTTPS";
        QTest::newRow("url javascript:") << url(QStringLiteral("javascript:alert(1)")) << "url"
                                         << "HTTPS";
        QTest::newRow("url file:") << url(QStringLiteral("file:///etc/passwd")) << "url"
                                   << "HTTPS";
        QTest::newRow("url data:") << url(QStringLiteral("data:text/html,<script>")) << "url"
                                   << "";
        QTest::newRow("url no host") << url(QStringLiteral("https:///hook")) << "url"
                                     << "host";
        QTest::newRow("url scheme only") << url(QStringLiteral("https:")) << "url"
                                         << "";
        QTest::newRow("url userinfo") << url(QStringLiteral("https://admin:pw@example.com/h")) << "url"
                                      << "user name or password";
        QTest::newRow("url user only") << url(QStringLiteral("https://admin@example.com/h")) << "url"
                                       << "user name or password";
        QTest::newRow("url 10 KB") << url(QStringLiteral("https://example.com/") + QString(10 * 1024, u'a')) << "url"
                                   << "at most 2048";
        QTest::newRow("url IDN homograph (Cyrillic a)") << url(QStringLiteral("https://p\u0430ypal.com/hook")) << "url"
                                                        << "different scripts";
        QTest::newRow("url IDN homograph (Greek o)") << url(QStringLiteral("https://g\u03bfogle.com/hook")) << "url"
                                                     << "different scripts";
        QTest::newRow("url CRLF") << url(QStringLiteral("https://example.com/a\r\nX-Injected: 1")) << "url"
                                  << "control";
        QTest::newRow("url NUL") << url(QStringLiteral("https://example.com/a") + QChar(0)) << "url"
                                 << "control";
        QTest::newRow("url space in host") << url(QStringLiteral("https://exa mple.com/")) << "url"
                                           << "spaces";

        QTest::newRow("header name CR") << header(QStringLiteral("X-A\r"), QStringLiteral("v")) << "headers[0].name"
                                        << "letters, digits";
        QTest::newRow("header name LF") << header(QStringLiteral("X-A\nB"), QStringLiteral("v")) << "headers[0].name"
                                        << "letters, digits";
        QTest::newRow("header name NUL") << header(QStringLiteral("X-A") + QChar(0), QStringLiteral("v"))
                                         << "headers[0].name"
                                         << "letters, digits";
        QTest::newRow("header name colon") << header(QStringLiteral("X-A:B"), QStringLiteral("v")) << "headers[0].name"
                                           << "letters, digits";
        QTest::newRow("header name empty") << header(QString(), QStringLiteral("v")) << "headers[0].name"
                                           << "required";
        QTest::newRow("header value CR") << header(QStringLiteral("X-A"), QStringLiteral("a\rb")) << "headers[0].value"
                                         << "CR, LF or NUL";
        QTest::newRow("header value LF (injection)")
            << header(QStringLiteral("X-A"), QStringLiteral("a\r\nHost: evil.example")) << "headers[0].value"
            << "CR, LF or NUL";
        QTest::newRow("header value NUL")
            << header(QStringLiteral("X-A"), QStringLiteral("a") + QChar(0)) << "headers[0].value"
            << "CR, LF or NUL";
        QTest::newRow("header value 9 KB")
            << header(QStringLiteral("X-A"), QString(9 * 1024, u'v')) << "headers[0].value"
            << "at most";
        for (const char* reserved : {"Host", "Content-Length", "Content-Type", "Webhook-Signature", "webhook-id",
                                     "Transfer-Encoding", "Connection", "Expect", "TE", "Upgrade", "Keep-Alive",
                                     "Proxy-Authorization", "Content-Encoding", "Trailer"})
            QTest::newRow(qPrintable(QStringLiteral("reserved header %1").arg(QLatin1String(reserved))))
                << header(QLatin1String(reserved), QStringLiteral("x")) << "headers[0].name"
                << "cannot be";
        QTest::newRow("reserved authorization with basic auth") << Mutation([](Webhook& w) {
            w.auth = {AuthConfig::Type::Basic, QStringLiteral("u"), QStringLiteral("p"), {}};
            w.headers = {{QStringLiteral("Authorization"), QStringLiteral("x"), false}};
        }) << "headers[0].name"
                                                                << "chosen auth";
        QTest::newRow("header twice") << Mutation([](Webhook& w) {
            w.headers = {{QStringLiteral("X-A"), QStringLiteral("1"), false},
                         {QStringLiteral("x-a"), QStringLiteral("2"), false}};
        }) << "headers[1].name"
                                      << "twice";

        QTest::newRow("unknown event type")
            << Mutation([](Webhook& w) { w.events = {QStringLiteral("invoice.exploded")}; }) << "events[0]"
            << "Unknown event type";
        QTest::newRow("no events") << Mutation([](Webhook& w) { w.events.clear(); }) << "events"
                                   << "at least one";

        QTest::newRow("empty name") << Mutation([](Webhook& w) { w.name.clear(); }) << "name"
                                    << "required";
        QTest::newRow("blank name") << Mutation([](Webhook& w) { w.name = QStringLiteral("  \t "); }) << "name"
                                    << "required";
        QTest::newRow("10 KB name") << Mutation([](Webhook& w) { w.name = QString(10 * 1024, u'n'); }) << "name"
                                    << "at most 200";
        QTest::newRow("name with NUL") << Mutation([](Webhook& w) { w.name = QStringLiteral("a") + QChar(0); })
                                       << "name"
                                       << "control";

        QTest::newRow("negative timeout") << Mutation([](Webhook& w) { w.timeoutSeconds = -5; }) << "timeout_seconds"
                                          << "between 1 and 300";
        QTest::newRow("zero timeout") << Mutation([](Webhook& w) { w.timeoutSeconds = 0; }) << "timeout_seconds"
                                      << "between";
        QTest::newRow("absurd timeout") << Mutation([](Webhook& w) { w.timeoutSeconds = 1000000; }) << "timeout_seconds"
                                        << "between";
        QTest::newRow("negative retry delay") << Mutation([](Webhook& w) {
            w.retrySchedule = RetrySchedule({60, -1});
        }) << "retry_schedule"
                                              << "between 1 second and 7 days";
        QTest::newRow("zero retry delay")
            << Mutation([](Webhook& w) { w.retrySchedule = RetrySchedule({0}); }) << "retry_schedule"
            << "between";
        QTest::newRow("absurd retry delay")
            << Mutation([](Webhook& w) { w.retrySchedule = RetrySchedule({qint64(1) << 40}); }) << "retry_schedule"
            << "between";
        QTest::newRow("21 retries") << Mutation([](Webhook& w) {
            w.retrySchedule = RetrySchedule(QList<qint64>(21, 60));
        }) << "retry_schedule"
                                    << "At most 20";

        QTest::newRow("basic user with colon") << Mutation([](Webhook& w) {
            w.auth = {AuthConfig::Type::Basic, QStringLiteral("a:b"), QStringLiteral("p"), {}};
        }) << "auth.username"
                                               << ":";
        QTest::newRow("basic password with NUL") << Mutation([](Webhook& w) {
            w.auth = {AuthConfig::Type::Basic, QStringLiteral("u"), QStringLiteral("p") + QChar(0), {}};
        }) << "auth.password"
                                                 << "control";
        QTest::newRow("bearer token with CRLF") << Mutation([](Webhook& w) {
            w.auth = {AuthConfig::Type::Bearer, {}, {}, QStringLiteral("t\r\nX-Evil: 1")};
        }) << "auth.token"
                                                << "control";
    }

    void refused()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const DbFingerprint before = DbFingerprint::of(path());
        QVERIFY(!before.hash.isEmpty());

        Webhook w = validWebhook();
        mutate(w);
        const auto created = m_store->create(w);
        QVERIFY(!created);
        QCOMPARE(created.error().kind, Error::Kind::Validation);
        const FieldError* hit = nullptr;
        for (const FieldError& e : created.error().fields)
            hit = e.field == field ? &e : hit;
        QVERIFY2(hit, qPrintable(created.error().message));
        QVERIFY2(hit->message.contains(message), qPrintable(hit->message));

        // The same input as an update of an existing webhook is refused the same way.
        Webhook existing = *m_store->get(m_existingId);
        const QString secret = existing.secret;
        mutate(existing);
        existing.secret = secret;
        const auto updated = m_store->update(existing);
        QVERIFY(!updated);
        QCOMPARE(updated.error().kind, Error::Kind::Validation);

        const DbFingerprint after = DbFingerprint::of(path());
        QVERIFY2(after == before, qPrintable(after.counts.join(u' ')));
        ++m_rows;
    }

    void emitRefused_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("payloadBytes");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown event type") << "invoice.exploded" << 10 << "type";
        QTest::newRow("empty event type") << "" << 10 << "type";
        QTest::newRow("SQL in event type") << kSql << 10 << "type";
        QTest::newRow("payload just over 256 KiB") << "invoice.paid" << 256 * 1024 << "data";
    }

    void emitRefused()
    {
        QFETCH(QString, type);
        QFETCH(int, payloadBytes);
        QFETCH(QString, field);
        const DbFingerprint before = DbFingerprint::of(path());
        const auto r = m_emitter->emit(type, QJsonObject{{QStringLiteral("blob"), QString(payloadBytes, u'x')}});
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Validation);
        QCOMPARE(r.error().fields.value(0).field, field);
        QCOMPARE(DbFingerprint::of(path()), before);
        ++m_rows;
    }

    // Just under the limit is fine: the limit is the limit, not a rough guess.
    void payloadJustUnderTheLimitIsAccepted()
    {
        const QByteArray empty = Emitter::envelope(QStringLiteral("invoice.paid"), m_clock.nowMs(),
                                                   QJsonObject{{QStringLiteral("blob"), QString()}});
        const int room = int(Emitter::kMaxPayloadBytes - empty.size());
        QVERIFY(m_emitter->emit(QStringLiteral("invoice.paid"),
                                QJsonObject{{QStringLiteral("blob"), QString(room, u'x')}}));
        const auto over = m_emitter->emit(QStringLiteral("invoice.paid"),
                                          QJsonObject{{QStringLiteral("blob"), QString(room + 1, u'x')}});
        QVERIFY(!over);
        QCOMPARE(over.error().fields.value(0).field, QStringLiteral("data"));
    }

    // The envelope is JSON whatever the type holds: quotes, backslashes, control characters, non-ASCII.
    void envelopeEncodesAnyType_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("plain") << QStringLiteral("invoice.paid");
        QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c");
        QTest::newRow("control") << QStringLiteral("tab\there\nnewline");
        QTest::newRow("non-ascii") << QStringLiteral("zw\u00f6lf.\u20ac");
        QTest::newRow("del") << QStringLiteral("x\u007fy");
    }
    void envelopeEncodesAnyType()
    {
        QFETCH(QString, type);
        const qint64 at = 1793714472123; // fixed, so both sides format the same instant
        const QByteArray bytes = Emitter::envelope(type, at, QJsonObject{{QStringLiteral("n"), 1}});
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(bytes, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QStringLiteral("type")).toString(), type);
        QCOMPARE(o.value(QStringLiteral("timestamp")).toString(), QStringLiteral("2026-11-03T14:01:12.123Z"));
        QCOMPARE(o.value(QStringLiteral("data")).toObject().value(QStringLiteral("n")).toInt(), 1);
        if (type == QLatin1String("invoice.paid"))
            QVERIFY(bytes.startsWith("{\"type\":\"invoice.paid\",\"timestamp\":\""));
    }

    // SQL metacharacters are data: accepted where the field allows them, stored and read back verbatim.
    void sqlMetacharactersRoundTrip()
    {
        Webhook w = validWebhook();
        w.name = kSql;
        w.url = QStringLiteral("https://hooks.example.com/h?q=%27%3B%20DROP%20TABLE%20webhooks%3B--");
        w.auth = {AuthConfig::Type::Basic, QStringLiteral("admin'--"), kSql, {}};
        w.headers = {{QStringLiteral("X-Sql"), kSql, false}, {QStringLiteral("X-Secret-Sql"), kSql, true}};
        const auto created = m_store->create(w);
        QVERIFY2(created, created ? "" : qPrintable(created.error().message));
        const Webhook back = *m_store->get(created->id);
        QCOMPARE(back.name, kSql);
        QCOMPARE(back.url, w.url);
        QCOMPARE(back.auth.username, QStringLiteral("admin'--"));
        QCOMPARE(back.auth.password, kSql);
        QCOMPARE(back.headers, w.headers);
        const auto listed = m_store->list();
        QVERIFY(listed);
        QVERIFY(listed->size() >= 2); // the table is still there, with the earlier row in it

        Webhook bearer = validWebhook();
        bearer.name = QStringLiteral("Robert'); DROP TABLE deliveries;--");
        bearer.auth = {AuthConfig::Type::Bearer, {}, {}, QStringLiteral("tok'en;--")};
        const auto b = m_store->create(bearer);
        QVERIFY(b);
        QCOMPARE(m_store->get(b->id)->auth.token, QStringLiteral("tok'en;--"));
        QVERIFY(m_emitter->emit(QStringLiteral("invoice.paid"), QJsonObject{{QStringLiteral("note"), kSql}}));
    }

    // The JSON structure checks that run before any body is applied (API and CLI --data).
    void jsonStructure_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::newRow("duplicate key") << QByteArray("{\"url\":\"https://a.example\",\"url\":\"http://b\"}") << "url";
        QTest::newRow("duplicate key, escaped") << QByteArray("{\"name\":\"a\",\"n\\u0061me\":\"b\"}") << "name";
        QTest::newRow("duplicate nested key")
            << QByteArray("{\"auth\":{\"type\":\"basic\",\"type\":\"none\"}}") << "auth.type";
        QTest::newRow("duplicate after values ending in escapes")
            << QByteArray("{\"a\":\"x\\\"y\\\\\",\"b\":\"{\\\"a\\\":1}\",\"c\":\"\\\\\\\"\",\"a\":2}") << "a";
        QTest::newRow("duplicate key ending in a backslash") << QByteArray("{\"k\\\\\":1,\"k\\\\\":2}") << "k\\";
        QTest::newRow("duplicate key in array element")
            << QByteArray("{\"data\":{\"items\":[{\"a\":1},{\"a\":1,\"a\":2}]}}") << "data.items[1].a";
        QByteArray deep = "{\"data\":";
        for (int i = 0; i < 1000; ++i)
            deep += "[";
        for (int i = 0; i < 1000; ++i)
            deep += "]";
        deep += "}";
        QTest::newRow("1000 levels") << deep << "data";
    }

    void jsonStructure()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        const FieldErrors errors = api::checkJsonStructure(json);
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().field.startsWith(field), qPrintable(errors.first().field));
        ++m_rows;
    }

    void jsonStructureAcceptsOrdinaryBodies()
    {
        QVERIFY(api::checkJsonStructure("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}],\"c\":\"\\\"a\\\"\"}").isEmpty());
        // Quoted text that looks like keys is a value, whatever escapes end it.
        QVERIFY(api::checkJsonStructure(
                    "{\"a\":\"\\\\\",\"b\":\"\\\\\\\"\",\"c\":\"say \\\"a\\\":1, \\\"a\\\":2\",\"d\":\"\\\\\\\\\"}")
                    .isEmpty());
        QByteArray nested = "{\"data\":";
        for (int i = 0; i < api::kMaxJsonDepth - 1; ++i)
            nested += "[";
        for (int i = 0; i < api::kMaxJsonDepth - 1; ++i)
            nested += "]";
        nested += "}";
        QVERIFY(api::checkJsonStructure(nested).isEmpty());
    }

    void jsonStructureCapturesOneMember_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("data");
        QTest::newRow("last") << QByteArray("{\"type\":\"a\",\"data\":{\"n\":1}}") << QByteArray("{\"n\":1}");
        QTest::newRow("first") << QByteArray("{\"data\":{\"n\":[1,{\"x\":2}]},\"type\":\"a\"}")
                               << QByteArray("{\"n\":[1,{\"x\":2}]}");
        QTest::newRow("spaced") << QByteArray("{ \"data\" :\n  { \"a\" : \"}, \\\"\" }\n , \"type\":\"a\" }")
                                << QByteArray("{ \"a\" : \"}, \\\"\" }");
        QTest::newRow("big integer") << QByteArray("{\"data\":{\"id\":12345678901234567890123}}")
                                     << QByteArray("{\"id\":12345678901234567890123}");
        QTest::newRow("nested data key is not it")
            << QByteArray("{\"type\":{\"data\":{\"no\":1}},\"data\":{\"yes\":2}}") << QByteArray("{\"yes\":2}");
        QTest::newRow("escaped key") << QByteArray("{\"d\\u0061ta\":{\"k\":1}}") << QByteArray("{\"k\":1}");
        QTest::newRow("absent") << QByteArray("{\"type\":\"a\"}") << QByteArray();
    }

    void jsonStructureCapturesOneMember()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, data);
        QByteArray captured;
        QVERIFY(api::checkJsonStructure(json, QLatin1String("data"), &captured).isEmpty());
        QCOMPARE(captured, data);
        if (!data.isEmpty()) // what was captured is the same JSON as the parsed member
            QCOMPARE(QJsonDocument::fromJson(captured).object(),
                     QJsonDocument::fromJson(json).object().value(QStringLiteral("data")).toObject());
    }
};

QTEST_GUILESS_MAIN(TestBadInputCore)
#include "tst_badinput_core.moc"
