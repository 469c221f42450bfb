#include "api/ApiTypes.h"
#include "model/HeaderList.h"
#include "model/RetrySchedule.h"
#include "model/Webhook.h"
#include "model/WebhookJson.h"
#include "signing/Secret.h"
#include "storage/DatabaseUrl.h"
#include "util/Json.h"
#include "util/Time.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace outhook;

class TestModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void duration_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("seconds"); // -1: refused
        QTest::newRow("bare") << "45" << qint64(45);
        QTest::newRow("s") << "30s" << qint64(30);
        QTest::newRow("m") << "5m" << qint64(300);
        QTest::newRow("h") << "2H" << qint64(7200);
        QTest::newRow("d") << "1d" << qint64(86400);
        QTest::newRow("spaces") << " 10m " << qint64(600);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("negative") << "-5m" << qint64(-1);
        QTest::newRow("unit only") << "m" << qint64(-1);
        QTest::newRow("unknown unit") << "5w" << qint64(-1);
        QTest::newRow("fraction") << "1.5m" << qint64(-1);
        QTest::newRow("huge") << "99999999999999" << qint64(-1);
    }
    void duration()
    {
        QFETCH(QString, text);
        QFETCH(qint64, seconds);
        const auto got = time::parseDurationSeconds(text);
        QCOMPARE(got.value_or(-1), seconds);
    }

    void retrySchedule()
    {
        const auto s = RetrySchedule::parse(QStringLiteral("5m,10m, 20m"));
        QVERIFY(s);
        QCOMPARE(s->delaysSeconds(), (QList<qint64>{300, 600, 1200}));
        QCOMPARE(*s, RetrySchedule::defaultSchedule());
        QCOMPARE(s->retryCount(), 3);
        QCOMPARE(s->maxAttempts(), 4);
        QCOMPARE(s->delayBeforeAttempt(1), std::nullopt);
        QCOMPARE(s->delayBeforeAttempt(2), std::optional<qint64>(300));
        QCOMPARE(s->delayBeforeAttempt(4), std::optional<qint64>(1200));
        QCOMPARE(s->delayBeforeAttempt(5), std::nullopt);
        QCOMPARE(s->toString(), QStringLiteral("5m,10m,20m"));
        QCOMPARE(RetrySchedule::fromStorageString(s->toStorageString()), s);
        QCOMPARE(RetrySchedule::parse(QStringLiteral("none"))->retryCount(), 0);
        QVERIFY(!RetrySchedule::parse(QStringLiteral("5m,,x")));
    }

    void headerLine_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::newRow("plain") << "X-Key: abc" << true << "X-Key"
                               << "abc";
        QTest::newRow("no space") << "X-Key:abc" << true << "X-Key"
                                  << "abc";
        QTest::newRow("colon in value") << "X-Url: https://a/b" << true << "X-Url"
                                        << "https://a/b";
        QTest::newRow("empty value") << "X-Empty:" << true << "X-Empty"
                                     << "";
        QTest::newRow("no colon") << "X-Key abc" << false << ""
                                  << "";
    }
    void headerLine()
    {
        QFETCH(QString, line);
        QFETCH(bool, ok);
        QFETCH(QString, name);
        QFETCH(QString, value);
        Header h;
        QCOMPARE(headers::parseLine(line, &h), ok);
        if (ok) {
            QCOMPARE(h.name, name);
            QCOMPARE(h.value, value);
        }
    }

    // The attempt log stores headers as JSON written by hand; it must read back as the JSON Qt would write.
    void storedHeadersAreJson_data()
    {
        QTest::addColumn<RawHeaders>("headers");
        QTest::newRow("none") << RawHeaders{};
        QTest::newRow("plain") << RawHeaders{{"Content-Type", "application/json"}, {"X-Empty", ""}};
        QTest::newRow("quotes and backslashes") << RawHeaders{{"X-Q", "a \"b\" \\c\\"}};
        QTest::newRow("control characters") << RawHeaders{{"X-C", QByteArray("\x01\x1f\x7f\t\r\n\b\f", 8)}};
        QTest::newRow("utf-8 value") << RawHeaders{{"X-U", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}};
        QTest::newRow("latin-1 name") << RawHeaders{{"X-\xe9", "v"}};
        QTest::newRow("invalid utf-8") << RawHeaders{{"X-I", "a\xff\xfe"
                                                             "b"}};
    }
    void storedHeadersAreJson()
    {
        QFETCH(RawHeaders, headers);
        QJsonArray expected;
        for (const auto& [k, v] : headers)
            expected.append(QJsonArray{QString::fromLatin1(k), QString::fromUtf8(v)});
        QJsonParseError error;
        const QJsonDocument written = QJsonDocument::fromJson(headers::rawToJson(headers).toUtf8(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(written.array(), expected);
        if (qstrcmp(QTest::currentDataTag(), "invalid utf-8") != 0) // invalid UTF-8 comes back replaced
            QCOMPARE(headers::rawFromJson(headers::rawToJson(headers)), headers);
    }

    // The hand-written JSON string is byte for byte what QJsonDocument writes: every ASCII character alone,
    // then mixed text with UTF-8.
    void jsonStringMatchesQJsonDocument()
    {
        QList<QByteArray> samples;
        for (int c = 0; c < 0x80; ++c)
            samples.append(QByteArray(1, char(c)) + "x");
        samples.append(QByteArrayLiteral("plain"));
        samples.append(QStringLiteral("caf\u00e9 \u2603 \\ \"q\" \t\r\n\x01").toUtf8());
        samples.append(QByteArray());
        for (const QByteArray& s : std::as_const(samples)) {
            QByteArray mine;
            json::appendString(mine, s);
            const QByteArray theirs =
                QJsonDocument(QJsonArray{QString::fromUtf8(s)}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
            QCOMPARE(mine, theirs);
        }
    }

    // The envelope's timestamp is formatted without QDateTime; it must be Qt's text for every instant, at
    // the edges of days, leap years and the four-digit years, and outside them (where Qt's formatter is used).
    void isoBytesMatchesQDateTime()
    {
        QList<qint64> samples{0,
                              -1,
                              1,
                              999,
                              1000,
                              86399999,
                              86400000,
                              -86400000,
                              -86400001,
                              951782400000,     // 2000-02-29, a leap day of a century year
                              4107542399999,    // 2100-02-28T23:59:59.999, which is not followed by a leap day
                              -62135596800000,  // 0001-01-01T00:00:00.000Z, the first year both write alike
                              -62135596800001,  // one millisecond before: Qt's year -1
                              253402300799999,  // 9999-12-31T23:59:59.999Z, the last four-digit instant
                              253402300800000}; // year 10000
        quint64 x = 0x9e3779b97f4a7c15ULL;
        for (int i = 0; i < 20000; ++i) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; // xorshift: repeatable, spread over +-10,000 years
            samples.append(qint64(x % 630000000000000ULL) - 315000000000000LL);
        }
        for (qint64 ms : std::as_const(samples))
            QCOMPARE(time::isoBytes(ms), time::toIso(ms).toLatin1());
    }

    void ingestAnswerMatchesJsonResponse_data()
    {
        QTest::addColumn<qint64>("eventId");
        QTest::addColumn<QList<qint64>>("ids");
        QTest::addColumn<bool>("duplicate");
        QTest::newRow("one") << qint64(1) << QList<qint64>{2} << false;
        QTest::newRow("none") << qint64(77) << QList<qint64>{} << false;
        QTest::newRow("fan-out") << qint64(123456789) << QList<qint64>{10, 11, 12, 9007199254740991} << false;
        QTest::newRow("duplicate") << qint64(5) << QList<qint64>{6, 7} << true;
    }

    // The ingest path writes its 202 by hand; a client must see the bytes the generic envelope writes.
    void ingestAnswerMatchesJsonResponse()
    {
        QFETCH(qint64, eventId);
        QFETCH(QList<qint64>, ids);
        QFETCH(bool, duplicate);
        QJsonArray array;
        for (qint64 id : ids)
            array.append(id);
        const QString requestId = QStringLiteral("req_Ab3\"x");
        const api::ApiResponse generic = api::jsonResponse(202,
                                                           QJsonObject{{QStringLiteral("event_id"), eventId},
                                                                       {QStringLiteral("deliveries"), array},
                                                                       {QStringLiteral("duplicate"), duplicate}},
                                                           requestId);
        const api::ApiResponse raw =
            api::jsonResponseRaw(202, api::ingestAnswerJson(eventId, ids, duplicate), requestId);
        QCOMPARE(raw.body, generic.body);
        QCOMPARE(raw.status, 202);
        QCOMPARE(raw.headers, generic.headers);
    }

    void secretFormat()
    {
        const QString a = signing::generateSecret();
        const QString b = signing::generateSecret();
        QVERIFY(a.startsWith(QLatin1String("whsec_")));
        QCOMPARE(signing::secretKey(a).size(), 32);
        QVERIFY(a != b);
        QVERIFY(signing::secretKey(QStringLiteral("whsec_***")).isEmpty());
    }

    void liveSecretsDuringGrace()
    {
        Webhook w;
        w.secret = QStringLiteral("whsec_new");
        w.previousSecret = QStringLiteral("whsec_old");
        w.previousSecretExpiresAt = 1000;
        QCOMPARE(w.liveSecrets(999), (QStringList{QStringLiteral("whsec_new"), QStringLiteral("whsec_old")}));
        QCOMPARE(w.liveSecrets(1000), QStringList{QStringLiteral("whsec_new")});
    }

    void jsonNeverShowsCredentials()
    {
        Webhook w;
        w.id = 7;
        w.auth = {AuthConfig::Type::Basic, QStringLiteral("alice"), QStringLiteral("hunter2"), {}};
        w.headers = {{QStringLiteral("X-Key"), QStringLiteral("topsecret"), true},
                     {QStringLiteral("X-Team"), QStringLiteral("billing"), false}};
        w.secret = QStringLiteral("whsec_abc");
        const QJsonObject hidden = json::webhookToJson(w, json::SecretVisibility::Hidden);
        const QByteArray text = QJsonDocument(hidden).toJson();
        QVERIFY(!text.contains("hunter2"));
        QVERIFY(!text.contains("topsecret"));
        QVERIFY(!text.contains("whsec_abc"));
        QCOMPARE(hidden.value(QStringLiteral("auth")).toObject().value(QStringLiteral("username")).toString(),
                 QStringLiteral("alice"));
        QCOMPARE(hidden.value(QStringLiteral("headers")).toObject().value(QStringLiteral("X-Team")).toString(),
                 QStringLiteral("billing"));
        QCOMPARE(hidden.value(QStringLiteral("retry_schedule")).toArray().size(), 3);
        QCOMPARE(json::webhookToJson(w, json::SecretVisibility::Shown).value(QStringLiteral("secret")).toString(),
                 QStringLiteral("whsec_abc"));
    }

    void databaseUrl_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<bool>("postgres");
        QTest::addColumn<QString>("detail"); // path, or host:port/db user
        QTest::newRow("plain path") << "/tmp/x.db" << true << false << "/tmp/x.db";
        QTest::newRow("sqlite url") << "sqlite:///var/lib/outhook/o.db" << true << false << "/var/lib/outhook/o.db";
        QTest::newRow("postgres") << "postgres://bob:pw@db.internal:6543/outhook" << true << true
                                  << "db.internal:6543/outhook bob";
        QTest::newRow("postgresql default port") << "postgresql://db/outhook" << true << true << "db:5432/outhook ";
        QTest::newRow("relative sqlite url") << "sqlite://rel.db" << false << false << "";
        QTest::newRow("postgres without db") << "postgres://host" << false << false << "";
        QTest::newRow("mysql") << "mysql://host/db" << false << false << "";
        QTest::newRow("empty") << "" << false << false << "";
    }
    void databaseUrl()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(bool, postgres);
        QFETCH(QString, detail);
        const auto url = DatabaseUrl::parse(text);
        QCOMPARE(url.ok(), ok);
        if (!ok) {
            QVERIFY(!url.error().message.isEmpty());
            return;
        }
        QCOMPARE(url->backend == DatabaseUrl::Backend::Postgres, postgres);
        if (postgres) {
            QCOMPARE(url->host + QLatin1Char(':') + QString::number(url->port) + QLatin1Char('/') + url->databaseName +
                         QLatin1Char(' ') + url->user,
                     detail);
            QVERIFY(!url->displayString().contains(QLatin1String("pw")));
        } else {
            QCOMPARE(url->path, detail);
        }
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "tst_model.moc"
