#include "TestDatabases.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Engine.h"
#include "events/Emitter.h"
#include "export/CsvWriter.h"
#include "export/DeliveryExporter.h"
#include "export/ExportRedaction.h"
#include "export/HarWriter.h"
#include "export/JsonlWriter.h"
#include "storage/BulkRequeue.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/WebhookStore.h"
#include "util/Time.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;
using namespace Qt::StringLiterals;

namespace {

// A small HAR 1.2 structural validator: every field the spec marks required, with its JSON type.
// Returns one line per problem, naming the path; empty when the document conforms.
class HarValidator
{
public:
    QStringList problems(const QJsonDocument& doc)
    {
        m_problems.clear();
        if (!doc.isObject()) {
            m_problems << u"root: not an object"_s;
            return m_problems;
        }
        const QJsonObject log = object(doc.object(), u"log"_s, u"$"_s);
        if (log.isEmpty())
            return m_problems;
        if (string(log, u"version"_s, u"log"_s) != u"1.2"_s)
            m_problems << u"log.version: not 1.2"_s;
        const QJsonObject creator = object(log, u"creator"_s, u"log"_s);
        string(creator, u"name"_s, u"log.creator"_s);
        string(creator, u"version"_s, u"log.creator"_s);
        const QJsonArray entries = array(log, u"entries"_s, u"log"_s);
        for (qsizetype i = 0; i < entries.size(); ++i)
            entry(entries.at(i).toObject(), u"log.entries[%1]"_s.arg(i));
        return m_problems;
    }

private:
    void entry(const QJsonObject& e, const QString& at)
    {
        static const QRegularExpression iso(
            u"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$"_s);
        const QString started = string(e, u"startedDateTime"_s, at);
        if (!iso.match(started).hasMatch())
            m_problems << at + u".startedDateTime: not ISO 8601: "_s + started;
        const double time = number(e, u"time"_s, at);
        const QJsonObject req = object(e, u"request"_s, at);
        const QString r = at + u".request"_s;
        string(req, u"method"_s, r);
        string(req, u"url"_s, r);
        string(req, u"httpVersion"_s, r);
        array(req, u"cookies"_s, r);
        nameValues(array(req, u"headers"_s, r), r + u".headers"_s);
        nameValues(array(req, u"queryString"_s, r), r + u".queryString"_s);
        if (req.contains(u"postData"_s)) {
            const QJsonObject post = object(req, u"postData"_s, r);
            string(post, u"mimeType"_s, r + u".postData"_s);
            string(post, u"text"_s, r + u".postData"_s);
        }
        number(req, u"headersSize"_s, r);
        number(req, u"bodySize"_s, r);

        const QJsonObject res = object(e, u"response"_s, at);
        const QString s = at + u".response"_s;
        number(res, u"status"_s, s);
        string(res, u"statusText"_s, s);
        string(res, u"httpVersion"_s, s);
        array(res, u"cookies"_s, s);
        nameValues(array(res, u"headers"_s, s), s + u".headers"_s);
        const QJsonObject content = object(res, u"content"_s, s);
        number(content, u"size"_s, s + u".content"_s);
        string(content, u"mimeType"_s, s + u".content"_s);
        if (content.contains(u"text"_s))
            string(content, u"text"_s, s + u".content"_s);
        string(res, u"redirectURL"_s, s);
        number(res, u"headersSize"_s, s);
        number(res, u"bodySize"_s, s);

        object(e, u"cache"_s, at);
        const QJsonObject timings = object(e, u"timings"_s, at);
        double sum = 0;
        for (const QString& phase : {u"send"_s, u"wait"_s, u"receive"_s}) {
            const double v = number(timings, phase, at + u".timings"_s);
            if (v < 0)
                m_problems << at + u".timings."_s + phase + u": negative"_s;
            sum += v;
        }
        for (const QString& phase : {u"blocked"_s, u"dns"_s, u"connect"_s}) {
            if (timings.contains(phase)) {
                const double v = number(timings, phase, at + u".timings"_s);
                sum += v > 0 ? v : 0;
            }
        }
        if (qAbs(sum - time) > 0.5)
            m_problems << at + u".time: %1 is not the sum of its timings (%2)"_s.arg(time).arg(sum);
        for (auto it = e.begin(); it != e.end(); ++it) {
            static const QStringList known{u"pageref"_s,    u"startedDateTime"_s, u"time"_s,    u"request"_s,
                                           u"response"_s,   u"cache"_s,           u"timings"_s, u"serverIPAddress"_s,
                                           u"connection"_s, u"comment"_s};
            if (!known.contains(it.key()) && !it.key().startsWith(u'_'))
                m_problems << at + u"."_s + it.key() + u": custom fields must start with _"_s;
        }
    }
    void nameValues(const QJsonArray& list, const QString& at)
    {
        for (qsizetype i = 0; i < list.size(); ++i) {
            string(list.at(i).toObject(), u"name"_s, at + u"[%1]"_s.arg(i));
            string(list.at(i).toObject(), u"value"_s, at + u"[%1]"_s.arg(i));
        }
    }
    QJsonValue field(const QJsonObject& o, const QString& key, const QString& at, QJsonValue::Type type,
                     const char* typeName)
    {
        if (!o.contains(key)) {
            m_problems << at + u"."_s + key + u": missing"_s;
            return {};
        }
        if (o.value(key).type() != type) {
            m_problems << at + u"."_s + key + u": not "_s + QLatin1String(typeName);
            return {};
        }
        return o.value(key);
    }
    QString string(const QJsonObject& o, const QString& k, const QString& at)
    {
        return field(o, k, at, QJsonValue::String, "a string").toString();
    }
    double number(const QJsonObject& o, const QString& k, const QString& at)
    {
        return field(o, k, at, QJsonValue::Double, "a number").toDouble();
    }
    QJsonObject object(const QJsonObject& o, const QString& k, const QString& at)
    {
        return field(o, k, at, QJsonValue::Object, "an object").toObject();
    }
    QJsonArray array(const QJsonObject& o, const QString& k, const QString& at)
    {
        return field(o, k, at, QJsonValue::Array, "an array").toArray();
    }

