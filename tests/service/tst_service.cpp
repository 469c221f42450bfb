#include "CliRunner.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

#include <csignal>

using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// `outhookd serve` as a service: health, readiness, metrics, JSON logs and signals.
class TestService : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    QString m_dataDir;
    QString m_db;
    QString m_config;
    TlsReceiver m_receiver{m_pki};
    QProcess m_serve;
    QByteArray m_log; // everything serve wrote on stderr
    quint16 m_port = 0;
    QString m_adminKey;
    QString m_metricsKey;
    QStringList m_secrets; // must never reach the log
    QNetworkAccessManager m_net;
    QHash<quint16, int> m_answered; // calls each port's server answered: each leaves one access-log line

    struct Response
    {
        int status = 0;
        QByteArray body;
        QByteArray contentType;
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    };

    Response call(const QByteArray& method, const QString& path, const QString& key = {}, const QByteArray& body = {})
    {
        QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)));
        if (!key.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + key.toLatin1());
        if (!body.isEmpty())
            req.setRawHeader("Content-Type", "application/json");
        QNetworkReply* reply = m_net.sendCustomRequest(req, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(30000);
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.contentType = reply->rawHeader("Content-Type");
        if (r.status != 0)
            ++m_answered[m_port];
        reply->deleteLater();
        return r;
    }

    QJsonValue cli(const QStringList& args)
    {
        const CliResult r =
            runOuthookd(QStringList{QStringLiteral("--db"), m_db} + args + QStringList{QStringLiteral("--json")});
        const QJsonDocument doc = QJsonDocument::fromJson(r.out);
        return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    }

    // Parses the text exposition format: every sample line must be `name{labels} value`, and every
    // family must have a TYPE. Returns "name{labels}" → value; fails the test on anything else.
    static QMap<QString, double> parseMetrics(const QByteArray& text, bool* ok)
    {
        static const QRegularExpression sample(
            QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|\\+Inf|NaN)$"));
        static const QRegularExpression type(
            QStringLiteral("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
        QMap<QString, double> values;
        QSet<QString> typed;
        *ok = text.endsWith('\n');
        for (const QString& line : QString::fromUtf8(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            if (const auto t = type.match(line); t.hasMatch()) {
                typed.insert(t.captured(1));
                continue;
            }
            if (line.startsWith(QLatin1String("# HELP ")))
                continue;
            const auto m = sample.match(line);
            if (!m.hasMatch()) {
                qWarning("not a sample line: %s", qPrintable(line));
                *ok = false;
                continue;
            }
            QString family = m.captured(1);
            for (const char* suffix : {"_bucket", "_sum", "_count"})
                if (!typed.contains(family) && family.endsWith(QLatin1String(suffix)))
                    family.chop(qsizetype(qstrlen(suffix)));
            if (!typed.contains(family)) {
                qWarning("no TYPE for %s", qPrintable(family));
                *ok = false;
            }
            values.insert(m.captured(1) + m.captured(2), m.captured(3).toDouble());
        }
        return values;
    }

    QMap<QString, double> metrics()
    {
        const Response r = call("GET", QStringLiteral("/metrics"), m_metricsKey);
        bool ok = false;
        const auto values = parseMetrics(r.body, &ok);
        if (r.status != 200 || !ok || !r.contentType.startsWith("text/plain; version=0.0.4"))
            return {};
        return values;
    }

    qint64 createWebhook(const QString& url, int retryCount)
    {
        const QJsonObject body{{QStringLiteral("url"), url},
                               {QStringLiteral("events"), QJsonArray{QStringLiteral("invoice.paid")}},
                               {QStringLiteral("is_active"), true},
                               {QStringLiteral("retry_count"), retryCount}};
        const QJsonObject data =
            QJsonDocument::fromJson(
                call("POST", QStringLiteral("/api/v1/webhooks"), m_adminKey, QJsonDocument(body).toJson()).body)
                .object()
                .value(QStringLiteral("data"))
                .toObject();
        m_secrets << data.value(QStringLiteral("secret")).toString();
        return data.value(QStringLiteral("id")).toInteger();
    }

    void emitEvents(int n)
    {
        for (int i = 0; i < n; ++i)
            call("POST", QStringLiteral("/api/v1/events"), m_adminKey,
                 "{\"type\":\"invoice.paid\",\"data\":{\"n\":" + QByteArray::number(i) + "}}");
    }

    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    bool writeConfig(const QByteArray& logFormat)
    {
        QFile f(m_config);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write("[database]\nurl = " + m_db.toUtf8() + "\n[api]\nlisten = 127.0.0.1:" + QByteArray::number(m_port) +
                "\n[delivery]\nca_files = " + m_pki.caFile().toUtf8() +
                "\nallowed_destinations = 127.0.0.0/8\nshutdown_timeout = 3s\n[log]\nformat = " + logFormat + "\n");
        return true;
    }

    QStringList logLines()
    {
        m_log += m_serve.readAllStandardError();
        return QString::fromUtf8(m_log).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pki.isValid());
        QVERIFY(m_receiver.listen());
        m_dataDir = m_dir.filePath(QStringLiteral("data"));
        QVERIFY(QDir().mkpath(m_dataDir));
        m_db = m_dataDir + QStringLiteral("/service.db");
        m_config = m_dir.filePath(QStringLiteral("outhookd.conf"));
        m_adminKey = cli({QStringLiteral("apikeys"), QStringLiteral("create"), QStringLiteral("--name"),
                          QStringLiteral("admin"), QStringLiteral("--scopes"),
                          QStringLiteral("webhooks:read,webhooks:write,events:write,deliveries:read")})
                         .toObject()
                         .value(QStringLiteral("key"))
                         .toString();
        m_metricsKey = cli({QStringLiteral("apikeys"), QStringLiteral("create"), QStringLiteral("--name"),
                            QStringLiteral("prometheus"), QStringLiteral("--scopes"), QStringLiteral("metrics:read")})
                           .toObject()
                           .value(QStringLiteral("key"))
                           .toString();
        QVERIFY(m_adminKey.startsWith(QLatin1String("ohk_")));
        QVERIFY(m_metricsKey.startsWith(QLatin1String("ohk_")));
        m_secrets << m_adminKey << m_metricsKey;

        // Everything comes from the config file, JSON logs included.
        m_port = freePort();
        QVERIFY(writeConfig("json"));
        m_serve.start(QStringLiteral(OUTHOOKD_PATH), {QStringLiteral("--config"), m_config, QStringLiteral("serve")});
        QVERIFY(m_serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(call("GET", QStringLiteral("/healthz")).status == 200, 15000);
    }
    void cleanupTestCase()
    {
        if (m_serve.state() == QProcess::NotRunning)
            return;
        m_serve.terminate();
        QVERIFY(m_serve.waitForFinished(15000));
        QCOMPARE(m_serve.exitCode(), 0);
    }

    void healthNeedsNoKey_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("liveness") << "/healthz" << QByteArray("{\"status\":\"ok\"}");
        QTest::newRow("readiness") << "/readyz" << QByteArray("{\"status\":\"ready\"}");
    }
    void healthNeedsNoKey()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        const Response r = call("GET", path);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, body);
        QCOMPARE(call("POST", path).status, 405);
    }

    void metricsNeedsItsScope_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("status");
        QTest::newRow("no key") << QString() << 401;
        QTest::newRow("admin key lacks metrics:read") << "ADMIN" << 403;
        QTest::newRow("metrics key") << "METRICS" << 200;
    }
    void metricsNeedsItsScope()
    {
        QFETCH(QString, key);
        QFETCH(int, status);
        const QString k = key == QLatin1String("ADMIN")     ? m_adminKey
                          : key == QLatin1String("METRICS") ? m_metricsKey
                                                            : key;
        QCOMPARE(call("GET", QStringLiteral("/metrics"), k).status, status);
    }

    void metricsCountExactlyTheDeliveries()
    {
        const auto before = metrics();
        QVERIFY(!before.isEmpty());
        const QString ok2xx = QStringLiteral("outhook_attempts_total{status_class=\"2xx\",error_class=\"none\"}");
        const QString bad5xx =
            QStringLiteral("outhook_attempts_total{status_class=\"5xx\",error_class=\"http_status\"}");
        const QString succeeded = QStringLiteral("outhook_deliveries_total{outcome=\"succeeded\"}");
        const QString failed = QStringLiteral("outhook_deliveries_total{outcome=\"failed\"}");
        const QString count = QStringLiteral("outhook_delivery_duration_seconds_count");
        const QString inf = QStringLiteral("outhook_delivery_duration_seconds_bucket{le=\"+Inf\"}");

        const qint64 hook = createWebhook(m_receiver.url(), 0);
        QVERIFY(hook > 0);
        const int received = m_receiver.requestCount();
        emitEvents(3);
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver.requestCount(), received + 3, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(metrics().value(succeeded), before.value(succeeded) + 3, 10000);

        // One failure: 503 with no retries left fails the delivery and starts the webhook's streak.
        TlsReceiver::Reply unavailable;
        unavailable.status = 503;
        m_receiver.enqueueReply(unavailable);
        emitEvents(1);
        QTRY_COMPARE_WITH_TIMEOUT(metrics().value(failed), before.value(failed) + 1, 15000);
        QTest::qWait(1500); // nothing else may move
        const auto after = metrics();
        QCOMPARE(after.value(succeeded), before.value(succeeded) + 3);
        QCOMPARE(after.value(failed), before.value(failed) + 1);
        QCOMPARE(after.value(ok2xx), before.value(ok2xx) + 3);
        QVERIFY2(after.contains(bad5xx), qPrintable(QStringList(after.keys()).join(QLatin1Char('\n'))));
        QCOMPARE(after.value(bad5xx), before.value(bad5xx) + 1);
        QCOMPARE(after.value(count), before.value(count) + 4);
        QCOMPARE(after.value(inf), after.value(count));
        QCOMPARE(after.value(QStringLiteral("outhook_inflight_requests")), 0.0);
        QCOMPARE(after.value(QStringLiteral("outhook_queue_due")), 0.0);
        QCOMPARE(after.value(QStringLiteral("outhook_webhook_consecutive_failures{webhook_id=\"%1\"}").arg(hook)), 1.0);
        // Labels name webhooks by id only.
        const QByteArray raw = call("GET", QStringLiteral("/metrics"), m_metricsKey).body;
        QVERIFY(!raw.contains("localhost"));
        for (const QString& s : std::as_const(m_secrets))
            QVERIFY(!raw.contains(s.toUtf8()));
    }

    void readinessFollowsTheDatabase()
    {
        QCOMPARE(call("GET", QStringLiteral("/readyz")).status, 200);
        const QString moved = m_dataDir + QStringLiteral("-moved");
        QVERIFY(QDir().rename(m_dataDir, moved));
        const Response down = call("GET", QStringLiteral("/readyz"));
        QVERIFY(QDir().rename(moved, m_dataDir));
        QCOMPARE(down.status, 503);
        QCOMPARE(down.json(), (QJsonObject{{QStringLiteral("status"), QStringLiteral("unready")},
                                           {QStringLiteral("reason"), QStringLiteral("database unreachable")}}));
        QCOMPARE(call("GET", QStringLiteral("/healthz")).status, 200); // alive all along
        QTRY_COMPARE_WITH_TIMEOUT(call("GET", QStringLiteral("/readyz")).status, 200, 5000);
    }

    void jsonLogsCarryNoSecrets()
    {
        call("GET", QStringLiteral("/api/v1/webhooks"), m_adminKey);
        QTest::qWait(200);
        const QStringList lines = logLines();
        QVERIFY(lines.size() >= 3);
        static const QRegularExpression iso(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"));
        bool sawRequest = false;
        for (const QString& line : lines) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8(), &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(line));
            QVERIFY2(iso.match(o.value(QStringLiteral("ts")).toString()).hasMatch(), qPrintable(line));
            QVERIFY(!o.value(QStringLiteral("level")).toString().isEmpty());
            QVERIFY(!o.value(QStringLiteral("msg")).toString().isEmpty());
            for (const QString& s : std::as_const(m_secrets))
                QVERIFY2(!line.contains(s), qPrintable(line));
            QVERIFY(!line.contains(QLatin1String("Bearer")));
            if (o.value(QStringLiteral("path")) == QLatin1String("/api/v1/webhooks") &&
                o.value(QStringLiteral("method")) == QLatin1String("GET")) {
                sawRequest = o.value(QStringLiteral("status")).toInt() == 200 &&
                             o.value(QStringLiteral("request_id")).toString().startsWith(QLatin1String("req_")) &&
                             o.contains(QStringLiteral("duration_ms"));
            }
        }
        QVERIFY(sawRequest);
    }

    // SIGHUP re-reads the file: the log format switches; a broken file is refused and changes nothing.
    void reloadOnSighup()
    {
        QVERIFY(writeConfig("bogus"));
        ::kill(pid_t(m_serve.processId()), SIGHUP);
        QTRY_VERIFY_WITH_TIMEOUT(logLines().join(QLatin1Char('\n')).contains(QLatin1String("reload refused")), 5000);
        QVERIFY(writeConfig("text"));
        ::kill(pid_t(m_serve.processId()), SIGHUP);
        QTRY_VERIFY_WITH_TIMEOUT(logLines().last().startsWith(QLatin1String("outhookd: configuration reloaded")), 5000);
        call("GET", QStringLiteral("/healthz"));
        static const QRegularExpression textLine(
            QStringLiteral("^outhookd: GET /healthz 200 method=GET path=/healthz status=200 "
                           "request_id=req_[A-Za-z0-9_-]{12} duration_ms=\\d+$"));
        QTRY_VERIFY_WITH_TIMEOUT(textLine.match(logLines().last()).hasMatch(), 5000);
        QVERIFY(writeConfig("json"));
        ::kill(pid_t(m_serve.processId()), SIGHUP);
        QTRY_VERIFY_WITH_TIMEOUT(logLines().last().startsWith(QLatin1Char('{')), 5000);
    }

    // `serve --api --no-engine`: an ingest node that takes events (202 after the commit) and sends nothing;
    // SIGTERM ends it at once, and the next engine sends what it took.
    void apiOnlyNodeSendsNothing()
    {
        const CliResult refused =
            runOuthookd({QStringLiteral("--db"), m_db, QStringLiteral("serve"), QStringLiteral("--no-engine")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("--no-engine needs --api"), refused.err.constData());

        TlsReceiver receiver(m_pki);
        QVERIFY(receiver.listen());
        const QString db = m_dir.filePath(QStringLiteral("ingest-node.db"));
        const auto local = [&](const QStringList& args) {
            return runOuthookd(QStringList{QStringLiteral("--db"), db} + args + QStringList{QStringLiteral("--json")});
        };
        QCOMPARE(local({QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--name"),
                        QStringLiteral("r"), QStringLiteral("--url"), receiver.url(), QStringLiteral("--events"),
                        QStringLiteral("invoice.paid"), QStringLiteral("--active")})
                     .exitCode,
                 0);
        const QString key = QJsonDocument::fromJson(local({QStringLiteral("apikeys"), QStringLiteral("create"),
                                                           QStringLiteral("--name"), QStringLiteral("ingest"),
                                                           QStringLiteral("--scopes"), QStringLiteral("events:write")})
                                                        .out)
                                .object()
                                .value(QStringLiteral("key"))
                                .toString();
        const quint16 port = freePort();
        QProcess node;
        node.start(QStringLiteral(OUTHOOKD_PATH),
                   {QStringLiteral("--db"), db, QStringLiteral("--ca-file"), m_pki.caFile(),
                    QStringLiteral("--allow-destination"), QStringLiteral("127.0.0.0/8"), QStringLiteral("serve"),
                    QStringLiteral("--api"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--no-engine")});
        QVERIFY(node.waitForStarted());
        const quint16 mainPort = std::exchange(m_port, port);
        QTRY_COMPARE_WITH_TIMEOUT(call("GET", QStringLiteral("/healthz")).status, 200, 10000);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(
                call("POST", QStringLiteral("/api/v1/events"), key, "{\"type\":\"invoice.paid\",\"data\":{}}").status,
                202);
        m_port = mainPort;
        QTest::qWait(1500); // an engine would have looked (and sent) within a second
        QCOMPARE(receiver.requestCount(), 0);
        QElapsedTimer t;
        t.start();
        node.terminate();
        QVERIFY(node.waitForFinished(5000));
        const QByteArray nodeLog = node.readAllStandardError();
        QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(node.exitStatus() == QProcess::NormalExit && node.exitCode() == 0, nodeLog.constData());
        QVERIFY2(nodeLog.contains("API only"), nodeLog.constData());
        QCOMPARE(nodeLog.count("request_id"), m_answered.value(port)); // the access lines, at exit too

        const CliResult run =
            runOuthookdServing({QStringLiteral("--db"), db, QStringLiteral("--ca-file"), m_pki.caFile(),
                                QStringLiteral("--allow-destination"), QStringLiteral("127.0.0.0/8"),
                                QStringLiteral("dispatch"), QStringLiteral("--until-idle")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(receiver.requestCount(), 5);
    }

    // SIGTERM with requests stuck at a receiver that never answers: the process leaves within the
    // shutdown timeout (3s) and every delivery can still be sent.
    void sigtermDrainsAndLosesNothing()
    {
        TlsReceiver slow(m_pki);
        QVERIFY(slow.listen());
        TlsReceiver::Reply never;
        never.behavior = TlsReceiver::Reply::Behavior::NeverAnswer;
        slow.setDefaultReply(never);
        const qint64 hook = createWebhook(slow.url(), 3);
        QVERIFY(hook > 0);
        emitEvents(3);
        QTRY_COMPARE_WITH_TIMEOUT(slow.requestCount(), 3, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(metrics().value(QStringLiteral("outhook_inflight_requests")), 3.0, 5000);

        QElapsedTimer t;
        t.start();
        m_serve.terminate();
        while (m_serve.state() != QProcess::NotRunning && t.elapsed() < 15000)
            QTest::qWait(20);
        QCOMPARE(m_serve.state(), QProcess::NotRunning);
        QVERIFY2(t.elapsed() < 3000 + 2000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(t.elapsed() >= 2500); // it did wait for the requests
        QCOMPARE(m_serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_serve.exitCode(), 0);
        // Access-log lines are written a pass of the event loop at a time: all are there after the exit,
        // the last answers' too.
        const QStringList lines = logLines();
        QCOMPARE(std::count_if(lines.cbegin(), lines.cend(),
                               [](const QString& l) { return l.contains(QLatin1String("request_id")); }),
                 m_answered.value(m_port));

        // Nothing lost: each delivery is due again (or was recorded), and the next run sends all three.
        const QJsonArray deliveries = cli({QStringLiteral("deliveries"), QStringLiteral("list"),
                                           QStringLiteral("--webhook"), QString::number(hook)})
                                          .toArray();
        QCOMPARE(deliveries.size(), 3);
        for (const QJsonValue& d : deliveries)
            QVERIFY2(d[QStringLiteral("status")] != QLatin1String("failed"),
                     QJsonDocument(d.toObject()).toJson().constData());
        slow.setDefaultReply(TlsReceiver::Reply());
        slow.dropConnections();
        const CliResult run = runOuthookdServing(
            {QStringLiteral("--config"), m_config, QStringLiteral("dispatch"), QStringLiteral("--until-idle")});
        QCOMPARE(run.exitCode, 0);
        for (const QJsonValue& d : cli({QStringLiteral("deliveries"), QStringLiteral("list"),
                                        QStringLiteral("--webhook"), QString::number(hook)})
                                       .toArray())
            QCOMPARE(d[QStringLiteral("status")].toString(), QStringLiteral("succeeded"));
    }
};

QTEST_MAIN(TestService)
#include "tst_service.moc"
