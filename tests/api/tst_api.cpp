#include "TestPki.h"
#include "TlsReceiver.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// The REST API of a real `outhookd serve --api`, driven over HTTP.
class TestApi : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    QString m_db;
    TlsReceiver m_receiver{m_pki};
    QProcess m_serve;
    quint16 m_port = 0;
    QString m_adminKey;
    QString m_readKey;
    QNetworkAccessManager m_net;

    struct Response
    {
        int status = 0;
        QJsonObject json;
        QByteArray raw;
        QByteArray requestId;
        QJsonValue data() const { return json.value(QStringLiteral("data")); }
        QString errorCode() const
        {
            return json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
        }
        QJsonObject errorFields() const
        {
            return json.value(QStringLiteral("error")).toObject().value(QStringLiteral("fields")).toObject();
        }
    };

    Response call(const QByteArray& method, const QString& path, const QByteArray& body = {},
                  std::optional<QString> key = std::nullopt, const QByteArray& contentType = "application/json",
                  const QList<QPair<QByteArray, QByteArray>>& extraHeaders = {})
    {
        QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)));
        const QString k = key.value_or(m_adminKey);
        if (!k.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + k.toLatin1());
        if (!body.isEmpty())
            req.setRawHeader("Content-Type", contentType);
        for (const auto& [n, v] : extraHeaders)
            req.setRawHeader(n, v);
        QNetworkReply* reply = m_net.sendCustomRequest(req, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(30000);
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.raw = reply->readAll();
        r.json = QJsonDocument::fromJson(r.raw).object();
        r.requestId = reply->rawHeader("X-Request-Id");
        reply->deleteLater();
        return r;
    }

    QString runCli(const QStringList& args)
    {
        QProcess p;
        p.start(QStringLiteral(OUTHOOKD_PATH), QStringList{QStringLiteral("--db"), m_db} + args);
        p.waitForFinished(30000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

    int webhookCount()
    {
        return int(call("GET", QStringLiteral("/api/v1/webhooks?limit=200")).data().toArray().size());
    }

    qint64 createWebhook(const QString& url, bool active = true)
    {
        const QJsonObject body{{QStringLiteral("url"), url},
                               {QStringLiteral("events"), QJsonArray{QStringLiteral("invoice.paid")}},
                               {QStringLiteral("is_active"), active},
                               {QStringLiteral("retry_count"), 0}};
        const Response r = call("POST", QStringLiteral("/api/v1/webhooks"), QJsonDocument(body).toJson());
        return r.data().toObject().value(QStringLiteral("id")).toInteger();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pki.isValid());
        QVERIFY(m_receiver.listen());
        m_db = m_dir.filePath(QStringLiteral("api.db"));
        const QJsonObject admin =
            QJsonDocument::fromJson(
                runCli({QStringLiteral("apikeys"), QStringLiteral("create"), QStringLiteral("--name"),
                        QStringLiteral("admin"), QStringLiteral("--scopes"),
                        QStringLiteral("webhooks:read,webhooks:write,events:write,deliveries:read,"
                                       "deliveries:write"),
                        QStringLiteral("--json")})
                    .toUtf8())
                .object();
        m_adminKey = admin.value(QStringLiteral("key")).toString();
        QVERIFY(m_adminKey.startsWith(QLatin1String("ohk_")));
        m_readKey = QJsonDocument::fromJson(
                        runCli({QStringLiteral("apikeys"), QStringLiteral("create"), QStringLiteral("--name"),
                                QStringLiteral("reader"), QStringLiteral("--scopes"), QStringLiteral("webhooks:read"),
                                QStringLiteral("--json")})
                            .toUtf8())
                        .object()
                        .value(QStringLiteral("key"))
                        .toString();
        // Only a hash is stored.
        QVERIFY(!runCli({QStringLiteral("apikeys"), QStringLiteral("list"), QStringLiteral("--json")})
                     .contains(m_adminKey));

        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_port = probe.serverPort();
        probe.close();
        m_serve.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_serve.start(QStringLiteral(OUTHOOKD_PATH),
                      {QStringLiteral("--db"), m_db, QStringLiteral("--ca-file"), m_pki.caFile(),
                       QStringLiteral("--allow-destination"), QStringLiteral("127.0.0.0/8"), QStringLiteral("serve"),
                       QStringLiteral("--api"), QStringLiteral("127.0.0.1:%1").arg(m_port)});
        QVERIFY(m_serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(call("GET", QStringLiteral("/api/v1/webhooks")).status == 200, 15000);
    }
    void cleanupTestCase()
    {
        m_serve.terminate();
        QVERIFY(m_serve.waitForFinished(15000));
        QCOMPARE(m_serve.exitCode(), 0);
    }

    void authentication_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("no key") << QString() << QByteArray("GET") << "/api/v1/webhooks" << 401;
        QTest::newRow("bad key") << "ohk_notarealkeyatall000000000000" << QByteArray("GET") << "/api/v1/webhooks"
                                 << 401;
        QTest::newRow("read key may read") << "READ" << QByteArray("GET") << "/api/v1/webhooks" << 200;
        QTest::newRow("read key may not write") << "READ" << QByteArray("POST") << "/api/v1/webhooks" << 403;
        QTest::newRow("read key may not ingest") << "READ" << QByteArray("POST") << "/api/v1/events" << 403;
        QTest::newRow("read key may not list deliveries") << "READ" << QByteArray("GET") << "/api/v1/deliveries" << 403;
    }
    void authentication()
    {
        QFETCH(QString, key);
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(int, status);
        const int before = webhookCount();
        const Response r = call(method, path, method == "POST" ? QByteArray("{}") : QByteArray(),
                                key == QLatin1String("READ") ? m_readKey : key);
        QCOMPARE(r.status, status);
        QVERIFY(!r.requestId.isEmpty());
        if (status >= 400) {
            QCOMPARE(r.errorCode(), status == 401 ? QStringLiteral("unauthorized") : QStringLiteral("forbidden"));
            QCOMPARE(r.json.value(QStringLiteral("meta")).toObject().value(QStringLiteral("request_id")).toString(),
                     QString::fromLatin1(r.requestId));
        }
        QCOMPARE(webhookCount(), before);
    }

    void badRequestsChangeNothing_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        const QString hooks = QStringLiteral("/api/v1/webhooks");
        QTest::newRow("http url") << QByteArray("POST") << hooks
                                  << QByteArray("{\"url\":\"http://x.example.com\",\"events\":[\"invoice.paid\"]}")
                                  << QByteArray("application/json") << 422 << "validation_failed"
                                  << "url";
        QTest::newRow("missing events") << QByteArray("POST") << hooks
                                        << QByteArray("{\"url\":\"https://x.example.com\"}")
                                        << QByteArray("application/json") << 422 << "validation_failed"
                                        << "events";
        QTest::newRow("events not an array")
            << QByteArray("POST") << hooks
            << QByteArray("{\"url\":\"https://x.example.com\",\"events\":\"invoice.paid\"}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "events";
        QTest::newRow("unknown event type")
            << QByteArray("POST") << hooks
            << QByteArray("{\"url\":\"https://x.example.com\",\"events\":[\"nope.nope\"]}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "events[0]";
        QTest::newRow("is_active string")
            << QByteArray("POST") << hooks
            << QByteArray("{\"url\":\"https://x.example.com\",\"events\":[\"invoice.paid\"],\"is_active\":\"yes\"}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "is_active";
        QTest::newRow("reserved header")
            << QByteArray("POST") << hooks
            << QByteArray("{\"url\":\"https://"
                          "x.example.com\",\"events\":[\"invoice.paid\"],\"headers\":{\"Webhook-Signature\":\"x\"}}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "headers[0].name";
        QTest::newRow("negative timeout")
            << QByteArray("POST") << hooks
            << QByteArray("{\"url\":\"https://x.example.com\",\"events\":[\"invoice.paid\"],\"timeout_seconds\":-5}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "timeout_seconds";
        QTest::newRow("unknown field")
            << QByteArray("POST") << hooks
            << QByteArray("{\"url\":\"https://x.example.com\",\"events\":[\"invoice.paid\"],\"colour\":\"red\"}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "colour";
        QTest::newRow("malformed json") << QByteArray("POST") << hooks << QByteArray("{\"url\": ")
                                        << QByteArray("application/json") << 400 << "malformed_json"
                                        << "";
        QTest::newRow("array body") << QByteArray("POST") << hooks << QByteArray("[1,2]")
                                    << QByteArray("application/json") << 400 << "malformed_json"
                                    << "";
        QTest::newRow("wrong content type") << QByteArray("POST") << hooks << QByteArray("url=https://x")
                                            << QByteArray("text/plain") << 415 << "unsupported_media_type"
                                            << "";
        QTest::newRow("oversized body") << QByteArray("POST") << hooks
                                        << QByteArray("{\"name\":\"") + QByteArray(1024 * 1024 + 10, 'a') + "\"}"
                                        << QByteArray("application/json") << 413 << "payload_too_large"
                                        << "";
        QTest::newRow("unknown route") << QByteArray("GET") << "/api/v1/widgets" << QByteArray() << QByteArray() << 404
                                       << "not_found"
                                       << "";
        QTest::newRow("unknown webhook") << QByteArray("GET") << "/api/v1/webhooks/9999" << QByteArray() << QByteArray()
                                         << 404 << "not_found"
                                         << "";
        QTest::newRow("wrong method") << QByteArray("PUT") << hooks << QByteArray("{}")
                                      << QByteArray("application/json") << 405 << "method_not_allowed"
                                      << "";
        QTest::newRow("event without type") << QByteArray("POST") << "/api/v1/events" << QByteArray("{\"data\":{}}")
                                            << QByteArray("application/json") << 422 << "validation_failed"
                                            << "type";
        QTest::newRow("event unknown type")
            << QByteArray("POST") << "/api/v1/events" << QByteArray("{\"type\":\"x.y\"}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "type";
        QTest::newRow("event data not object")
            << QByteArray("POST") << "/api/v1/events" << QByteArray("{\"type\":\"invoice.paid\",\"data\":[1]}")
            << QByteArray("application/json") << 422 << "validation_failed"
            << "data";
    }
    void badRequestsChangeNothing()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, field);
        const int webhooks = webhookCount();
        const int deliveries =
            int(call("GET", QStringLiteral("/api/v1/deliveries?limit=1000")).data().toArray().size());
        const Response r = call(method, path, body, std::nullopt, contentType);
        QCOMPARE(r.status, status);
        QCOMPARE(r.errorCode(), code);
        QVERIFY(
            !r.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().isEmpty());
        if (!field.isEmpty())
            QVERIFY2(r.errorFields().contains(field), r.raw.constData());
        QCOMPARE(webhookCount(), webhooks);
        QCOMPARE(int(call("GET", QStringLiteral("/api/v1/deliveries?limit=1000")).data().toArray().size()), deliveries);
    }

    void webhookLifecycle()
    {
        const QJsonObject body{
            {QStringLiteral("url"), QStringLiteral("https://crm.example.com/in")},
            {QStringLiteral("events"), QJsonArray{QStringLiteral("invoice.paid"), QStringLiteral("job.created")}},
            {QStringLiteral("name"), QStringLiteral("CRM")},
            {QStringLiteral("headers"), QJsonObject{{QStringLiteral("X-Team"), QStringLiteral("crm")}}},
            {QStringLiteral("retry_count"), 2},
            {QStringLiteral("timeout_seconds"), 12},
            {QStringLiteral("auth"), QJsonObject{{QStringLiteral("type"), QStringLiteral("basic")},
                                                 {QStringLiteral("username"), QStringLiteral("u")},
                                                 {QStringLiteral("password"), QStringLiteral("p4ss")}}}};
        const Response created = call("POST", QStringLiteral("/api/v1/webhooks"), QJsonDocument(body).toJson());
        QCOMPARE(created.status, 201);
        const QJsonObject w = created.data().toObject();
        for (const char* key :
             {"id", "name", "url", "events", "is_active", "retry_count", "timeout_seconds", "last_triggered_at",
              "last_success_at", "last_failure_at", "failure_count", "created_at", "updated_at", "secret"})
            QVERIFY2(w.contains(QLatin1String(key)), key);
        QVERIFY(!created.raw.contains("p4ss"));
        QCOMPARE(w.value(QStringLiteral("is_active")).toBool(), false);
        QCOMPARE(w.value(QStringLiteral("retry_count")).toInt(), 2);
        QCOMPARE(w.value(QStringLiteral("timeout_seconds")).toInt(), 12);
        const QString path = QStringLiteral("/api/v1/webhooks/%1").arg(w.value(QStringLiteral("id")).toInteger());

        const Response shown = call("GET", path);
        QCOMPARE(shown.data().toObject().value(QStringLiteral("secret")), w.value(QStringLiteral("secret")));
        QVERIFY(!call("GET", path, {}, m_readKey).data().toObject().contains(QStringLiteral("secret")));

        const Response patched = call("PATCH", path, "{\"is_active\": true, \"name\": \"CRM 2\"}");
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.data().toObject().value(QStringLiteral("is_active")).toBool(), true);
        QCOMPARE(patched.data().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("CRM 2"));
        QCOMPARE(patched.data().toObject().value(QStringLiteral("url")), w.value(QStringLiteral("url")));
        QVERIFY(!patched.data().toObject().contains(QStringLiteral("secret")));

        const Response rotated = call("POST", path + QStringLiteral("/rotate-secret"), "{\"grace_seconds\": 60}");
        QCOMPARE(rotated.status, 200);
        QVERIFY(rotated.data().toObject().value(QStringLiteral("secret")) != w.value(QStringLiteral("secret")));

        QCOMPARE(call("DELETE", path).status, 200);
        QCOMPARE(call("GET", path).status, 404);
    }

    // Redaction (docs/SECURITY.md): credentials and secret header values never come back through the API,
    // and listings do not carry the signing secret either.
    void listingsNeverIncludeCredentials()
    {
        const QString out = runCli({QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--name"),
                                    QStringLiteral("Vault"), QStringLiteral("--url"),
                                    QStringLiteral("https://vault.example.com/in"), QStringLiteral("--events"),
                                    QStringLiteral("invoice.paid"), QStringLiteral("--auth"), QStringLiteral("basic"),
                                    QStringLiteral("--username"), QStringLiteral("u"), QStringLiteral("--password"),
                                    QStringLiteral("pw-Api9-never-listed"), QStringLiteral("--secret-header"),
                                    QStringLiteral("X-Vault: hdr-Api9-never-listed"), QStringLiteral("--json")});
        const QJsonObject created = QJsonDocument::fromJson(out.toUtf8()).object();
        const QString secret = created.value(QStringLiteral("secret")).toString();
        QVERIFY(secret.startsWith(QLatin1String("whsec_")));
        const QString path = QStringLiteral("/api/v1/webhooks/%1").arg(created.value(QStringLiteral("id")).toInteger());
        for (const QString& key : {m_adminKey, m_readKey}) {
            const Response list = call("GET", QStringLiteral("/api/v1/webhooks?limit=200"), {}, key);
            QCOMPARE(list.status, 200);
            QVERIFY(list.raw.contains("vault.example.com"));
            for (const QByteArray& never :
                 {QByteArray("pw-Api9-never-listed"), QByteArray("hdr-Api9-never-listed"), secret.toUtf8()})
                QVERIFY2(!list.raw.contains(never), never.constData());
            const Response one = call("GET", path, {}, key);
            QCOMPARE(one.status, 200);
            QVERIFY(!one.raw.contains("pw-Api9-never-listed"));
            QVERIFY(!one.raw.contains("hdr-Api9-never-listed"));
        }
    }

    // API keys are stored as SHA-256 hashes only: the key itself is nowhere in the database file.
    void apiKeysAreStoredAsHashes()
    {
        QByteArray disk;
        for (const QString& suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(m_db + suffix);
            if (f.open(QIODevice::ReadOnly))
                disk += f.readAll();
        }
        QVERIFY(!disk.isEmpty());
        for (const QString& key : {m_adminKey, m_readKey}) {
            QVERIFY(!disk.contains(key.toUtf8()));
            QVERIFY(!disk.contains(key.mid(12).toUtf8())); // not even the part after the stored prefix
            QVERIFY(disk.contains(QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex()));
        }
    }

    void webhookPagination()
    {
        for (int i = 0; i < 3; ++i)
            QVERIFY(createWebhook(QStringLiteral("https://page%1.example.com/").arg(i), false) > 0);
        const int total = webhookCount();
        QList<qint64> seen;
        QString cursor;
        for (int guard = 0; guard < 100; ++guard) {
            const Response page = call("GET", QStringLiteral("/api/v1/webhooks?limit=2") +
                                                  (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
            QCOMPARE(page.status, 200);
            QVERIFY(page.data().toArray().size() <= 2);
            for (const QJsonValue& v : page.data().toArray())
                seen << v.toObject().value(QStringLiteral("id")).toInteger();
            const QJsonValue next =
                page.json.value(QStringLiteral("meta")).toObject().value(QStringLiteral("next_cursor"));
            if (next.isNull())
                break;
            cursor = next.toString();
        }
        QCOMPARE(seen.size(), total);
        QCOMPARE(QSet<qint64>(seen.begin(), seen.end()).size(), total);
        QCOMPARE(call("GET", QStringLiteral("/api/v1/webhooks?limit=0")).status, 422);
    }

    void eventCatalog()
    {
        const Response list = call("GET", QStringLiteral("/api/v1/webhooks/events"));
        QCOMPARE(list.status, 200);
        bool found = false;
        for (const QJsonValue& k : list.data().toArray()) {
            for (const QJsonValue& t : k.toObject().value(QStringLiteral("types")).toArray()) {
                if (t.toObject().value(QStringLiteral("name")).toString() == QLatin1String("invoice.paid")) {
                    found = true;
                    QCOMPARE(k.toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("invoice"));
                    QVERIFY(!t.toObject().value(QStringLiteral("sample")).toObject().isEmpty());
                    QVERIFY(!t.toObject().value(QStringLiteral("description")).toString().isEmpty());
                }
            }
        }
        QVERIFY(found);
        const Response added =
            call("POST", QStringLiteral("/api/v1/webhooks/events"),
                 "{\"name\":\"parcel.shipped\",\"kind\":\"parcel\",\"description\":\"Shipped\",\"sample\":{\"id\":1}}");
        QCOMPARE(added.status, 201);
        QVERIFY(call("GET", QStringLiteral("/api/v1/webhooks/events")).raw.contains("parcel.shipped"));
        QCOMPARE(call("POST", QStringLiteral("/api/v1/webhooks/events"), "{\"name\":\"parcel.shipped\"}").status, 409);
        // Only a name: the kind comes from it, the description is empty (once a 503 from a NOT NULL column).
        const Response bare = call("POST", QStringLiteral("/api/v1/webhooks/events"), "{\"name\":\"parcel.returned\"}");
        QCOMPARE(bare.status, 201);
        QCOMPARE(bare.data().toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("parcel"));
        QCOMPARE(bare.data().toObject().value(QStringLiteral("description")).toString(), QString());
    }

    void ingestReachesTheReceiverOnce()
    {
        TlsReceiver::Reply reply;
        reply.status = 200;
        m_receiver.setDefaultReply(reply);
        m_receiver.clearRequests();
        const qint64 id = createWebhook(m_receiver.url());
        // The data goes out as it was sent: an id beyond a double's 53 bits keeps all its digits.
        const QByteArray data = "{\"invoice\":{\"id\":\"inv_9\",\"number\":12345678901234567890123}}";
        const QByteArray event = "{\"type\":\"invoice.paid\",\"data\":" + data + "}";
        const Response first = call("POST", QStringLiteral("/api/v1/events"), event, std::nullopt, "application/json",
                                    {{"Idempotency-Key", "order-77"}});
        QCOMPARE(first.status, 202);
        const QJsonArray deliveries = first.data().toObject().value(QStringLiteral("deliveries")).toArray();
        QVERIFY(!deliveries.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver.requestCount(), int(deliveries.size()), 15000);
        QVERIFY2(m_receiver.requests().first().body.endsWith(QByteArray(",\"data\":" + data + "}")),
                 m_receiver.requests().first().body.constData());

        const Response again = call("POST", QStringLiteral("/api/v1/events"), event, std::nullopt, "application/json",
                                    {{"Idempotency-Key", "order-77"}});
        QCOMPARE(again.status, 202);
        QCOMPARE(again.data().toObject().value(QStringLiteral("event_id")),
                 first.data().toObject().value(QStringLiteral("event_id")));
        QCOMPARE(again.data().toObject().value(QStringLiteral("duplicate")).toBool(), true);
        QTest::qWait(500);
        QCOMPARE(m_receiver.requestCount(), int(deliveries.size()));

        // The delivery log over the API.
        const qint64 deliveryId = deliveries.first().toInteger();
        QTRY_COMPARE_WITH_TIMEOUT(call("GET", QStringLiteral("/api/v1/deliveries/%1").arg(deliveryId))
                                      .data()
                                      .toObject()
                                      .value(QStringLiteral("status"))
                                      .toString(),
                                  QStringLiteral("succeeded"), 10000);
        const QJsonObject detail =
            call("GET", QStringLiteral("/api/v1/deliveries/%1").arg(deliveryId)).data().toObject();
        QCOMPARE(detail.value(QStringLiteral("attempts"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("status_code"))
                     .toInt(),
                 200);
        const Response filtered = call("GET", QStringLiteral("/api/v1/deliveries?webhook=%1&status=succeeded").arg(id));
        QCOMPARE(filtered.status, 200);
        QVERIFY(filtered.data().toArray().size() >= 1);
        QCOMPARE(call("GET", QStringLiteral("/api/v1/deliveries?status=lost")).status, 422);

        // Resend goes out again, with the same webhook-id.
        QCOMPARE(call("POST", QStringLiteral("/api/v1/deliveries/%1/resend").arg(deliveryId)).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver.requestCount(), int(deliveries.size()) + 1, 10000);
        QCOMPARE(m_receiver.requests().last().header("webhook-id"), m_receiver.requests().first().header("webhook-id"));

        // Test send answers with the attempt.
        const Response test = call("POST", QStringLiteral("/api/v1/webhooks/%1/test").arg(id));
        QCOMPARE(test.status, 200);
        QCOMPARE(test.data().toObject().value(QStringLiteral("status_code")).toInt(), 200);
        QCOMPARE(test.data().toObject().value(QStringLiteral("trigger")).toString(), QStringLiteral("test"));

        // Recover requeues failed deliveries since a time (none failed here).
        const Response recovered =
            call("POST", QStringLiteral("/api/v1/webhooks/%1/recover").arg(id), "{\"since\":\"2020-01-01T00:00:00Z\"}");
        QCOMPARE(recovered.status, 202);
        QCOMPARE(recovered.data().toObject().value(QStringLiteral("requeued")).toInt(), 0);
        QCOMPARE(call("POST", QStringLiteral("/api/v1/webhooks/%1/recover").arg(id), "{\"since\":\"soon\"}").status,
                 422);
    }

    void tlsAndPortConflicts()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        QProcess tls;
        tls.start(QStringLiteral(OUTHOOKD_PATH),
                  {QStringLiteral("--db"), m_db, QStringLiteral("serve"), QStringLiteral("--api"),
                   QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--api-cert"), m_pki.serverCertFile(),
                   QStringLiteral("--api-key"), m_pki.serverKeyFile()});
        QVERIFY(tls.waitForStarted());
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_pki.caFile()));
        const auto get = [&] {
            QNetworkRequest req(QUrl(QStringLiteral("https://localhost:%1/api/v1/webhooks").arg(port)));
            req.setSslConfiguration(ssl);
            req.setRawHeader("Authorization", "Bearer " + m_adminKey.toLatin1());
            QNetworkReply* reply = m_net.get(req);
            QSignalSpy done(reply, &QNetworkReply::finished);
            done.wait(10000);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            reply->deleteLater();
            return status;
        };
        QTRY_COMPARE_WITH_TIMEOUT(get(), 200, 15000);

        // A second serve on the same port says why it cannot start.
        QProcess second;
        second.start(QStringLiteral(OUTHOOKD_PATH),
                     {QStringLiteral("--db"), m_db, QStringLiteral("serve"), QStringLiteral("--api"),
                      QStringLiteral("127.0.0.1:%1").arg(port)});
        QVERIFY(second.waitForFinished(15000));
        QCOMPARE(second.exitCode(), 1);
        QVERIFY(second.readAllStandardError().contains("Cannot listen on 127.0.0.1"));
        tls.terminate();
        QVERIFY(tls.waitForFinished(15000));
    }

    // Clients that send events and hang up before their answer (wrk does at the end of a run) must not
    // take the server down: the answer comes after the group commit, when the connection may be gone.
    void clientsHangingUpBeforeTheirAnswer()
    {
        createWebhook(m_receiver.url());
        const QByteArray event = "{\"type\":\"invoice.paid\",\"data\":{}}";
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int round = 0; round < 20; ++round) {
            for (int i = 0; i < 10; ++i) {
                auto s = std::make_unique<QTcpSocket>();
                s->connectToHost(QHostAddress::LocalHost, m_port);
                QVERIFY(s->waitForConnected(5000));
                s->write("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                         m_adminKey.toLatin1() + "\r\nContent-Type: application/json\r\nContent-Length: " +
                         QByteArray::number(event.size()) + "\r\n\r\n" + event);
                QVERIFY(s->waitForBytesWritten(5000));
                clients.push_back(std::move(s));
            }
            QTest::qWait(round % 3); // hang up before, during and after the commit
            for (auto& s : clients)
                s->abort();
            clients.clear();
        }
        QCOMPARE(call("GET", QStringLiteral("/api/v1/webhooks")).status, 200);
        QCOMPARE(m_serve.state(), QProcess::Running);
    }

    // Answers go straight to the socket when nothing waits before them. On one kept connection: a HEAD
    // answer has the headers and no body, and an answer far larger than the socket takes at once, read
    // slowly by the client, arrives whole and in order before the next one.
    void answersOnOneKeptConnection()
    {
        createWebhook(m_receiver.url());
        const QByteArray pad(200 * 1024, 'x');
        const Response emitted = call("POST", QStringLiteral("/api/v1/events"),
                                      "{\"type\":\"invoice.paid\",\"data\":{\"pad\":\"" + pad + "\"}}");
        QCOMPARE(emitted.status, 202);
        const qint64 deliveryId =
            emitted.data().toObject().value(QStringLiteral("deliveries")).toArray().first().toInteger();
        QVERIFY(deliveryId > 0);

        QTcpSocket client;
        client.setReadBufferSize(4096); // Qt stops reading there, and the kernel's buffers fill up
        client.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(client.waitForConnected(5000));
        client.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        const QByteArray auth = "Authorization: Bearer " + m_adminKey.toLatin1() + "\r\n";
        QByteArray received;
        // Reads one answer: its head, then exactly Content-Length bytes unless it answers a HEAD.
        const auto readAnswer = [&](bool head, QByteArray& status, QByteArray& body) {
            qsizetype end = -1;
            received += client.readAll();
            while ((end = received.indexOf("\r\n\r\n")) < 0 && client.waitForReadyRead(5000))
                received += client.readAll();
            QVERIFY2(end > 0, qPrintable(client.errorString() + QString::fromLatin1(received.left(300))));
            const QByteArray headPart = received.left(end);
            status = headPart.left(headPart.indexOf("\r\n"));
            qsizetype length = -1;
            for (const QByteArray& line : headPart.split('\n'))
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            QVERIFY(length >= 0);
            received.remove(0, end + 4);
            const qsizetype want = head ? 0 : length;
            received += client.readAll();
            while (received.size() < want && client.waitForReadyRead(5000))
                received += client.readAll();
            QVERIFY(received.size() >= want);
            body = received.left(want);
            received.remove(0, want);
            if (head)
                body = QByteArray::number(length);
        };

        QByteArray status, body;
        client.write("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(client.waitForBytesWritten(5000));
        readAnswer(true, status, body);
        QCOMPARE(status, QByteArray("HTTP/1.1 200 OK"));
        const QByteArray headLength = body;

        client.write("GET /api/v1/deliveries/" + QByteArray::number(deliveryId) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                     auth + "\r\n");
        QVERIFY(client.waitForBytesWritten(5000));
        QTest::qWait(200); // the server meets a full socket buffer meanwhile
        readAnswer(false, status, body);
        QCOMPARE(status, QByteArray("HTTP/1.1 200 OK"));
        QVERIFY2(body.size() > 200 * 1024, QByteArray::number(body.size()).constData());
        const QJsonObject delivery = QJsonDocument::fromJson(body).object().value(QStringLiteral("data")).toObject();
        QCOMPARE(delivery.value(QStringLiteral("id")).toInteger(), deliveryId);
        QVERIFY(delivery.value(QStringLiteral("payload"))
                    .toObject()
                    .value(QStringLiteral("data"))
                    .toObject()
                    .value(QStringLiteral("pad")) == QString::fromLatin1(pad));

        client.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(client.waitForBytesWritten(5000));
        readAnswer(false, status, body);
        QCOMPARE(status, QByteArray("HTTP/1.1 200 OK"));
        QCOMPARE(QByteArray::number(body.size()), headLength); // HEAD told the GET answer's length
        QCOMPARE(QJsonDocument::fromJson(body).object().value(QStringLiteral("status")).toString(),
                 QStringLiteral("ok"));
        QVERIFY(received.isEmpty());
    }

    void revokedKeyIsRefused()
    {
        const QJsonObject key =
            QJsonDocument::fromJson(
                runCli({QStringLiteral("apikeys"), QStringLiteral("create"), QStringLiteral("--name"),
                        QStringLiteral("temp"), QStringLiteral("--scopes"), QStringLiteral("webhooks:read"),
                        QStringLiteral("--json")})
                    .toUtf8())
                .object();
        const QString secret = key.value(QStringLiteral("key")).toString();
        QCOMPARE(call("GET", QStringLiteral("/api/v1/webhooks"), {}, secret).status, 200);
        runCli({QStringLiteral("apikeys"), QStringLiteral("revoke"),
                QString::number(key.value(QStringLiteral("id")).toInteger())});
        QCOMPARE(call("GET", QStringLiteral("/api/v1/webhooks"), {}, secret).status, 401);
    }
};

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