    QStringList m_problems;
};

// RFC 4180 reader, to read exports back: quoted fields may hold commas, doubled quotes and line breaks.
QList<QStringList> parseCsv(const QString& text)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row << field;
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty())
        rows << (row << field);
    return rows;
}

} // namespace

// Exports (HAR, CSV, JSON Lines) and bulk requeues on a real database of each backend. Attempts are
// written the way the engine writes them (claim + complete); one test sends through the real engine to
// a real HTTPS receiver, to check what the log stores and what the export shows of the secrets.
class TestExport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<DeliveryQueue> m_queue;
    Webhook m_webhook;

    qint64 scalar(const QString& sql)
    {
        QSqlQuery q(m_db->connection());
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }

    Webhook addWebhook(const QString& url)
    {
        Webhook w;
        w.name = u"receiver"_s;
        w.url = url;
        w.events = {u"invoice.paid"_s, u"job.created"_s};
        w.isActive = true;
        w.auth = {AuthConfig::Type::Bearer, {}, {}, u"tok-SECRET-123"_s};
        w.headers = {{u"X-Tenant"_s, u"acme"_s, false}, {u"X-Shared-Key"_s, u"hdr-SECRET-456"_s, true}};
        const auto created = m_store->create(w);
        if (!created)
            qFatal("%s", qPrintable(created.error().message));
        return *created;
    }

    qint64 emitEvent(const QJsonObject& data = {{u"invoice"_s, u"INV-7"_s}})
    {
        const auto r = m_emitter->emit(u"invoice.paid"_s, data);
        return r && !r->deliveryIds.isEmpty() ? r->deliveryIds.first() : 0;
    }

    // Claims `id` and records one attempt for it, as the engine would.
    bool recordAttempt(qint64 id, std::optional<int> status, DeliveryStatus outcome, QByteArray body = {},
                       RawHeaders responseHeaders = {}, QString errorClass = {}, QString error = {})
    {
        const auto claimed = m_queue->claim(1000, 20000);
        if (!claimed)
            return false;
        QList<qint64> others;
        std::optional<ClaimedDelivery> mine;
        for (const ClaimedDelivery& c : *claimed) {
            if (c.id == id)
                mine = c;
            else
                others << c.id;
        }
        if (!m_queue->release(others) || !mine)
            return false;
        AttemptResult r;
        r.webhookId = mine->webhookId;
        Attempt& a = r.attempt;
        a.deliveryId = id;
        a.number = mine->attemptCount + 1;
        a.trigger = mine->trigger;
        a.startedAt = m_clock.nowMs();
        a.durationMs = 240;
        a.requestUrl = m_webhook.url;
        a.requestHeaders = {{"content-type", "application/json"},
                            {"webhook-id", mine->msgId},
                            {"webhook-signature", "v1,c2lnbmF0dXJlLXZhbHVl"},
                            {"authorization", "Bearer [redacted]"}};
        a.statusCode = status;
        a.responseHeaders = std::move(responseHeaders);
        a.responseBodySize = body.size();
        a.responseBody = std::move(body);
        a.errorClass = errorClass;
        a.error = error;
        a.remoteAddress = u"203.0.113.7"_s;
        r.outcome = {outcome, std::nullopt, errorClass, error, {}};
        if (outcome == DeliveryStatus::Retrying)
            r.outcome.nextAttemptAt = m_clock.nowMs();
        return bool(m_queue->complete({r}, 5LL * 24 * 3600 * 1000));
    }

    // Three deliveries: 500 then 200 (two attempts), a timeout that gave up, one never attempted.
    QList<qint64> seedThree()
    {
        const qint64 a = emitEvent();
        recordAttempt(a, 500, DeliveryStatus::Retrying, "{\"error\":\"boom\"}",
                      {{"Content-Type", "application/json"}, {"Set-Cookie", "session=abc"}});
        m_clock.advance(60000);
        recordAttempt(a, 200, DeliveryStatus::Succeeded, "ok, \"fine\"\nreally", {{"Content-Type", "text/plain"}});
        const qint64 b = emitEvent();
        recordAttempt(b, std::nullopt, DeliveryStatus::Failed, {}, {}, u"timeout"_s,
                      u"Operation timed out after 30000 milliseconds"_s);
        const qint64 c = emitEvent();
        return {a, b, c};
    }

    QByteArray exportAll(ExportFormat format, ExportSummary* summary = nullptr)
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        const auto writer = DeliveryWriter::create(format, &buffer);
        DeliveryLog log(m_db);
        const auto s = DeliveryExporter(log).exportFiltered({}, *writer);
        if (!s)
            qWarning("%s", qPrintable(s.error().message));
        if (summary && s)
            *summary = *s;
        return buffer.data();
    }

    // Failed deliveries, never leased: what "Recover failed since…" works on.
    QList<qint64> seedFailed(int n)
    {
        QList<qint64> ids;
        for (int i = 0; i < n; ++i)
            ids << emitEvent({{u"n"_s, i}});
        QSqlQuery q(m_db->connection());
        q.exec(u"UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, attempt_count = 3"_s);
        return ids;
    }
    qint64 requeuedRows() { return scalar(u"SELECT COUNT(*) FROM deliveries WHERE next_trigger = 'manual'"_s); }
    qint64 untouchedRows()
    {
        return scalar(u"SELECT COUNT(*) FROM deliveries WHERE next_trigger = 'scheduled' AND next_attempt_at IS NULL "
                      "AND updated_at < %1"_s.arg(m_clock.nowMs()));
    }

