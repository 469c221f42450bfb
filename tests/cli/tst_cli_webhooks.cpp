#include "CliRunner.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

// Process-level tests of `outhookd webhooks ...` and `outhookd events ...`: stdout, stderr, exit codes.
class TestCliWebhooks : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_db;

    CliResult run(QStringList args)
    {
        args.prepend(m_db);
        args.prepend(QStringLiteral("--db"));
        return runOuthookd(args);
    }
    QJsonObject runJson(const QStringList& args)
    {
        const CliResult r = run(args + QStringList{QStringLiteral("--json")});
        if (r.exitCode != 0)
            qWarning() << "stderr:" << r.err;
        return QJsonDocument::fromJson(r.out).object();
    }
    QStringList addArgs() const
    {
        return {QStringLiteral("webhooks"), QStringLiteral("add"),
                QStringLiteral("--name"),   QStringLiteral("Billing"),
                QStringLiteral("--url"),    QStringLiteral("https://hooks.example.com/b"),
                QStringLiteral("--events"), QStringLiteral("invoice.paid,invoice.created")};
    }

private Q_SLOTS:
    void init()
    {
        static int n = 0;
        m_db = m_dir.filePath(QStringLiteral("cli%1.db").arg(++n));
    }

    void addPrintsWebhookWithSecret()
    {
        QStringList args = addArgs();
        args << QStringLiteral("--auth") << QStringLiteral("basic") << QStringLiteral("--username")
             << QStringLiteral("alice") << QStringLiteral("--password") << QStringLiteral("pw-hunter2")
             << QStringLiteral("--header") << QStringLiteral("X-Team: billing") << QStringLiteral("--secret-header")
             << QStringLiteral("X-Api-Key: key-777") << QStringLiteral("--retry-schedule") << QStringLiteral("1m,2m")
             << QStringLiteral("--timeout") << QStringLiteral("20s") << QStringLiteral("--json");
        const CliResult r = run(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
        QVERIFY(!r.out.contains("pw-hunter2"));
        QVERIFY(!r.out.contains("key-777"));
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("id")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("Billing"));
        QCOMPARE(o.value(QStringLiteral("is_active")).toBool(), false);
        QCOMPARE(o.value(QStringLiteral("events")).toArray().size(), 2);
        QCOMPARE(o.value(QStringLiteral("auth")).toObject(),
                 (QJsonObject{{QStringLiteral("type"), QStringLiteral("basic")},
                              {QStringLiteral("username"), QStringLiteral("alice")}}));
        QCOMPARE(o.value(QStringLiteral("headers")).toObject().value(QStringLiteral("X-Team")).toString(),
                 QStringLiteral("billing"));
        QCOMPARE(o.value(QStringLiteral("retry_schedule")).toArray(), (QJsonArray{60, 120}));
        QCOMPARE(o.value(QStringLiteral("retry_count")).toInt(), 2);
        QCOMPARE(o.value(QStringLiteral("timeout_seconds")).toInt(), 20);
        QVERIFY(o.value(QStringLiteral("secret")).toString().startsWith(QLatin1String("whsec_")));
        QVERIFY(o.value(QStringLiteral("last_success_at")).isNull());
        QCOMPARE(o.value(QStringLiteral("failure_count")).toInt(), 0);
        QVERIFY(o.value(QStringLiteral("created_at")).toString().endsWith(QLatin1Char('Z')));
        for (const char* key : {"last_triggered_at", "last_failure_at", "updated_at"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
    }

    void listShowEnableDisableRemove()
    {
        QCOMPARE(run(addArgs()).exitCode, 0);
        const CliResult list = run({QStringLiteral("webhooks"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray all = QJsonDocument::fromJson(list.out).array();
        QCOMPARE(all.size(), 1);
        QVERIFY(!all.first().toObject().contains(QStringLiteral("secret")));

        const QJsonObject shown = runJson({QStringLiteral("webhooks"), QStringLiteral("show"), QStringLiteral("1")});
        QVERIFY(shown.value(QStringLiteral("secret")).toString().startsWith(QLatin1String("whsec_")));

        QCOMPARE(runJson({QStringLiteral("webhooks"), QStringLiteral("enable"), QStringLiteral("1")})
                     .value(QStringLiteral("is_active"))
                     .toBool(),
                 true);
        QCOMPARE(runJson({QStringLiteral("webhooks"), QStringLiteral("disable"), QStringLiteral("1")})
                     .value(QStringLiteral("is_active"))
                     .toBool(),
                 false);

        const CliResult human = run({QStringLiteral("webhooks"), QStringLiteral("list")});
        QCOMPARE(human.exitCode, 0);
        QVERIFY(human.out.contains("Billing"));
        QVERIFY(human.out.contains("https://hooks.example.com/b"));

        QCOMPARE(run({QStringLiteral("webhooks"), QStringLiteral("remove"), QStringLiteral("1")}).exitCode, 0);
        const CliResult gone = run({QStringLiteral("webhooks"), QStringLiteral("show"), QStringLiteral("1")});
        QCOMPARE(gone.exitCode, 4);
        QVERIFY(gone.err.contains("not found"));
    }

    void updateChangesFields()
    {
        QCOMPARE(run(addArgs()).exitCode, 0);
        const QJsonObject o = runJson({QStringLiteral("webhooks"), QStringLiteral("update"), QStringLiteral("1"),
                                       QStringLiteral("--name"), QStringLiteral("Renamed"), QStringLiteral("--active"),
                                       QStringLiteral("--retry-schedule"), QStringLiteral("none")});
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("Renamed"));
        QCOMPARE(o.value(QStringLiteral("is_active")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("retry_count")).toInt(), 0);
        QCOMPARE(o.value(QStringLiteral("url")).toString(), QStringLiteral("https://hooks.example.com/b"));
        QVERIFY(!o.contains(QStringLiteral("secret")));
    }

    // `outhookd GROUP --help` lists the group's actions; a wrong action names them.
    void groupHelpListsActions_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("someAction");
        QTest::newRow("webhooks") << "webhooks"
                                  << "rotate-secret";
        QTest::newRow("events") << "events"
                                << "add";
        QTest::newRow("deliveries") << "deliveries"
                                    << "recover";
        QTest::newRow("apikeys") << "apikeys"
                                 << "revoke";
        QTest::newRow("db") << "db"
                            << "init-roles";
        QTest::newRow("config") << "config"
                                << "check";
    }
    void groupHelpListsActions()
    {
        QFETCH(QString, group);
        QFETCH(QString, someAction);
        for (const QString& help : {QStringLiteral("--help"), QStringLiteral("-h")}) {
            const CliResult r = runOuthookd({group, help});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.contains("Actions:") && r.out.contains(someAction.toUtf8()), r.out.constData());
        }
        const CliResult wrong = runOuthookd({group, QStringLiteral("explode")});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("unknown action \"explode\"") && wrong.err.contains(someAction.toUtf8()),
                 wrong.err.constData());
        QVERIFY(wrong.out.isEmpty());
    }

    void errorsUseDocumentedExitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrContains");
        const QString w = QStringLiteral("webhooks");
        const QString add = QStringLiteral("add");
        QTest::newRow("no command") << QStringList{} << 2 << "Usage";
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2 << "unknown command";
        QTest::newRow("unknown action") << QStringList{w, QStringLiteral("explode")} << 2 << "unknown action";
        QTest::newRow("unknown flag") << QStringList{w, add, QStringLiteral("--colour")} << 2 << "colour";
        QTest::newRow("missing id") << QStringList{w, QStringLiteral("show")} << 2 << "missing argument";
        QTest::newRow("bad id") << QStringList{w, QStringLiteral("show"), QStringLiteral("abc")} << 2
                                << "not a webhook id";
        QTest::newRow("http url") << QStringList{w,
                                                 add,
                                                 QStringLiteral("--name"),
                                                 QStringLiteral("n"),
                                                 QStringLiteral("--url"),
                                                 QStringLiteral("http://x.example/"),
                                                 QStringLiteral("--events"),
                                                 QStringLiteral("job.created")}
                                  << 3 << "url: HTTPS is required";
        QTest::newRow("nothing given") << QStringList{w, add} << 3 << "name: Name is required";
        QTest::newRow("unknown event") << QStringList{w,
                                                      add,
                                                      QStringLiteral("--name"),
                                                      QStringLiteral("n"),
                                                      QStringLiteral("--url"),
                                                      QStringLiteral("https://x.example/"),
                                                      QStringLiteral("--events"),
                                                      QStringLiteral("job.exploded")}
                                       << 3 << "events[0]: Unknown event type";
        QTest::newRow("bad header") << QStringList{w,
                                                   add,
                                                   QStringLiteral("--name"),
                                                   QStringLiteral("n"),
                                                   QStringLiteral("--url"),
                                                   QStringLiteral("https://x.example/"),
                                                   QStringLiteral("--events"),
                                                   QStringLiteral("job.created"),
                                                   QStringLiteral("--header"),
                                                   QStringLiteral("Webhook-Id: x")}
                                    << 3 << "headers[0].name";
        QTest::newRow("header without colon")
            << QStringList{w, add, QStringLiteral("--header"), QStringLiteral("NoColon")} << 3
            << "headers[0]: Header must be written";
        QTest::newRow("bad timeout") << QStringList{w, add, QStringLiteral("--timeout"), QStringLiteral("soon")} << 3
                                     << "timeout_seconds";
        QTest::newRow("negative schedule")
            << QStringList{w, add, QStringLiteral("--retry-schedule"), QStringLiteral("-5m")} << 3 << "retry_schedule";
        QTest::newRow("bad auth") << QStringList{w, add, QStringLiteral("--auth"), QStringLiteral("digest")} << 3
                                  << "auth.type";
        QTest::newRow("password without basic")
            << QStringList{w, add, QStringLiteral("--password"), QStringLiteral("x")} << 3 << "--auth basic";
        QTest::newRow("not found") << QStringList{w, QStringLiteral("enable"), QStringLiteral("42")} << 4
                                   << "not found";
    }
    void errorsUseDocumentedExitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrContains);
        const CliResult r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(stderrContains), r.err.constData());
        QVERIFY(r.out.isEmpty());
        // A refused command leaves no webhook behind.
        if (QFile::exists(m_db))
            QCOMPARE(QJsonDocument::fromJson(
                         run({QStringLiteral("webhooks"), QStringLiteral("list"), QStringLiteral("--json")}).out)
                         .array()
                         .size(),
                     0);
    }

    void storageErrorExitsFive()
    {
        const QString junk = m_dir.filePath(QStringLiteral("junk.db"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        const CliResult r =
            runOuthookd({QStringLiteral("--db"), junk, QStringLiteral("webhooks"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 5);
        QVERIFY(r.err.contains("not an Outhook database"));
    }

    void dbFromEnvironment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OUTHOOK_DB"), m_db);
        QCOMPARE(runOuthookd(addArgs(), env).exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(
                     run({QStringLiteral("webhooks"), QStringLiteral("list"), QStringLiteral("--json")}).out)
                     .array()
                     .size(),
                 1);
    }

    void eventsListAndAdd()
    {
        const QJsonObject catalog = runJson({QStringLiteral("events"), QStringLiteral("list")});
        const QJsonArray kinds = catalog.value(QStringLiteral("kinds")).toArray();
        QVERIFY(kinds.size() >= 10);
        int types = 0;
        for (const QJsonValue& k : kinds)
            types += int(k.toObject().value(QStringLiteral("types")).toArray().size());
        QVERIFY(types >= 19);

        const QString sampleFile = m_dir.filePath(QStringLiteral("sample.json"));
        QFile f(sampleFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"shipment": {"id": "shp_1"}})");
        f.close();
        const CliResult added =
            run({QStringLiteral("events"), QStringLiteral("add"), QStringLiteral("shipment.delivered"),
                 QStringLiteral("--kind"), QStringLiteral("shipment"), QStringLiteral("--description"),
                 QStringLiteral("A parcel arrived"), QStringLiteral("--sample"), QLatin1Char('@') + sampleFile});
        QCOMPARE(added.exitCode, 0);
        const CliResult listed = run({QStringLiteral("events"), QStringLiteral("list")});
        QVERIFY(listed.out.contains("shipment.delivered"));
        QVERIFY(listed.out.contains("A parcel arrived"));

        const CliResult dup =
            run({QStringLiteral("events"), QStringLiteral("add"), QStringLiteral("shipment.delivered")});
        QCOMPARE(dup.exitCode, 3);
        const CliResult badSample = run({QStringLiteral("events"), QStringLiteral("add"), QStringLiteral("a.b"),
                                         QStringLiteral("--sample"), QStringLiteral("[1,2")});
        QCOMPARE(badSample.exitCode, 3);
        QVERIFY(badSample.err.contains("sample"));
        // The new type can be subscribed to.
        QCOMPARE(run({QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("n"),
                      QStringLiteral("--url"), QStringLiteral("https://x.example/"), QStringLiteral("--events"),
                      QStringLiteral("shipment.delivered")})
                     .exitCode,
                 0);
    }

    void helpAndVersion()
    {
        const CliResult help = runOuthookd({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("webhooks"));
        const CliResult sub = run({QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--help")});
        QCOMPARE(sub.exitCode, 0);
        QVERIFY(sub.out.contains("--retry-schedule"));
        const CliResult version = runOuthookd({QStringLiteral("--version")});
        QVERIFY(version.out.startsWith("outhookd "));
    }
};

QTEST_GUILESS_MAIN(TestCliWebhooks)
#include "tst_cli_webhooks.moc"
