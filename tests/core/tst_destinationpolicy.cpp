#include "delivery/DestinationPolicy.h"

#include <QTest>

using namespace outhook;

// The SSRF guard: every special-purpose range is refused by default, in every spelling an address can
// take (IPv4, IPv6, IPv4-mapped/compatible/NAT64/6to4), and allow() opens exactly what it names.
class TestDestinationPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("reason"); // empty: allowed

        const QString loopback = QStringLiteral("loopback");
        const QString rfc1918 = QStringLiteral("private (RFC 1918)");
        const QString linkLocal = QStringLiteral("link-local");
        const QString multicast = QStringLiteral("multicast");
        const QString cgnat = QStringLiteral("shared address space (CGNAT, RFC 6598)");
        const QString unspecified4 = QStringLiteral("unspecified (\"this network\")");
        const QString none;

        QTest::newRow("0.0.0.0") << QStringLiteral("0.0.0.0") << unspecified4;
        QTest::newRow("0.255.255.255") << QStringLiteral("0.255.255.255") << unspecified4;
        QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1") << loopback;
        QTest::newRow("127.255.255.254") << QStringLiteral("127.255.255.254") << loopback;
        QTest::newRow("10.0.0.1") << QStringLiteral("10.0.0.1") << rfc1918;
        QTest::newRow("10.255.255.255") << QStringLiteral("10.255.255.255") << rfc1918;
        QTest::newRow("172.16.0.1") << QStringLiteral("172.16.0.1") << rfc1918;
        QTest::newRow("172.31.255.255") << QStringLiteral("172.31.255.255") << rfc1918;
        QTest::newRow("172.15.255.255 public") << QStringLiteral("172.15.255.255") << none;
        QTest::newRow("172.32.0.0 public") << QStringLiteral("172.32.0.0") << none;
        QTest::newRow("192.168.1.1") << QStringLiteral("192.168.1.1") << rfc1918;
        QTest::newRow("169.254.169.254 metadata") << QStringLiteral("169.254.169.254") << linkLocal;
        QTest::newRow("169.254.0.1") << QStringLiteral("169.254.0.1") << linkLocal;
        QTest::newRow("100.64.0.1") << QStringLiteral("100.64.0.1") << cgnat;
        QTest::newRow("100.127.255.255") << QStringLiteral("100.127.255.255") << cgnat;
        QTest::newRow("100.63.255.255 public") << QStringLiteral("100.63.255.255") << none;
        QTest::newRow("100.128.0.0 public") << QStringLiteral("100.128.0.0") << none;
        QTest::newRow("192.0.0.8") << QStringLiteral("192.0.0.8") << QStringLiteral("IETF protocol assignments");
        QTest::newRow("192.0.2.1") << QStringLiteral("192.0.2.1") << QStringLiteral("documentation");
        QTest::newRow("198.18.0.1") << QStringLiteral("198.18.0.1") << QStringLiteral("benchmarking");
        QTest::newRow("198.19.255.255") << QStringLiteral("198.19.255.255") << QStringLiteral("benchmarking");
        QTest::newRow("198.20.0.0 public") << QStringLiteral("198.20.0.0") << none;
        QTest::newRow("224.0.0.1") << QStringLiteral("224.0.0.1") << multicast;
        QTest::newRow("239.255.255.250") << QStringLiteral("239.255.255.250") << multicast;
        QTest::newRow("240.0.0.1") << QStringLiteral("240.0.0.1") << QStringLiteral("reserved");
        QTest::newRow("255.255.255.254") << QStringLiteral("255.255.255.254") << QStringLiteral("reserved");
        QTest::newRow("255.255.255.255") << QStringLiteral("255.255.255.255") << QStringLiteral("broadcast");
        QTest::newRow("8.8.8.8 public") << QStringLiteral("8.8.8.8") << none;
        QTest::newRow("1.1.1.1 public") << QStringLiteral("1.1.1.1") << none;
        QTest::newRow("93.184.216.34 public") << QStringLiteral("93.184.216.34") << none;
        QTest::newRow("223.255.255.255 public") << QStringLiteral("223.255.255.255") << none;

        QTest::newRow("::") << QStringLiteral("::") << QStringLiteral("unspecified");
        QTest::newRow("::1") << QStringLiteral("::1") << loopback;
        QTest::newRow("fc00::1") << QStringLiteral("fc00::1") << QStringLiteral("unique local (IPv6 ULA)");
        QTest::newRow("fd12:3456::1") << QStringLiteral("fd12:3456::1") << QStringLiteral("unique local (IPv6 ULA)");
        QTest::newRow("fe80::1") << QStringLiteral("fe80::1") << linkLocal;
        QTest::newRow("fe80::1%lo") << QStringLiteral("fe80::1%lo") << linkLocal;
        QTest::newRow("febf::1") << QStringLiteral("febf::1") << linkLocal;
        QTest::newRow("ff02::1") << QStringLiteral("ff02::1") << multicast;
        QTest::newRow("2001:db8::1") << QStringLiteral("2001:db8::1") << QStringLiteral("documentation");
        QTest::newRow("2606:4700::1111 public") << QStringLiteral("2606:4700::1111") << none;
        QTest::newRow("2a00:1450::1 public") << QStringLiteral("2a00:1450:4001::1") << none;

        // IPv6 spellings of IPv4 hosts are judged by the IPv4 address they reach.
        QTest::newRow("::ffff:127.0.0.1") << QStringLiteral("::ffff:127.0.0.1") << loopback;
        QTest::newRow("::ffff:7f00:1") << QStringLiteral("::ffff:7f00:1") << loopback;
        QTest::newRow("::ffff:169.254.169.254") << QStringLiteral("::ffff:169.254.169.254") << linkLocal;
        QTest::newRow("::ffff:10.1.2.3") << QStringLiteral("::ffff:10.1.2.3") << rfc1918;
        QTest::newRow("::ffff:192.168.0.1") << QStringLiteral("::ffff:192.168.0.1") << rfc1918;
        QTest::newRow("::ffff:0.0.0.0") << QStringLiteral("::ffff:0.0.0.0") << unspecified4;
        QTest::newRow("::ffff:8.8.8.8 public") << QStringLiteral("::ffff:8.8.8.8") << none;
        QTest::newRow("::127.0.0.1 compatible") << QStringLiteral("::127.0.0.1") << loopback;
        QTest::newRow("::169.254.169.254 compatible") << QStringLiteral("::169.254.169.254") << linkLocal;
        QTest::newRow("::10.0.0.1 compatible") << QStringLiteral("::10.0.0.1") << rfc1918;
        QTest::newRow("64:ff9b::169.254.169.254 NAT64") << QStringLiteral("64:ff9b::169.254.169.254") << linkLocal;
        QTest::newRow("64:ff9b::8.8.8.8 NAT64 public") << QStringLiteral("64:ff9b::8.8.8.8") << none;
        QTest::newRow("2002:7f00:1:: 6to4") << QStringLiteral("2002:7f00:1::1") << loopback;
        QTest::newRow("2002:a9fe:a9fe:: 6to4") << QStringLiteral("2002:a9fe:a9fe::") << linkLocal;
    }

    void defaults()
    {
        QFETCH(QString, address);
        QFETCH(QString, reason);
        const QHostAddress a(address);
        QVERIFY2(!a.isNull(), qPrintable(address));
        DestinationPolicy policy;
        QCOMPARE(policy.refusalReason(a), reason);
        QCOMPARE(policy.isAllowed(a), reason.isEmpty());
        QCOMPARE(DestinationPolicy::specialPurposeRange(a), reason);
    }

    void nullAddressIsRefused()
    {
        DestinationPolicy policy;
        QVERIFY(!policy.isAllowed(QHostAddress()));
        QVERIFY(!policy.refusalReason(QHostAddress()).isEmpty());
    }

    void allowLoopback_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1") << true;
        QTest::newRow("127.1.2.3") << QStringLiteral("127.1.2.3") << true;
        QTest::newRow("::ffff:127.0.0.1") << QStringLiteral("::ffff:127.0.0.1") << true;
        QTest::newRow("::127.0.0.1") << QStringLiteral("::127.0.0.1") << true;
        QTest::newRow("::1 stays refused") << QStringLiteral("::1") << false;
        QTest::newRow("10.0.0.1 stays refused") << QStringLiteral("10.0.0.1") << false;
        QTest::newRow("169.254.169.254 stays refused") << QStringLiteral("169.254.169.254") << false;
        QTest::newRow("::ffff:169.254.169.254 stays refused") << QStringLiteral("::ffff:169.254.169.254") << false;
        QTest::newRow("8.8.8.8 still allowed") << QStringLiteral("8.8.8.8") << true;
    }

    void allowLoopback()
    {
        QFETCH(QString, address);
        QFETCH(bool, allowed);
        DestinationPolicy policy;
        QVERIFY(policy.allow(QStringLiteral("127.0.0.0/8")));
        QCOMPARE(policy.isAllowed(QHostAddress(address)), allowed);
        QCOMPARE(policy.refusalReason(QHostAddress(address)).isEmpty(), allowed);
    }

    void allowParsing_data()
    {
        QTest::addColumn<QString>("cidr");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("opened");    // an address the entry must open
        QTest::addColumn<QString>("stillShut"); // a neighbour it must not open
        QTest::newRow("v4 /8") << QStringLiteral("10.0.0.0/8") << true << QStringLiteral("10.9.8.7")
                               << QStringLiteral("172.16.0.1");
        QTest::newRow("v4 host bits set") << QStringLiteral("192.168.1.77/24") << true << QStringLiteral("192.168.1.5")
                                          << QStringLiteral("192.168.2.5");
        QTest::newRow("single v4") << QStringLiteral("10.1.2.3") << true << QStringLiteral("10.1.2.3")
                                   << QStringLiteral("10.1.2.4");
        QTest::newRow("single v4 /32") << QStringLiteral(" 169.254.169.254/32 ") << true
                                       << QStringLiteral("169.254.169.254") << QStringLiteral("169.254.169.253");
        QTest::newRow("v6 /128") << QStringLiteral("::1/128") << true << QStringLiteral("::1") << QStringLiteral("::");
        QTest::newRow("single v6") << QStringLiteral("::1") << true << QStringLiteral("::1")
                                   << QStringLiteral("127.0.0.1");
        QTest::newRow("ula /48") << QStringLiteral("fd00:1:2::/48") << true << QStringLiteral("fd00:1:2::9")
                                 << QStringLiteral("fd00:1:3::9");
        QTest::newRow("empty") << QString() << false << QString() << QString();
        QTest::newRow("garbage") << QStringLiteral("localhost") << false << QString() << QString();
        QTest::newRow("bad prefix") << QStringLiteral("10.0.0.0/33") << false << QString() << QString();
        QTest::newRow("negative prefix") << QStringLiteral("10.0.0.0/-1") << false << QString() << QString();
        QTest::newRow("v6 bad prefix") << QStringLiteral("::1/129") << false << QString() << QString();
        QTest::newRow("missing prefix") << QStringLiteral("10.0.0.0/") << false << QString() << QString();
    }

    void allowParsing()
    {
        QFETCH(QString, cidr);
        QFETCH(bool, valid);
        QFETCH(QString, opened);
        QFETCH(QString, stillShut);
        DestinationPolicy policy;
        QCOMPARE(policy.allow(cidr), valid);
        QCOMPARE(policy.allowedRanges().size(), valid ? 1 : 0);
        if (!valid)
            return;
        QVERIFY(policy.isAllowed(QHostAddress(opened)));
        QVERIFY(!policy.isAllowed(QHostAddress(stillShut)));
    }

    void allowEverything()
    {
        DestinationPolicy policy;
        QVERIFY(policy.allow(QStringLiteral("0.0.0.0/0")));
        QVERIFY(policy.isAllowed(QHostAddress(QStringLiteral("127.0.0.1"))));
        QVERIFY(policy.isAllowed(QHostAddress(QStringLiteral("::ffff:10.0.0.1"))));
        QVERIFY(!policy.isAllowed(QHostAddress(QStringLiteral("::1"))));
        QVERIFY(policy.allow(QStringLiteral("::/0")));
        QVERIFY(policy.isAllowed(QHostAddress(QStringLiteral("::1"))));
        QVERIFY(policy.isAllowed(QHostAddress(QStringLiteral("fe80::1%lo"))));
    }
};

QTEST_GUILESS_MAIN(TestDestinationPolicy)
#include "tst_destinationpolicy.moc"
