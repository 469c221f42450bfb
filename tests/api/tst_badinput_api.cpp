#include "DbFingerprint.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using outhook::test::DbFingerprint;

namespace {

QByteArray hook(const QByteArray& extra)
{
    const QByteArray base = "{\"url\":\"https://x.example.com/h\",\"events\":[\"invoice.paid\"]";
    if (extra.isEmpty())
        return base + '}';
    return base + ',' + extra + '}';
}

QByteArray urlHook(const QByteArray& url)
{
    return "{\"url\":\"" + url + "\",\"events\":[\"invoice.paid\"]}";
}

QByteArray nested(const QByteArray& key, int levels)
{
    return "{\"" + key + "\":" + QByteArray(levels, '[') + QByteArray(levels, ']') + "}";
}

} // namespace

// Bad REST bodies to a real `outhookd serve --api`: the documented status (400/413/415/422), a JSON
// error whose "fields" names the field, and a database that is byte-for-byte unchanged.
class TestBadInputApi : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_db;
    QProcess m_serve;
    quint16 m_port = 0;
    QString m_key;
    QNetworkAccessManager m_net;
    int m_rows = 0;

    struct Response
    {
        int status = 0;
        QJsonObject json;
        QJsonObject error() const { return json.value(QStringLiteral("error")).toObject(); }
    };

    Response call(const QByteArray& method, const QString& path, const QByteArray& body,
                  const QByteArray& contentType = "application/json")
    {
        QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)));
        req.setRawHeader("Authorization", "Bearer " + m_key.toLatin1());
        req.setRawHeader("Content-Type", contentType);
        QNetworkReply* reply = m_net.sendCustomRequest(req, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(30000);
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return r;
    }

    DbFingerprint fingerprint() const
    {
        return DbFingerprint::of(m_db, {QStringLiteral("api_keys.last_used_at")}); // stamped by every request
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_db = m_dir.filePath(QStringLiteral("api.db"));
        QProcess p;
        p.start(QStringLiteral(OUTHOOKD_PATH),
                {QStringLiteral("--db"), m_db, QStringLiteral("apikeys"), QStringLiteral("create"),
                 QStringLiteral("--name"), QStringLiteral("admin"), QStringLiteral("--scopes"),
                 QStringLiteral("webhooks:read,webhooks:write,events:write"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(30000));
        m_key = QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("key")).toString();
        QVERIFY(m_key.startsWith(QLatin1String("ohk_")));

        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_port = probe.serverPort();
        probe.close();
        m_serve.setStandardErrorFile(QProcess::nullDevice()); // one access log line per request
        m_serve.start(QStringLiteral(OUTHOOKD_PATH),
                      {QStringLiteral("--db"), m_db, QStringLiteral("serve"), QStringLiteral("--api"),
                       QStringLiteral("127.0.0.1:%1").arg(m_port)});
        QVERIFY(m_serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(call("GET", QStringLiteral("/api/v1/webhooks"), {}).status == 200, 15000);
        const Response created = call("POST", QStringLiteral("/api/v1/webhooks"), hook({}));
        QCOMPARE(created.status, 201); // webhook 1, for PATCH rows
        QCOMPARE(call("POST", QStringLiteral("/api/v1/events"), "{\"type\":\"invoice.paid\"}").status, 202);
    }

    void cleanupTestCase()
    {
        qInfo("tst_badinput_api: %d bad-input rows", m_rows);
        m_serve.terminate();
        QVERIFY(m_serve.waitForFinished(15000));
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field"); // must be a key of error.fields; empty: none expected

        const QString hooks = QStringLiteral("/api/v1/webhooks");
        const QString one = QStringLiteral("/api/v1/webhooks/1");
        const QString events = QStringLiteral("/api/v1/events");
        const QByteArray json = "application/json";
        const auto post = [&](const char* name, const QByteArray& body, int status, const char* field) {
            QTest::newRow(name) << QByteArray("POST") << hooks << body << json << status << QString::fromLatin1(field);
        };
        const auto patch = [&](const char* name, const QByteArray& body, int status, const char* field) {
            QTest::newRow(name) << QByteArray("PATCH") << one << body << json << status << QString::fromLatin1(field);
        };
        const auto event = [&](const char* name, const QByteArray& body, int status, const char* field) {
            QTest::newRow(name) << QByteArray("POST") << events << body << json << status << QString::fromLatin1(field);
        };

        post("url http:", urlHook("http://x.example.com/h"), 422, "url");
        post("url ftp:", urlHook("ftp://x.example.com/h"), 422, "url");
        post("url javascript:", urlHook("javascript:alert(1)"), 422, "url");
        post("url no host", urlHook("https:///h"), 422, "url");
        post("url userinfo", urlHook("https://root:toor@x.example.com/h"), 422, "url");
        post("url 10 KB", urlHook("https://x.example.com/" + QByteArray(10240, 'a')), 422, "url");
        post("url IDN homograph", urlHook("https://p\\u0430ypal.com/h"), 422, "url");
        post("url with CRLF", urlHook("https://x.example.com/\\r\\nHost: evil"), 422, "url");
        post("url a number", "{\"url\":42,\"events\":[\"invoice.paid\"]}", 422, "url");
        post("header value CRLF", hook("\"headers\":{\"X-A\":\"a\\r\\nHost: evil\"}"), 422, "headers[0].value");
        post("header value NUL", hook("\"headers\":{\"X-A\":\"a\\u0000b\"}"), 422, "headers[0].value");
        post("header name LF", hook("\"headers\":{\"X-A\\nB\":\"v\"}"), 422, "headers[0].name");
        post("header name NUL", hook("\"headers\":{\"X-A\\u0000\":\"v\"}"), 422, "headers[0].name");
        post("reserved header Host", hook("\"headers\":{\"Host\":\"evil.example\"}"), 422, "headers[0].name");
        post("reserved header Expect", hook("\"headers\":{\"Expect\":\"100-continue\"}"), 422, "headers[0].name");
        post("header value not a string", hook("\"headers\":{\"X-A\":1}"), 422, "headers.X-A");
        post("unknown event type", "{\"url\":\"https://x.example.com\",\"events\":[\"no.such\"]}", 422, "events[0]");
        post("events of numbers", "{\"url\":\"https://x.example.com\",\"events\":[1,2]}", 422, "events[0]");
        post("huge events array",
             "{\"url\":\"https://x.example.com\",\"events\":[" + QByteArray("\"invoice.paid\",").repeated(50000) +
                 "\"invoice.paid\"]}",
             422, "events");
        post("empty name", hook("\"name\":\"\""), 422, "name");
        post("10 KB name", hook("\"name\":\"" + QByteArray(10240, 'n') + "\""), 422, "name");
        post("name an object", hook("\"name\":{\"first\":\"x\"}"), 422, "name");
        post("timeout negative", hook("\"timeout_seconds\":-5"), 422, "timeout_seconds");
        post("timeout absurd", hook("\"timeout_seconds\":1e300"), 422, "timeout_seconds");
        post("timeout a string", hook("\"timeout_seconds\":\"30\""), 422, "timeout_seconds");
        post("timeout fractional", hook("\"timeout_seconds\":2.5"), 422, "timeout_seconds");
        post("timeout NaN", hook("\"timeout_seconds\":NaN"), 400, "timeout_seconds");
        post("retry_schedule negative", hook("\"retry_schedule\":[60,-1]"), 422, "retry_schedule");
        post("retry_schedule absurd", hook("\"retry_schedule\":[1e15]"), 422, "retry_schedule");
        post("retry_count 1000", hook("\"retry_count\":1000"), 422, "retry_count");
        post("auth a string", hook("\"auth\":\"basic\""), 422, "auth.type");
        post("basic username with colon", hook("\"auth\":{\"type\":\"basic\",\"username\":\"a:b\",\"password\":\"p\"}"),
             422, "auth.username");
        post("duplicate key url", "{\"url\":\"https://x.example.com\",\"url\":\"http://evil\",\"events\":[]}", 400,
             "url");
        post("duplicate nested key", hook("\"auth\":{\"type\":\"none\",\"type\":\"basic\"}"), 400, "auth.type");
        post("1000 levels deep", nested("name", 1000), 400, "name");
        post("not an object", "[1,2,3]", 400, "");
        post("truncated JSON", "{\"url\": ", 400, "url");
        post("body over 1 MiB", hook("\"name\":\"" + QByteArray(1024 * 1024, 'n') + "\""), 413, "");
        QTest::newRow("text/plain") << QByteArray("POST") << hooks << hook({}) << QByteArray("text/plain") << 415
                                    << QString();
        QTest::newRow("form encoded") << QByteArray("POST") << hooks << QByteArray("url=https://x.example.com")
                                      << QByteArray("application/x-www-form-urlencoded") << 415 << QString();

        patch("PATCH url http:", "{\"url\":\"http://x.example.com\"}", 422, "url");
        patch("PATCH unknown event type", "{\"events\":[\"no.such\"]}", 422, "events[0]");
        patch("PATCH duplicate key", "{\"name\":\"a\",\"name\":\"b\"}", 400, "name");
        patch("PATCH reserved header", "{\"headers\":{\"Content-Length\":\"0\"}}", 422, "headers[0].name");
        patch("PATCH negative timeout", "{\"timeout_seconds\":-1}", 422, "timeout_seconds");
        patch("PATCH is_active a string", "{\"is_active\":\"true\"}", 422, "is_active");

        event("event unknown type", "{\"type\":\"invoice.exploded\"}", 422, "type");
        event("event type a number", "{\"type\":7}", 422, "type");
        event("event SQL as type", "{\"type\":\"x'); DROP TABLE events;--\"}", 422, "type");
        event("event data an array", "{\"type\":\"invoice.paid\",\"data\":[1]}", 422, "data");
        event("event data just over 256 KiB",
              "{\"type\":\"invoice.paid\",\"data\":{\"blob\":\"" + QByteArray(256 * 1024, 'x') + "\"}}", 422, "data");
        event("event data 1000 levels deep", "{\"type\":\"invoice.paid\",\"data\":" + nested("a", 1000) + "}", 400,
              "data");
        event("event duplicate type", "{\"type\":\"invoice.paid\",\"type\":\"job.created\"}", 400, "type");
        event("event unknown field", "{\"type\":\"invoice.paid\",\"extra\":1}", 422, "extra");
    }

    void refused()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, field);
        const DbFingerprint before = fingerprint();
        QVERIFY(!before.hash.isEmpty());
        const Response r = call(method, path, body, contentType);
        QCOMPARE(r.status, status);
        QVERIFY(!r.error().value(QStringLiteral("code")).toString().isEmpty());
        QVERIFY(!r.error().value(QStringLiteral("message")).toString().isEmpty());
        if (!field.isEmpty()) {
            const QJsonObject fields = r.error().value(QStringLiteral("fields")).toObject();
            QVERIFY2(fields.contains(field),
                     QJsonDocument(r.json).toJson(QJsonDocument::Compact).left(600).constData());
        }
        const DbFingerprint after = fingerprint();
        QVERIFY2(after == before, qPrintable(after.counts.join(u' ')));
        ++m_rows;
    }

    // SQL metacharacters in every text field: accepted, stored and served back verbatim.
    void sqlMetacharactersRoundTrip()
    {
        const QString sql = QStringLiteral("x'); DROP TABLE webhooks; -- \"; SELECT 1");
        const QJsonObject body{
            {QStringLiteral("url"), QStringLiteral("https://x.example.com/h?q=%27%3B--")},
            {QStringLiteral("events"), QJsonArray{QStringLiteral("invoice.paid")}},
            {QStringLiteral("name"), sql},
            {QStringLiteral("headers"), QJsonObject{{QStringLiteral("X-Sql"), sql}}},
            {QStringLiteral("auth"), QJsonObject{{QStringLiteral("type"), QStringLiteral("bearer")},
                                                 {QStringLiteral("token"), QStringLiteral("tok'en;--")}}}};
        const Response created = call("POST", QStringLiteral("/api/v1/webhooks"), QJsonDocument(body).toJson());
        QCOMPARE(created.status, 201);
        const qint64 id = created.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("id")).toInteger();
        const Response got = call("GET", QStringLiteral("/api/v1/webhooks/%1").arg(id), {});
        QCOMPARE(got.status, 200);
        const QJsonObject w = got.json.value(QStringLiteral("data")).toObject();
        QCOMPARE(w.value(QStringLiteral("name")).toString(), sql);
        QCOMPARE(w.value(QStringLiteral("url")).toString(), body.value(QStringLiteral("url")).toString());
        QCOMPARE(w.value(QStringLiteral("headers")).toObject().value(QStringLiteral("X-Sql")).toString(), sql);
        const Response ev =
            call("POST", QStringLiteral("/api/v1/events"),
                 QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("invoice.paid")},
                                           {QStringLiteral("data"), QJsonObject{{QStringLiteral("q"), sql}}}})
                     .toJson());
        QCOMPARE(ev.status, 202);
    }
};

QTEST_GUILESS_MAIN(TestBadInputApi)
#include "tst_badinput_api.moc"
