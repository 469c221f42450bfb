#include "CliRunner.h"
#include "DbFingerprint.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using outhook::test::DbFingerprint;

namespace {

constexpr int kUsage = 2;      // README: "2 usage error"
constexpr int kValidation = 3; // README: "3 validation error"

QString deep(int levels)
{
    return QStringLiteral("{\"a\":") + QString(levels, u'[') + QString(levels, u']') + QLatin1Char('}');
}

} // namespace

// Bad flags to a real outhookd process: the documented exit code, stderr naming the field, and the
// database file unchanged (every table hashed before and after).
class TestBadInputCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_db;
    int m_rows = 0;

    CliResult run(QStringList args)
    {
        args.prepend(m_db);
        args.prepend(QStringLiteral("--db"));
        return runOuthookd(args);
    }

    static QStringList add(const QStringList& extra)
    {
        QStringList args{QStringLiteral("webhooks"), QStringLiteral("add"),
                         QStringLiteral("--name"),   QStringLiteral("Billing"),
                         QStringLiteral("--url"),    QStringLiteral("https://hooks.example.com/b"),
                         QStringLiteral("--events"), QStringLiteral("invoice.paid")};
        return args + extra; // a repeated flag's last value wins for single-valued flags
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_db = m_dir.filePath(QStringLiteral("cli.db"));
        QCOMPARE(run(add({})).exitCode, 0); // webhook 1, for updates
        QCOMPARE(run({QStringLiteral("emit"), QStringLiteral("invoice.paid")}).exitCode, 0);
        QFile big(m_dir.filePath(QStringLiteral("big.json")));
        QVERIFY(big.open(QIODevice::WriteOnly));
        big.write("{\"blob\":\"" + QByteArray(256 * 1024, 'x') + "\"}");
    }

    void cleanupTestCase() { qInfo("tst_badinput_cli: %d bad-input rows", m_rows); }

    void refused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("field"); // stderr must contain "field: "

        const auto url = [](const QString& u) { return add({QStringLiteral("--url"), u}); };
        QTest::newRow("url http:") << url(QStringLiteral("http://hooks.example.com/b")) << kValidation << "url";
        QTest::newRow("url ftp:") << url(QStringLiteral("ftp://example.com/f")) << kValidation << "url";
        QTest::newRow("url javascript:") << url(QStringLiteral("javascript:alert(1)")) << kValidation << "url";
        QTest::newRow("url no host") << url(QStringLiteral("https:///hook")) << kValidation << "url";
        QTest::newRow("url userinfo") << url(QStringLiteral("https://root:pw@example.com/")) << kValidation << "url";
        QTest::newRow("url 10 KB") << url(QStringLiteral("https://example.com/") + QString(10240, u'a')) << kValidation
                                   << "url";
        QTest::newRow("url IDN homograph") << url(QStringLiteral("https://p\u0430ypal.com/")) << kValidation << "url";
        QTest::newRow("header value CRLF") << add({QStringLiteral("--header"), QStringLiteral("X-A: a\r\nHost: evil")})
                                           << kValidation << "headers[0].value";
        QTest::newRow("header name with space")
            << add({QStringLiteral("--header"), QStringLiteral("X A: 1")}) << kValidation << "headers[0].name";
        QTest::newRow("reserved header Host")
            << add({QStringLiteral("--header"), QStringLiteral("Host: x")}) << kValidation << "headers[0].name";
        QTest::newRow("reserved header Webhook-Signature")
            << add({QStringLiteral("--header"), QStringLiteral("Webhook-Signature: v1,x")}) << kValidation
            << "headers[0].name";
        QTest::newRow("header without colon")
            << add({QStringLiteral("--header"), QStringLiteral("NoColon")}) << kValidation << "headers[0]";
        QTest::newRow("unknown event type") << add({QStringLiteral("--events"), QStringLiteral("invoice.exploded")})
                                            << kValidation << "events[1]"; // --events adds to invoice.paid
        QTest::newRow("empty name") << add({QStringLiteral("--name"), QString()}) << kValidation << "name";
        QTest::newRow("10 KB name") << add({QStringLiteral("--name"), QString(10240, u'n')}) << kValidation << "name";
        QTest::newRow("negative timeout")
            << add({QStringLiteral("--timeout"), QStringLiteral("-5s")}) << kValidation << "timeout_seconds";
        QTest::newRow("absurd timeout") << add({QStringLiteral("--timeout"), QStringLiteral("9999999s")}) << kValidation
                                        << "timeout_seconds";
        QTest::newRow("negative retry delay")
            << add({QStringLiteral("--retry-schedule"), QStringLiteral("5m,-5m")}) << kValidation << "retry_schedule";
        QTest::newRow("retry delay of 30 days")
            << add({QStringLiteral("--retry-schedule"), QStringLiteral("30d")}) << kValidation << "retry_schedule";
        QTest::newRow("retry schedule not durations")
            << add({QStringLiteral("--retry-schedule"), QStringLiteral("5m,banana")}) << kValidation
            << "retry_schedule";
        QTest::newRow("unknown auth type")
            << add({QStringLiteral("--auth"), QStringLiteral("digest")}) << kValidation << "auth.type";
        QTest::newRow("basic user with colon")
            << add({QStringLiteral("--auth"), QStringLiteral("basic"), QStringLiteral("--username"),
                    QStringLiteral("a:b"), QStringLiteral("--password"), QStringLiteral("p")})
            << kValidation << "auth.username";
        QTest::newRow("bearer token with LF") << add({QStringLiteral("--auth"), QStringLiteral("bearer"),
                                                      QStringLiteral("--token"), QStringLiteral("t\nX-Evil: 1")})
                                              << kValidation << "auth.token";
        QTest::newRow("update: url http:")
            << QStringList{QStringLiteral("webhooks"), QStringLiteral("update"), QStringLiteral("1"),
                           QStringLiteral("--url"), QStringLiteral("http://example.com/")}
            << kValidation << "url";
        QTest::newRow("update: SQL as event type")
            << QStringList{QStringLiteral("webhooks"), QStringLiteral("update"), QStringLiteral("1"),
                           QStringLiteral("--events"), QStringLiteral("x');DROP TABLE webhooks;--")}
            << kValidation << "events[0]";

        const auto emit = [](const QString& type, const QString& data) {
            QStringList args{QStringLiteral("emit"), type};
            if (!data.isNull())
                args << QStringLiteral("--data") << data;
            return args;
        };
        QTest::newRow("emit unknown type") << emit(QStringLiteral("invoice.exploded"), {}) << kValidation << "type";
        QTest::newRow("emit data duplicate key")
            << emit(QStringLiteral("invoice.paid"), QStringLiteral("{\"a\":1,\"a\":2}")) << kValidation << "data.a";
        QTest::newRow("emit data 1000 levels deep")
            << emit(QStringLiteral("invoice.paid"), deep(1000)) << kValidation << "data.a";
        QTest::newRow("emit data NaN") << emit(QStringLiteral("invoice.paid"), QStringLiteral("{\"a\":NaN}"))
                                       << kValidation << "data";
        QTest::newRow("emit data an array")
            << emit(QStringLiteral("invoice.paid"), QStringLiteral("[1,2]")) << kValidation << "data";
        QTest::newRow("emit data just over 256 KiB")
            << emit(QStringLiteral("invoice.paid"), QLatin1Char('@') + m_dir.filePath(QStringLiteral("big.json")))
            << kValidation << "data"; // a file: one argv string is limited to 128 KiB
        QTest::newRow("emit idempotency key 10 KB")
            << (emit(QStringLiteral("invoice.paid"), {}) << QStringLiteral("--idempotency-key") << QString(10240, u'k'))
            << kValidation << "idempotency_key";
        QTest::newRow("emit without type") << QStringList{QStringLiteral("emit")} << kUsage << "";
    }

    void refused()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, field);
        const DbFingerprint before = DbFingerprint::of(m_db);
        QVERIFY(!before.hash.isEmpty());
        const CliResult r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        if (!field.isEmpty())
            QVERIFY2(r.err.contains((field + QStringLiteral(": ")).toUtf8()), r.err.left(400).constData());
        QVERIFY(r.out.isEmpty());
        const DbFingerprint after = DbFingerprint::of(m_db);
        QVERIFY2(after == before, qPrintable(after.counts.join(u' ')));
        ++m_rows;
    }

    // SQL metacharacters in every text flag are data: stored and shown back verbatim.
    void sqlMetacharactersRoundTrip()
    {
        const QString sql = QStringLiteral("x'); DROP TABLE webhooks; -- \"; SELECT 1");
        const CliResult r =
            run(add({QStringLiteral("--name"), sql, QStringLiteral("--header"), QStringLiteral("X-Sql: ") + sql,
                     QStringLiteral("--auth"), QStringLiteral("basic"), QStringLiteral("--username"),
                     QStringLiteral("o'brien"), QStringLiteral("--password"), sql, QStringLiteral("--json")}));
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        const QString id = QString::number(o.value(QStringLiteral("id")).toInt());
        const CliResult shown = run({QStringLiteral("webhooks"), QStringLiteral("show"), id, QStringLiteral("--json")});
        QCOMPARE(shown.exitCode, 0);
        const QJsonObject back = QJsonDocument::fromJson(shown.out).object();
        QCOMPARE(back.value(QStringLiteral("name")).toString(), sql);
        QVERIFY(shown.out.contains("o'brien"));
        QCOMPARE(run({QStringLiteral("webhooks"), QStringLiteral("list")}).exitCode, 0); // the table survived
    }
};

QTEST_GUILESS_MAIN(TestBadInputCli)
#include "tst_badinput_cli.moc"
