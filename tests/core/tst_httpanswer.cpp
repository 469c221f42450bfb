#include "api/HttpAnswer.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace outhook;
using namespace outhook::api;

// Answers of the API server as they go on the wire: written straight to the kernel when it takes them,
// and what it does not take yet queued behind, in order.
class TestHttpAnswer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serializesHeadersAndBody()
    {
        ApiResponse r;
        r.status = 202;
        r.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "req_1"}};
        r.body = "{\"ok\":true}";
        QCOMPARE(http::serialize(r, false),
                 QByteArray("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                            "X-Request-Id: req_1\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"));
        // HEAD: the same head, no body.
        QCOMPARE(http::serialize(r, true), QByteArray("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                                                      "X-Request-Id: req_1\r\nContent-Length: 11\r\n\r\n"));
        r.status = 299; // no phrase known: the space stays, as HTTP/1.1 requires
        r.headers.clear();
        r.body.clear();
        QCOMPARE(http::serialize(r, false), QByteArray("HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n"));
    }

    void whatTheKernelCannotTakeYetFollowsInOrder()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket client;
        client.setReadBufferSize(4096);
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(5000));
        QVERIFY(server.waitForNewConnection(5000));
        std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());
        client.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        peer->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 4096); // no autotuning either

        QByteArray big(128 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = char('a' + i % 23);
        http::send(*peer, big);
        // The kernel took a part; QTcpSocket holds the rest, so the next answer queues behind it.
        QVERIFY(peer->bytesToWrite() > 0);
        QVERIFY(peer->bytesToWrite() < big.size());
        http::send(*peer, "tail");
        QCOMPARE(peer->bytesToWrite() > 4, true);
        // Now let it flow faster.
        peer->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 1 << 20);
        client.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 1 << 20);
        client.setReadBufferSize(0);

        QByteArray received;
        connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), big.size() + 4, 30000);
        QVERIFY(received.startsWith(big.left(1000)));
        QCOMPARE(received, big + "tail");
        QCOMPARE(peer->bytesToWrite(), 0);

        // With nothing queued, a small answer goes out whole at once, without QTcpSocket's buffer.
        received.clear();
        http::send(*peer, "HTTP/1.1 204 No Content\r\n\r\n");
        QCOMPARE(peer->bytesToWrite(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(received, QByteArray("HTTP/1.1 204 No Content\r\n\r\n"), 5000);
    }
};

QTEST_GUILESS_MAIN(TestHttpAnswer)
#include "tst_httpanswer.moc"
