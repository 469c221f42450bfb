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

// `outhookd deliveries export` as a process: deliveries sent by `dispatch` to a real HTTPS receiver,
// then exported to stdout and to files in each format.
class TestCliExport : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    QString m_db;
    std::unique_ptr<TlsReceiver> m_receiver;

    QStringList base() const
    {
        return {QStringLiteral("--db"),
                m_db,
                QStringLiteral("--ca-file"),
                m_pki.caFile(),
                QStringLiteral("--allow-destination"),
                QStringLiteral("127.0.0.0/8")};
    }
    CliResult run(const QStringList& args) { return runOuthookdServing(base() + args); }
    CliResult exportWith(const QStringList& args)
    {
        return run(QStringList{QStringLiteral("deliveries"), QStringLiteral("export")} + args);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pki.isValid());
        m_db = m_dir.filePath(QStringLiteral("cli.db"));
        m_receiver = std::make_unique<TlsReceiver>(m_pki);
        QVERIFY(m_receiver->listen());
        const CliResult added = run(
            {QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("r"),
             QStringLiteral("--url"), m_receiver->url(), QStringLiteral("--events"), QStringLiteral("job.created"),
             QStringLiteral("--active"), QStringLiteral("--auth"), QStringLiteral("bearer"), QStringLiteral("--token"),
             QStringLiteral("tok-SECRET-1"), QStringLiteral("--secret-header"), QStringLiteral("X-Key: hdr-SECRET-2")});
        QCOMPARE(added.exitCode, 0);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(run({QStringLiteral("emit"), QStringLiteral("job.created"), QStringLiteral("--data"),
                          QStringLiteral("{\"n\":%1,\"note\":\"a, \\\"quoted\\\"\\nline\"}").arg(i)})
                         .exitCode,
                     0);
        QCOMPARE(run({QStringLiteral("dispatch"), QStringLiteral("--until-idle")}).exitCode, 0);
        QCOMPARE(m_receiver->requestCount(), 3);
    }

    void harToStdout()
    {
        const CliResult r = exportWith({QStringLiteral("--format"), QStringLiteral("har")});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject log = doc.object().value(QStringLiteral("log")).toObject();
        QCOMPARE(log.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
        QCOMPARE(log.value(QStringLiteral("entries")).toArray().size(), 3);
        QVERIFY(r.err.contains("Exported 3 deliveries (3 HAR entries)"));
        for (const QByteArray& secret : {QByteArray("tok-SECRET-1"), QByteArray("hdr-SECRET-2"),
                                         m_receiver->requests().first().header("webhook-signature").mid(3)})
            QVERIFY2(!r.out.contains(secret), secret.constData());
    }

    void formatFromSuffixAndFilters()
    {
        const QString csv = m_dir.filePath(QStringLiteral("out.csv"));
        const CliResult r =
            exportWith({QStringLiteral("-o"), csv, QStringLiteral("--status"), QStringLiteral("succeeded")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.startsWith("delivery_id,event_id,"));
        QCOMPARE(bytes.count("\r\n"), 4);

        const CliResult none = exportWith({QStringLiteral("--status"), QStringLiteral("failed")});
        QCOMPARE(none.exitCode, 0);
        QVERIFY(none.out.isEmpty()); // JSON Lines by default: no deliveries, no lines
    }

    void selectedIds()
    {
        const CliResult r = exportWith({QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--id"),
                                        QStringLiteral("1"), QStringLiteral("--id"), QStringLiteral("3")});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(QJsonDocument::fromJson(lines.at(0)).object().value(QStringLiteral("id")).toInt(), 3);
        QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("id")).toInt(), 1);
    }

    void badInputNamesTheField_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("field");
        QTest::newRow("format") << QStringList{QStringLiteral("--format"), QStringLiteral("xml")}
                                << QByteArray("format");
        QTest::newRow("since") << QStringList{QStringLiteral("--since"), QStringLiteral("yesterday")}
                               << QByteArray("since");
        QTest::newRow("id with filter") << QStringList{QStringLiteral("--id"), QStringLiteral("1"),
                                                       QStringLiteral("--status"), QStringLiteral("failed")}
                                        << QByteArray("id");
    }
    void badInputNamesTheField()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, field);
        const QString out = m_dir.filePath(QStringLiteral("never.har"));
        const CliResult r = exportWith(args + QStringList{QStringLiteral("-o"), out});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QByteArray(field + ':')), r.err.constData());
        QVERIFY(!QFile::exists(out)); // nothing written
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "tst_cli_export.moc"
