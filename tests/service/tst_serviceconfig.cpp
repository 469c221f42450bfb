#include "CliRunner.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// `outhookd --config FILE` and `outhookd config check FILE`, run as a separate process.
class TestServiceConfig : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    TestPki m_pki;
    TlsReceiver m_receiver{m_pki};
    QString m_dbA;
    QString m_dbB;
    qint64 m_hookA = 0;

    QString writeFile(const QString& name, const QByteArray& text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(text);
        return path;
    }

    static QProcessEnvironment envWithout(const QString& dbEnv = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("OUTHOOK_DB"));
        if (!dbEnv.isEmpty())
            env.insert(QStringLiteral("OUTHOOK_DB"), dbEnv);
        return env;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_pki.isValid());
        QVERIFY(m_receiver.listen());
        m_dbA = m_dir.filePath(QStringLiteral("a.db"));
        m_dbB = m_dir.filePath(QStringLiteral("b.db"));
        const CliResult r =
            runOuthookd({QStringLiteral("--db"), m_dbA, QStringLiteral("webhooks"), QStringLiteral("add"),
                         QStringLiteral("--name"), QStringLiteral("A"), QStringLiteral("--url"), m_receiver.url(),
                         QStringLiteral("--events"), QStringLiteral("invoice.paid"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        m_hookA = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("id")).toInteger();
        QVERIFY(m_hookA > 0);
        QCOMPARE(
            runOuthookd({QStringLiteral("--db"), m_dbB, QStringLiteral("events"), QStringLiteral("list")}).exitCode, 0);
    }

    void check_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("problems"); // "LINE: key: message", after "FILE:"
        QTest::newRow("empty file") << QByteArray() << 0 << QStringList();
        QTest::newRow("comments only") << QByteArray("# a comment\n; another\n\n") << 0 << QStringList();
        QTest::newRow("all keys") << QByteArray("[database]\nurl = /tmp/x.db\ndurability = full\n[api]\nlisten = "
                                                "127.0.0.1:8080\n[delivery]\nconcurrency = 8\nlease = 30s\n"
                                                "shutdown_timeout = 5s\nauto_disable_after = 2d\n"
                                                "allowed_destinations = 127.0.0.0/8, 10.0.0.0/8\n[log]\n"
                                                "format = json\n")
                                  << 0 << QStringList();
        QTest::newRow("concurrency on line 7")
            << QByteArray("# outhookd\n\n[database]\nurl = /tmp/x.db\n\n[delivery]\nconcurrency = 0\n") << 3
            << QStringList{QStringLiteral("7: concurrency: must be between 1 and 4096")};
        QTest::newRow("unknown section and key")
            << QByteArray("[database]\nuri = /tmp/x.db\n[mail]\nhost = x\n") << 3
            << QStringList{QStringLiteral("2: uri: unknown key in [database]"),
                           QStringLiteral("3: [mail]: unknown section (known: api, database, delivery, log)")};
        QTest::newRow("bad values")
            << QByteArray("[database]\ndurability = maybe\nurl = mysql://x\n[delivery]\nlease = 1s\n"
                          "shutdown_timeout = 2h\nauto_disable_after = 10s\nallowed_destinations = nope\n"
                          "concurrency = many\n[log]\nformat = xml\n[api]\nlisten = nowhere\n")
            << 3
            << QStringList{QStringLiteral("2: durability: must be normal or full"),
                           QStringLiteral("3: url: Unsupported database URL scheme; use sqlite:///path or "
                                          "postgres://..."),
                           QStringLiteral("5: lease: must be between 2s and 1h"),
                           QStringLiteral("6: shutdown_timeout: must be at most 1h"),
                           QStringLiteral("7: auto_disable_after: must be at least 1m"),
                           QStringLiteral("8: allowed_destinations: nope: not an address or CIDR range (e.g. "
                                          "127.0.0.0/8)"),
                           QStringLiteral("9: concurrency: must be between 1 and 4096"),
                           QStringLiteral("11: format: must be text or json"),
                           QStringLiteral("13: listen: must be HOST:PORT, e.g. 127.0.0.1:8080")};
        QTest::newRow("not key value and outside a section")
            << QByteArray("concurrency = 4\n[delivery]\njust words\nconcurrency = 4\nconcurrency = 5\n") << 3
            << QStringList{QStringLiteral("1: concurrency: outside a section; put it under [database], [api], "
                                          "[delivery] or [log]"),
                           QStringLiteral("3: expected key = value"),
                           QStringLiteral("5: concurrency: set twice (first on line 4)")};
        QTest::newRow("missing files")
            << QByteArray("[api]\ncert = /nonexistent/cert.pem\n[delivery]\nca_files = /nonexistent/ca.pem\n") << 3
            << QStringList{QStringLiteral("2: cert: /nonexistent/cert.pem: not a readable file"),
                           QStringLiteral("2: cert: TLS needs both cert and key in [api]"),
                           QStringLiteral("4: ca_files: /nonexistent/ca.pem: not a readable file")};
    }
    void check()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, exitCode);
        QFETCH(QStringList, problems);
        const QString file = writeFile(QStringLiteral("outhookd.conf"), text);
        const CliResult r = runOuthookd({QStringLiteral("config"), QStringLiteral("check"), file});
        QCOMPARE(r.exitCode, exitCode);
        QStringList expected;
        for (const QString& p : std::as_const(problems))
            expected << file + QLatin1Char(':') + p;
        QCOMPARE(QString::fromUtf8(r.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts), expected);
        if (exitCode == 0)
            QCOMPARE(QString::fromUtf8(r.out).trimmed(), file + QStringLiteral(": ok"));
        // Every command refuses a bad file the same way, before touching anything.
        const CliResult list = runOuthookd({QStringLiteral("--config"), file, QStringLiteral("--db"), m_dbB,
                                            QStringLiteral("webhooks"), QStringLiteral("list")},
                                           envWithout());
        QCOMPARE(list.exitCode, exitCode);
        if (exitCode != 0)
            QCOMPARE(QString::fromUtf8(list.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts), expected);
    }

    void shippedExampleIsValid()
    {
        const QString example = QStringLiteral(OUTHOOK_SOURCE_DIR "/resources/outhookd.conf.example");
        const CliResult r = runOuthookd({QStringLiteral("config"), QStringLiteral("check"), example});
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.exitCode, 0);
    }

    void databasePrecedence_data()
    {
        QTest::addColumn<QStringList>("args"); // FILE stands for the config file
        QTest::addColumn<QString>("env");      // OUTHOOK_DB: "A", "B" or empty
        QTest::addColumn<int>("webhooks");     // 1 in database A, 0 in B
        const QString file = QStringLiteral("FILE");
        QTest::newRow("file") << QStringList{QStringLiteral("--config"), file} << QString() << 1;
        QTest::newRow("file after the command")
            << QStringList{QStringLiteral("CMD"), QStringLiteral("--config"), file} << QString() << 1;
        QTest::newRow("flag beats file") << QStringList{QStringLiteral("--config"), file, QStringLiteral("--db"),
                                                        QStringLiteral("B")}
                                         << QString() << 0;
        QTest::newRow("flag after the command beats file")
            << QStringList{QStringLiteral("--config"), file, QStringLiteral("CMD"), QStringLiteral("--db"),
                           QStringLiteral("B")}
            << QString() << 0;
        QTest::newRow("file beats environment") << QStringList{QStringLiteral("--config"), file} << "B" << 1;
        QTest::newRow("environment without file") << QStringList() << "B" << 0;
    }
    void databasePrecedence()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, env);
        QFETCH(int, webhooks);
        const QString file =
            writeFile(QStringLiteral("db.conf"), "[database]\nurl = " + m_dbA.toUtf8() + "\ndurability = full\n");
        QStringList full;
        bool commandPlaced = false;
        for (const QString& a : std::as_const(args)) {
            if (a == QLatin1String("CMD")) {
                full << QStringLiteral("webhooks") << QStringLiteral("list");
                commandPlaced = true;
            } else {
                full << (a == QLatin1String("FILE") ? file : a == QLatin1String("B") ? m_dbB : a);
            }
        }
        if (!commandPlaced)
            full << QStringLiteral("webhooks") << QStringLiteral("list");
        full << QStringLiteral("--json");
        const CliResult r = runOuthookd(full, envWithout(env == QLatin1String("B") ? m_dbB : QString()));
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), webhooks);
    }

    // CA files and allowed destinations from the file let `test` reach the local TLS receiver; flags
    // replace the file's lists.
    void deliveryPrecedence_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("file lists") << QStringList() << 0;
        QTest::newRow("flag replaces allowed destinations")
            << QStringList{QStringLiteral("--allow-destination"), QStringLiteral("10.0.0.0/8")} << 1;
    }
    void deliveryPrecedence()
    {
        QFETCH(QStringList, flags);
        QFETCH(int, exitCode);
        const QString file =
            writeFile(QStringLiteral("delivery.conf"), "[database]\nurl = " + m_dbA.toUtf8() +
                                                           "\n[delivery]\nca_files = " + m_pki.caFile().toUtf8() +
                                                           "\nallowed_destinations = 127.0.0.0/8\n");
        const CliResult r = runOuthookdServing(QStringList{QStringLiteral("--config"), file} + flags +
                                               QStringList{QStringLiteral("test"), QString::number(m_hookA)});
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
    }
};

QTEST_MAIN(TestServiceConfig)
#include "tst_serviceconfig.moc"
