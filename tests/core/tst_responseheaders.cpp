#include "delivery/ResponseHeaders.h"

#include <QTest>

using outhook::parseResponseHeaderLines;
using outhook::RawHeaders;
using outhook::ResponseHeaderParser;

Q_DECLARE_METATYPE(outhook::RawHeaders)

// The pure parser CurlTransport feeds with curl's header lines.
class TestResponseHeaders : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QByteArray>("block");
        QTest::addColumn<int>("status");
        QTest::addColumn<RawHeaders>("headers");
        QTest::newRow("simple") << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A:  b \r\n\r\n") << 200
                                << RawHeaders{{"Content-Type", "text/plain"}, {"X-A", "b"}};
        QTest::newRow("interim 100 forgotten")
            << QByteArray("HTTP/1.1 100 Continue\r\nX-Old: 1\r\n\r\nHTTP/1.1 429 Too Many\r\nRetry-After: 5\r\n\r\n")
            << 429 << RawHeaders{{"Retry-After", "5"}};
        QTest::newRow("folding") << QByteArray("HTTP/2 503\r\nX-Long: a\r\n\tb\r\n  c\r\n") << 503
                                 << RawHeaders{{"X-Long", "a b c"}};
        QTest::newRow("fold without header ignored")
            << QByteArray("HTTP/1.1 200 OK\n x: y\n") << 200 << RawHeaders{{"x", "y"}};
        QTest::newRow("no colon, empty name")
            << QByteArray("HTTP/1.1 204\r\ngarbage\r\n: v\r\nA:\r\n") << 204 << RawHeaders{{"A", ""}};
        QTest::newRow("blank name, no header before to fold into")
            << QByteArray("HTTP/1.1 200\r\n :\r5\r\n\t: x\r\nB: 2\r\n") << 200 << RawHeaders{{"B", "2"}};
        QTest::newRow("bad status line") << QByteArray("HTTP/1.1\r\nA: 1\r\n") << 0 << RawHeaders{{"A", "1"}};
        QTest::newRow("LF only, no final newline")
            << QByteArray("HTTP/1.0 301 Moved\nLocation: /x") << 301 << RawHeaders{{"Location", "/x"}};
        QTest::newRow("colon in value") << QByteArray("HTTP/1.1 200\r\nLink: <https://a:1/>\r\n") << 200
                                        << RawHeaders{{"Link", "<https://a:1/>"}};
    }
    void parses()
    {
        QFETCH(QByteArray, block);
        const ResponseHeaderParser p = parseResponseHeaderLines(block);
        QTEST(p.statusCode, "status");
        QTEST(p.headers, "headers");
    }

    void capsHeaderCount()
    {
        QByteArray block("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < ResponseHeaderParser::kMaxHeaders + 20; ++i)
            block += "X-" + QByteArray::number(i) + ": v\r\n";
        const ResponseHeaderParser p = parseResponseHeaderLines(block);
        QCOMPARE(p.headers.size(), ResponseHeaderParser::kMaxHeaders);
        QCOMPARE(p.headers.last().first, QByteArray("X-499"));
    }

    void capsHeaderBytes()
    {
        ResponseHeaderParser p;
        p.addLine("HTTP/1.1 200 OK\r\n");
        const QByteArray big = "X-Big: " + QByteArray(ResponseHeaderParser::kMaxBytes / 2, 'a') + "\r\n";
        p.addLine(big);
        p.addLine(big); // would cross the cap: dropped
        p.addLine("X-Small: 1\r\n");
        QCOMPARE(p.headers.size(), 2);
        QCOMPARE(p.headers.at(1).first, QByteArray("X-Small"));
        QVERIFY(p.bytes <= ResponseHeaderParser::kMaxBytes);
        p.addLine("HTTP/1.1 200 OK\r\n"); // a new response resets the budget
        QCOMPARE(p.bytes, 0);
        QVERIFY(p.headers.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestResponseHeaders)
#include "tst_responseheaders.moc"