private Q_SLOTS:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        static int n = 0;
        m_clock.set(QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc()));
        m_db = test::freshDatabase(m_dir.filePath(u"e%1.db"_s.arg(++n)));
        QVERIFY2(m_db, "could not open a fresh database for this backend");
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
        m_emitter = std::make_unique<Emitter>(m_db, *m_catalog, m_clock);
        m_queue = std::make_unique<DeliveryQueue>(m_db, m_clock, "test-engine");
        m_webhook = addWebhook(u"https://hooks.example.com/in?tenant=acme&v=2"_s);
    }
    void cleanup()
    {
        m_queue.reset();
        m_emitter.reset();
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void harValidatorCatchesBrokenArchives()
    {
        // The validator must be able to fail, or the HAR tests below prove nothing.
        seedThree();
        const QJsonObject good = QJsonDocument::fromJson(exportAll(ExportFormat::Har)).object();
        QVERIFY(HarValidator().problems(QJsonDocument(good)).isEmpty());
        const auto broken = [&](const std::function<void(QJsonObject&)>& change) {
            QJsonObject log = good.value(u"log"_s).toObject();
            QJsonArray entries = log.value(u"entries"_s).toArray();
            QJsonObject e = entries.at(0).toObject();
            change(e);
            entries[0] = e;
            log[u"entries"_s] = entries;
            return HarValidator().problems(QJsonDocument(QJsonObject{{u"log"_s, log}}));
        };
        QVERIFY(!broken([](QJsonObject& e) { e.remove(u"cache"_s); }).isEmpty());
        QVERIFY(!broken([](QJsonObject& e) { e[u"time"_s] = u"240"_s; }).isEmpty());
        QVERIFY(!broken([](QJsonObject& e) { e[u"startedDateTime"_s] = u"1 Nov 2026"_s; }).isEmpty());
        QVERIFY(!broken([](QJsonObject& e) {
                     QJsonObject r = e[u"response"_s].toObject();
                     r.remove(u"redirectURL"_s);
                     e[u"response"_s] = r;
                 }).isEmpty());
        QVERIFY(!broken([](QJsonObject& e) { e[u"deliveryId"_s] = 1; }).isEmpty());
    }

    void harHasOneEntryPerAttempt()
    {
        const QList<qint64> ids = seedThree();
        ExportSummary summary;
        const QByteArray bytes = exportAll(ExportFormat::Har, &summary);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QStringList problems = HarValidator().problems(doc);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(summary.deliveries, 3);
        QCOMPARE(summary.records, 3); // the pending delivery made no request

        const QJsonObject log = doc.object().value(u"log"_s).toObject();
        QCOMPARE(log.value(u"creator"_s).toObject().value(u"name"_s).toString(), u"Outhook"_s);
        const QJsonArray entries = log.value(u"entries"_s).toArray();
        QCOMPARE(entries.size(), 3);
        // Newest delivery first; its attempts in order.
        const QJsonObject timeout = entries.at(0).toObject();
        const QJsonObject first = entries.at(1).toObject();
        const QJsonObject second = entries.at(2).toObject();
        QCOMPARE(timeout.value(u"_outhook"_s).toObject().value(u"deliveryId"_s).toInteger(), ids.at(1));
        QCOMPARE(first.value(u"_outhook"_s).toObject().value(u"attempt"_s).toInt(), 1);
        QCOMPARE(second.value(u"_outhook"_s).toObject().value(u"attempt"_s).toInt(), 2);

        const QJsonObject request = first.value(u"request"_s).toObject();
        QCOMPARE(request.value(u"method"_s).toString(), u"POST"_s);
        QCOMPARE(request.value(u"url"_s).toString(), m_webhook.url);
        const QJsonArray query = request.value(u"queryString"_s).toArray();
        QCOMPARE(query.size(), 2);
        QCOMPARE(query.at(0).toObject().value(u"name"_s).toString(), u"tenant"_s);
        QCOMPARE(query.at(1).toObject().value(u"value"_s).toString(), u"2"_s);
        const QByteArray payload = DeliveryLog(m_db).get(ids.at(0))->payload;
        QCOMPARE(request.value(u"postData"_s).toObject().value(u"text"_s).toString().toUtf8(), payload);
        QCOMPARE(request.value(u"postData"_s).toObject().value(u"mimeType"_s).toString(), u"application/json"_s);
        QCOMPARE(request.value(u"bodySize"_s).toInteger(), payload.size());
        QCOMPARE(first.value(u"startedDateTime"_s).toString(), u"2026-11-01T12:00:00.000Z"_s);
        QCOMPARE(second.value(u"startedDateTime"_s).toString(), u"2026-11-01T12:01:00.000Z"_s);
        QCOMPARE(first.value(u"time"_s).toInteger(), 240);
        QCOMPARE(first.value(u"timings"_s).toObject().value(u"wait"_s).toInteger(), 240);
        QCOMPARE(first.value(u"serverIPAddress"_s).toString(), u"203.0.113.7"_s);

        const QJsonObject r500 = first.value(u"response"_s).toObject();
        QCOMPARE(r500.value(u"status"_s).toInt(), 500);
        QCOMPARE(r500.value(u"statusText"_s).toString(), u"Internal Server Error"_s);
        QCOMPARE(r500.value(u"content"_s).toObject().value(u"text"_s).toString(), u"{\"error\":\"boom\"}"_s);
        QCOMPARE(r500.value(u"content"_s).toObject().value(u"mimeType"_s).toString(), u"application/json"_s);
        const QJsonObject r200 = second.value(u"response"_s).toObject();
        QCOMPARE(r200.value(u"content"_s).toObject().value(u"text"_s).toString(), u"ok, \"fine\"\nreally"_s);

        // No response at all: status 0 and the error, as browsers record a failed request.
        const QJsonObject none = timeout.value(u"response"_s).toObject();
        QCOMPARE(none.value(u"status"_s).toInt(), 0);
        QCOMPARE(none.value(u"bodySize"_s).toInt(), -1);
        QCOMPARE(timeout.value(u"_error"_s).toString(), u"Operation timed out after 30000 milliseconds"_s);
    }

    void harRedactsSignaturesAuthAndCookies()
    {
        seedThree();
        const QByteArray bytes = exportAll(ExportFormat::Har);
        QVERIFY(!bytes.contains("c2lnbmF0dXJlLXZhbHVl")); // the stored signature value
        QVERIFY(!bytes.contains("session=abc"));          // a response cookie
        const QJsonArray entries =
            QJsonDocument::fromJson(bytes).object().value(u"log"_s).toObject().value(u"entries"_s).toArray();
        QHash<QString, QString> headers;
        for (const QJsonValue& h :
             entries.at(1).toObject().value(u"request"_s).toObject().value(u"headers"_s).toArray())
            headers.insert(h[u"name"_s].toString(), h[u"value"_s].toString());
        QCOMPARE(headers.value(u"authorization"_s), u"Bearer [redacted]"_s);
        QCOMPARE(headers.value(u"webhook-signature"_s), u"[redacted]"_s);
        QCOMPARE(headers.value(u"content-type"_s), u"application/json"_s);
        QVERIFY(headers.value(u"webhook-id"_s).startsWith(u"msg_"_s)); // not a secret: kept
    }

    void redactionRules_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("shown");
        QTest::newRow("basic") << QByteArray("Authorization") << QByteArray("Basic b3V0aG9vazpwYTU1")
                               << QByteArray("Basic [redacted]");
        QTest::newRow("schemeless") << QByteArray("authorization") << QByteArray("abc") << QByteArray("[redacted]");
        QTest::newRow("signature") << QByteArray("Webhook-Signature") << QByteArray("v1,abc")
                                   << QByteArray("[redacted]");
        QTest::newRow("hub") << QByteArray("X-Hub-Signature-256") << QByteArray("sha256=ab")
                             << QByteArray("[redacted]");
        QTest::newRow("api key") << QByteArray("X-API-Key") << QByteArray("k") << QByteArray("[redacted]");
        QTest::newRow("token") << QByteArray("X-Auth-Token") << QByteArray("t") << QByteArray("[redacted]");
        QTest::newRow("cookie") << QByteArray("Cookie") << QByteArray("a=b") << QByteArray("[redacted]");
        QTest::newRow("plain") << QByteArray("X-Tenant") << QByteArray("acme") << QByteArray("acme");
        QTest::newRow("content-type") << QByteArray("Content-Type") << QByteArray("application/json")
                                      << QByteArray("application/json");
    }
    void redactionRules()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, shown);
        const RawHeaders out = exporting::redactHeaders({{name, value}});
        QCOMPARE(out.size(), 1);
        QCOMPARE(out.first().first, name);
        QCOMPARE(out.first().second, shown);
    }

    void harOfRealSendHidesEverySecret()
    {
        // The real engine over real HTTPS: the receiver sees the secrets, the stored attempt and the HAR
        // must not.
        QFETCH_GLOBAL(QString, backend);
        test::TestPki pki;
        QVERIFY(pki.isValid());
        test::TlsReceiver receiver(pki);
        QVERIFY(receiver.listen());
        test::TlsReceiver::Reply reply;
        reply.status = 202;
        reply.headers = {{"Content-Type", "application/json"}, {"Set-Cookie", "sid=RESPONSE-COOKIE"}};
        reply.body = "{\"accepted\":true}";
        receiver.setDefaultReply(reply);
        m_store->remove(m_webhook.id);
        const Webhook w = addWebhook(receiver.url(u"/hook?tenant=acme"_s));
        CurlTransport::Options o;
        o.caFiles << pki.caFile();
        o.policy.allow(u"127.0.0.0/8"_s);
        o.policy.allow(u"::1/128"_s);
        SystemClock systemClock;
        Dispatcher::Options options;
        options.concurrency = 4;
        Engine engine(m_db, systemClock, options, [o] { return std::unique_ptr<Transport>(new CurlTransport(o)); });
        engine.start();
        const qint64 id = emitEvent();
        engine.wake();
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requestCount(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(DeliveryLog(m_db).get(id)->status == DeliveryStatus::Succeeded, 10000);
        engine.stopAndWait(1000);
        const test::TlsReceiver::Request sent = receiver.requests().first();
        QCOMPARE(sent.header("authorization"), QByteArray("Bearer tok-SECRET-123"));
        QCOMPARE(sent.header("x-shared-key"), QByteArray("hdr-SECRET-456"));
        const QByteArray signature = sent.header("webhook-signature");
        QVERIFY(signature.startsWith("v1,"));

        // What the log stores is already a redacted copy for auth and secret headers...
        const auto attempts = *DeliveryLog(m_db).attempts(id);
        const QString stored = headers::rawToJson(attempts.first().requestHeaders);
        QVERIFY(!stored.contains(u"tok-SECRET-123"_s));
        QVERIFY(!stored.contains(u"hdr-SECRET-456"_s));

        // ...and every export hides those plus the signature and cookies.
        for (ExportFormat f : {ExportFormat::Har, ExportFormat::Csv, ExportFormat::Jsonl}) {
            const QByteArray bytes = exportAll(f);
            QVERIFY(bytes.contains("msg_"));
            for (const QByteArray& secret : {QByteArray("tok-SECRET-123"), QByteArray("hdr-SECRET-456"),
                                             signature.mid(3), QByteArray("RESPONSE-COOKIE"), w.secret.toUtf8()})
                QVERIFY2(!bytes.contains(secret),
                         qPrintable(exportFormatName(f) + u": "_s + QString::fromUtf8(secret)));
        }
        const QJsonObject entry =
            QJsonDocument::fromJson(exportAll(ExportFormat::Har)).object()[u"log"_s][u"entries"_s][0].toObject();
        QVERIFY(HarValidator()
                    .problems(QJsonDocument(QJsonObject{
                        {u"log"_s, QJsonObject{{u"version"_s, u"1.2"_s},
                                               {u"creator"_s, QJsonObject{{u"name"_s, u"x"_s}, {u"version"_s, u"1"_s}}},
                                               {u"entries"_s, QJsonArray{entry}}}}}))
                    .isEmpty());
        QHash<QString, QString> headers;
        for (const QJsonValue& h : entry[u"request"_s][u"headers"_s].toArray())
            headers.insert(h[u"name"_s].toString().toLower(), h[u"value"_s].toString());
        QCOMPARE(headers.value(u"authorization"_s), u"Bearer [redacted]"_s);
        QCOMPARE(headers.value(u"x-shared-key"_s), u"[redacted]"_s);
        QCOMPARE(headers.value(u"webhook-signature"_s), u"[redacted]"_s);
        QCOMPARE(headers.value(u"x-tenant"_s), u"acme"_s);
        QCOMPARE(entry[u"response"_s][u"status"_s].toInt(), 202);
        QCOMPARE(entry[u"response"_s][u"content"_s][u"text"_s].toString(), u"{\"accepted\":true}"_s);
        QCOMPARE(entry[u"request"_s][u"postData"_s][u"text"_s].toString().toUtf8(), sent.body);
        Q_UNUSED(backend)
    }

    void csvEscaping_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("escaped");
        QTest::newRow("plain") << u"abc"_s << u"abc"_s;
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("comma") << u"a,b"_s << u"\"a,b\""_s;
        QTest::newRow("quote") << u"say \"hi\""_s << u"\"say \"\"hi\"\"\""_s;
        QTest::newRow("newline") << u"line1\nline2"_s << u"\"line1\nline2\""_s;
        QTest::newRow("crlf") << u"a\r\nb"_s << u"\"a\r\nb\""_s;
        QTest::newRow("unicode") << u"Zürich ✓"_s << u"Zürich ✓"_s;
    }
    void csvEscaping()
    {
        QFETCH(QString, field);
        QFETCH(QString, escaped);
        QCOMPARE(CsvWriter::escape(field), escaped);
        QCOMPARE(parseCsv(escaped + u"\r\n"_s).value(0).value(0), field);
    }

    void csvDefusesFormulas()
    {
        QCOMPARE(CsvWriter::escapeText(u"=HYPERLINK(\"x\")"_s), u"\"'=HYPERLINK(\"\"x\"\")\""_s);
        QCOMPARE(CsvWriter::escapeText(u"+1"_s), u"'+1"_s);
        QCOMPARE(CsvWriter::escapeText(u"@SUM(A1)"_s), u"'@SUM(A1)"_s);
        QCOMPARE(CsvWriter::escapeText(u"ok"_s), u"ok"_s);
    }

    void csvExportReadsBack()
    {
        const QList<qint64> ids = seedThree();
        ExportSummary summary;
        const QByteArray bytes = exportAll(ExportFormat::Csv, &summary);
        QVERIFY(bytes.endsWith("\r\n"));
        const QList<QStringList> rows = parseCsv(QString::fromUtf8(bytes));
        // Header, two attempts of the first delivery, the timeout, and the pending one without attempts.
        QCOMPARE(rows.size(), 5);
        QCOMPARE(summary.records, 4);
        QCOMPARE(rows.at(0), CsvWriter::columns());
        for (const QStringList& row : rows)
            QCOMPARE(row.size(), CsvWriter::columns().size());
        const auto column = [](const QString& name) { return CsvWriter::columns().indexOf(name); };
        QCOMPARE(rows.at(1).at(column(u"delivery_id"_s)), QString::number(ids.at(2)));
        QCOMPARE(rows.at(1).at(column(u"attempt"_s)), QString());
        QCOMPARE(rows.at(2).at(column(u"error_class"_s)), u"timeout"_s);
        QCOMPARE(rows.at(2).at(column(u"status_code"_s)), QString());
        QCOMPARE(rows.at(3).at(column(u"status_code"_s)), u"500"_s);
        QCOMPARE(rows.at(4).at(column(u"status_code"_s)), u"200"_s);
        // Comma, quotes and a newline in one body survive the round trip.
        QCOMPARE(rows.at(4).at(column(u"response_body"_s)), u"ok, \"fine\"\nreally"_s);
        QCOMPARE(rows.at(4).at(column(u"started_at"_s)), u"2026-11-01T12:01:00.000Z"_s);
        QCOMPARE(rows.at(4).at(column(u"status"_s)), u"succeeded"_s);
    }

    void jsonlIsOneDeliveryPerLine()
    {
        const QList<qint64> ids = seedThree();
        ExportSummary summary;
        const QByteArray bytes = exportAll(ExportFormat::Jsonl, &summary);
        QVERIFY(bytes.endsWith('\n'));
        const QList<QByteArray> lines = bytes.chopped(1).split('\n');
        QCOMPARE(lines.size(), 3);
        QCOMPARE(summary.records, 3);
        for (qsizetype i = 0; i < lines.size(); ++i) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(lines.at(i), &error);
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
            QVERIFY(doc.isObject());
            QCOMPARE(doc.object().value(u"id"_s).toInteger(), ids.at(2 - i));
        }
        const QJsonObject first = QJsonDocument::fromJson(lines.at(2)).object();
        QCOMPARE(first.value(u"payload"_s).toObject().value(u"data"_s).toObject().value(u"invoice"_s).toString(),
                 u"INV-7"_s);
        const QJsonArray attempts = first.value(u"attempts"_s).toArray();
        QCOMPARE(attempts.size(), 2);
        // The multi-line body stays on its line (JSON escapes the newline).
        QCOMPARE(attempts.at(1)[u"response_body"_s].toString(), u"ok, \"fine\"\nreally"_s);
        QCOMPARE(attempts.at(0)[u"request_headers"_s][u"webhook-signature"_s].toString(), u"[redacted]"_s);
        QCOMPARE(attempts.at(0)[u"response_headers"_s][u"set-cookie"_s].toString(), u"[redacted]"_s);
        QCOMPARE(QJsonDocument::fromJson(lines.at(0)).object().value(u"attempts"_s).toArray().size(), 0);
    }

    void exportPagesAndReportsProgress()
    {
        for (int i = 0; i < 10; ++i)
            emitEvent({{u"n"_s, i}});
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        JsonlWriter writer(&buffer);
        DeliveryLog log(m_db);
        QList<QPair<qint64, qint64>> calls;
        const auto s = DeliveryExporter(log, 3).exportFiltered({}, writer, [&](qint64 done, qint64 total) {
            calls.append({done, total});
            return true;
        });
        QVERIFY(s);
        QCOMPARE(s->deliveries, 10);
        QCOMPARE(s->total, 10);
        QVERIFY(!s->cancelled);
        const QList<QPair<qint64, qint64>> expected{{0, 10}, {3, 10}, {6, 10}, {9, 10}, {10, 10}};
        QCOMPARE(calls, expected);
        QCOMPARE(buffer.data().count('\n'), 10);

        // A filter narrows the export the way it narrows the log.
        DeliveryFilter failedOnly;
        failedOnly.status = DeliveryStatus::Failed;
        QBuffer none;
        none.open(QIODevice::WriteOnly);
        JsonlWriter noneWriter(&none);
        QCOMPARE(DeliveryExporter(log, 3).exportFiltered(failedOnly, noneWriter)->deliveries, 0);
    }

    void exportCancelsBetweenPages()
    {
        for (int i = 0; i < 10; ++i)
            emitEvent({{u"n"_s, i}});
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        HarWriter writer(&buffer);
        DeliveryLog log(m_db);
        const auto s =
            DeliveryExporter(log, 4).exportFiltered({}, writer, [](qint64 done, qint64) { return done < 4; });
        QVERIFY(s);
        QVERIFY(s->cancelled);
        QCOMPARE(s->deliveries, 4);
        QVERIFY(!buffer.data().endsWith("]}}\n")); // never finished: the caller discards it
    }

    void exportSelectedIds()
    {
        const QList<qint64> ids = seedThree();
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        JsonlWriter writer(&buffer);
        DeliveryLog log(m_db);
        const auto s = DeliveryExporter(log, 2).exportIds({ids.at(0), ids.at(2), ids.at(0), 999999}, writer);
        QVERIFY(s);
        QCOMPARE(s->total, 3);
        QCOMPARE(s->deliveries, 2);
        QCOMPARE(s->missing, 1);
        const QList<QByteArray> lines = buffer.data().chopped(1).split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(QJsonDocument::fromJson(lines.at(0))[u"id"_s].toInteger(), ids.at(2));
        QCOMPARE(QJsonDocument::fromJson(lines.at(1))[u"id"_s].toInteger(), ids.at(0));
    }

    void exportReportsWriteErrors()
    {
        seedThree();
        QBuffer readOnly;
        readOnly.open(QIODevice::ReadOnly);
        HarWriter writer(&readOnly);
        DeliveryLog log(m_db);
        const auto s = DeliveryExporter(log).exportFiltered({}, writer);
        QVERIFY(!s);
        QVERIFY2(s.error().message.startsWith(u"Could not write the export"_s), qPrintable(s.error().message));
    }

    void recoverCancelledHalfwayIsConsistent()
    {
        seedFailed(25);
        m_clock.advance(1000);
        BulkRequeue bulk(m_db, m_clock, 10);
        QList<qint64> seen;
        const BulkResult r = bulk.recoverFailed(m_webhook.id, 0, [&](qint64 done, qint64 total) {
            seen << done;
            return total == 25 && done < 10; // stop after the first batch
        });
        QVERIFY(!r.error);
        QVERIFY(r.cancelled);
        QCOMPARE(r.total, 25);
        QCOMPARE(r.requeued, 10);
        QCOMPARE(seen, (QList<qint64>{0, 10}));
        // Every delivery is either fully requeued (due now, manual) or untouched; nothing in between.
        QCOMPARE(requeuedRows(), 10);
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM deliveries WHERE next_trigger = 'manual' AND next_attempt_at = %1 "
                        "AND updated_at = %1"_s.arg(m_clock.nowMs())),
                 10);
        QCOMPARE(untouchedRows(), 15);
        // Oldest first: the first ten ids went.
        QCOMPARE(scalar(u"SELECT MAX(id) FROM deliveries WHERE next_trigger = 'manual'"_s),
                 scalar(u"SELECT MIN(id) FROM deliveries"_s) + 9);

        // Running it again (not cancelled) finishes the job and counts every row it changed.
        const BulkResult all = bulk.recoverFailed(m_webhook.id, 0);
        QVERIFY(!all.cancelled);
        QCOMPARE(all.requeued, 25); // still failed until retried, so requeued again (due now)
        QCOMPARE(requeuedRows(), 25);
    }

    void recoverHonoursSinceAndSkipsLeased()
    {
        const QList<qint64> ids = seedFailed(6);
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(u"UPDATE deliveries SET created_at = 1000 WHERE id = %1"_s.arg(ids.at(0))));
        QVERIFY(q.exec(u"UPDATE deliveries SET status = 'succeeded' WHERE id = %1"_s.arg(ids.at(1))));
        QVERIFY(q.exec(u"UPDATE deliveries SET lease_owner = 'other-engine' WHERE id = %1"_s.arg(ids.at(2))));
        const BulkResult r = BulkRequeue(m_db, m_clock, 2).recoverFailed(m_webhook.id, 2000);
        QVERIFY(!r.error);
        QCOMPARE(r.total, 4);
        QCOMPARE(r.requeued, 3);
        QCOMPARE(r.skipped, 1);
        QCOMPARE(requeuedRows(), 3);

        const BulkResult missing = BulkRequeue(m_db, m_clock).recoverFailed(987654, 0);
        QVERIFY(missing.error);
        QCOMPARE(missing.error->kind, Error::Kind::NotFound);
        QCOMPARE(missing.requeued, 0);
    }

    void resendCancelledHalfwayIsConsistent()
    {
        const QList<qint64> ids = seedFailed(12);
        m_clock.advance(1000);
        const BulkResult r = BulkRequeue(m_db, m_clock, 5).resend(ids, [](qint64 done, qint64) { return done < 10; });
        QVERIFY(r.cancelled);
        QCOMPARE(r.total, 12);
        QCOMPARE(r.requeued, 10);
        QCOMPARE(requeuedRows(), 10);
        QCOMPARE(untouchedRows(), 2);
    }

    void failingBatchRollsBackWhole()
    {
        const QList<qint64> ids = seedFailed(9);
        m_clock.advance(1000);
        const qint64 poisoned = ids.at(7); // in the second batch of four (indexes 4..7)
        QSqlQuery q(m_db->connection());
        if (m_db->isPostgres()) {
            QVERIFY(
                q.exec(u"CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.id = %1 THEN "
                       "RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"_s.arg(poisoned)));
            QVERIFY(
                q.exec(u"CREATE TRIGGER poison BEFORE UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION poison()"_s));
        } else {
            QVERIFY(q.exec(u"CREATE TRIGGER poison BEFORE UPDATE ON deliveries WHEN NEW.id = %1 "
                           "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"_s.arg(poisoned)));
        }
        const BulkResult r = BulkRequeue(m_db, m_clock, 4).resend(ids);
        QVERIFY(r.error);
        QVERIFY2(r.error->message.contains(u"poisoned row"_s), qPrintable(r.error->message));
        QCOMPARE(r.requeued, 4);
        QCOMPARE(requeuedRows(), 4); // the first batch stands, the failing one left no trace
        QCOMPARE(untouchedRows(), 5);
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
