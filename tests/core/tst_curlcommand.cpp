#include "delivery/CurlCommand.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace outhook;

// The command must reproduce the request exactly and survive a real shell, whatever the body holds.
class TestCurlCommand : public QObject
{
    Q_OBJECT

    static Attempt attempt(const QString& url, RawHeaders headers)
    {
        Attempt a;
        a.requestUrl = url;
        a.requestHeaders = std::move(headers);
        return a;
    }

private Q_SLOTS:
    void quoting_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<RawHeaders>("headers");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("expected");

        QTest::newRow("plain") << QStringLiteral("https://hooks.example.com/in")
                               << RawHeaders{{"content-type", "application/json"}, {"webhook-id", "msg_1"}}
                               << QByteArray(R"({"a":1})")
                               << QStringLiteral("curl -X POST 'https://hooks.example.com/in' -H 'content-type: "
                                                 "application/json' -H 'webhook-id: msg_1' --data-binary '{\"a\":1}'");
        QTest::newRow("quote in body") << QStringLiteral("https://x.example.com/")
                                       << RawHeaders{{"webhook-id", "msg_2"}} << QByteArray(R"({"name":"O'Brien"})")
                                       << QStringLiteral("curl -X POST 'https://x.example.com/' -H 'webhook-id: msg_2' "
                                                         "--data-binary '{\"name\":\"O'\\''Brien\"}'");
        QTest::newRow("quote in header")
            << QStringLiteral("https://x.example.com/?q='a'") << RawHeaders{{"x-note", "it's"}} << QByteArray("{}")
            << QStringLiteral(
                   "curl -X POST 'https://x.example.com/?q='\\''a'\\''' -H 'x-note: it'\\''s' --data-binary '{}'");
        QTest::newRow("redacted stays redacted")
            << QStringLiteral("https://x.example.com/")
            << RawHeaders{{"authorization", "Bearer [redacted]"}, {"x-api-key", "[redacted]"}} << QByteArray("{}")
            << QStringLiteral("curl -X POST 'https://x.example.com/' -H 'authorization: Bearer [redacted]' "
                              "-H 'x-api-key: [redacted]' --data-binary '{}'");
        QTest::newRow("empty body, no headers")
            << QStringLiteral("https://x.example.com/") << RawHeaders{} << QByteArray()
            << QStringLiteral("curl -X POST 'https://x.example.com/' "
                              "--data-binary ''");
        QTest::newRow("shell metacharacters and newline")
            << QStringLiteral("https://x.example.com/") << RawHeaders{{"x-cmd", "$(rm -rf /); `id` \"x\""}}
            << QByteArray("{\"t\":\"$HOME \\\\ !\"}\n")
            << QStringLiteral("curl -X POST 'https://x.example.com/' -H 'x-cmd: $(rm -rf /); `id` \"x\"' "
                              "--data-binary '{\"t\":\"$HOME \\\\ !\"}\n'");
    }
    void quoting()
    {
        QFETCH(QString, url);
        QFETCH(RawHeaders, headers);
        QFETCH(QByteArray, payload);
        QFETCH(QString, expected);
        QCOMPARE(curlCommand(attempt(url, headers), payload), expected);
    }

    // Runs each command through /bin/sh with `curl` replaced by a function that prints its arguments,
    // and checks the shell hands curl exactly the URL, headers and body bytes.
    void shellSeesTheSameArguments_data() { quoting_data(); }
    void shellSeesTheSameArguments()
    {
        QFETCH(QString, url);
        QFETCH(RawHeaders, headers);
        QFETCH(QByteArray, payload);
        const QString sh = QStandardPaths::findExecutable(QStringLiteral("sh"));
        if (sh.isEmpty())
            QSKIP("no sh on PATH");
        const QString script =
            QStringLiteral("curl() { printf '%s\\0' \"$@\"; }\n") + curlCommand(attempt(url, headers), payload);
        QProcess p;
        p.start(sh, {QStringLiteral("-c"), script});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QList<QByteArray> args = p.readAllStandardOutput().split('\0');
        QCOMPARE(args.takeLast(), QByteArray()); // the terminator after the last argument

        QList<QByteArray> expected{"-X", "POST", url.toUtf8()};
        for (const auto& [name, value] : headers)
            expected << "-H" << name + ": " + value;
        expected << "--data-binary" << payload;
        QCOMPARE(args, expected);
    }
};

QTEST_GUILESS_MAIN(TestCurlCommand)
#include "tst_curlcommand.moc"
