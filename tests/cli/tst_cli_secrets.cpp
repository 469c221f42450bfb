#include "CliRunner.h"
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlCommand.h"
#include "storage/Database.h"
#include "storage/DeliveryLog.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using outhook::test::TestPki;
using outhook::test::TlsReceiver;

// Redaction and secrets at rest seen from outside, through a real outhookd: known secret strings never
// show up in CLI output, logs, stored attempt headers, copy-as-cURL or the database file, while the
// receiver does get them. Also the CLI side of master keys: wrong key, malformed key, rotation.
class TestCliSecrets : public QObject
{
    Q_OBJECT
    TestPki m_pki;
    QTemporaryDir m_dir;
    QString m_db;
    std::unique_ptr<TlsReceiver> m_receiver;

    static constexpr const char* kPassword = "pw-Qx71-never-shown";
    static constexpr const char* kToken = "tok-Rb55-never-shown";
    static constexpr const char* kHeaderValue = "hdr-Yw38-never-shown";
    static constexpr const char* kCookie = "session=ck-Pn20-never-shown";

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
    static QByteArray basicToken() { return QByteArray("alice:").append(kPassword).toBase64(); }
    // What must never appear: the credentials, the Basic token built from them, and the signing secret.
    QList<QByteArray> forbidden(const QString& signingSecret) const
    {
        return {kPassword,
                kToken,
                kHeaderValue,
                "ck-Pn20-never-shown",
                basicToken(),
                signingSecret.toUtf8(),
                signingSecret.mid(6).toUtf8()};
    }
    static QString leak(const QByteArray& haystack, const QList<QByteArray>& needles)
    {
        for (const QByteArray& n : needles) {
            if (haystack.contains(n))
                return QString::fromUtf8(n);
        }
        return {};
    }
    static QByteArray fileHash(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                                           : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pki.isValid());
        qunsetenv("OUTHOOK_MASTER_KEY");
        qunsetenv("OUTHOOK_MASTER_KEY_FILE");
        qputenv("OUTHOOK_KEYCHAIN", "off");
    }
    void init()
    {
        static int n = 0;
        m_db = m_dir.filePath(QStringLiteral("secrets%1.db").arg(++n));
        m_receiver = std::make_unique<TlsReceiver>(m_pki);
        QVERIFY(m_receiver->listen());
    }
    void cleanup()
    {
        m_receiver.reset();
        qunsetenv("OUTHOOK_MASTER_KEY");
    }

    void secretsNeverLeaveThroughOutputLogsOrFiles()
    {
        CliResult r = run({QStringLiteral("webhooks"),
                           QStringLiteral("add"),
                           QStringLiteral("--name"),
                           QStringLiteral("receiver"),
                           QStringLiteral("--url"),
                           m_receiver->url(),
                           QStringLiteral("--events"),
                           QStringLiteral("job.created"),
                           QStringLiteral("--active"),
                           QStringLiteral("--auth"),
                           QStringLiteral("basic"),
                           QStringLiteral("--username"),
                           QStringLiteral("alice"),
                           QStringLiteral("--password"),
                           QLatin1String(kPassword),
                           QStringLiteral("--secret-header"),
                           QStringLiteral("X-Api-Key: ") + QLatin1String(kHeaderValue),
                           QStringLiteral("--header"),
                           QStringLiteral("Cookie: ") + QLatin1String(kCookie),
                           QStringLiteral("--header"),
                           QStringLiteral("X-Team: visible-team"),
                           QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject created = QJsonDocument::fromJson(r.out).object();
        const QString secret = created.value(QStringLiteral("secret")).toString();
        QVERIFY(secret.startsWith(QLatin1String("whsec_"))); // shown once, at creation, by design
        const QString id = QString::number(created.value(QStringLiteral("id")).toInteger());
        QVERIFY(!r.out.contains(kPassword) && !r.out.contains(kHeaderValue) && !r.out.contains("ck-Pn20"));
        const QList<QByteArray> never = forbidden(secret);
        QList<QByteArray> neverButSigning = never;
        neverButSigning.removeLast();
        neverButSigning.removeLast();

        // Listings hide everything; show hides credentials (it prints the signing secret on purpose).
        for (const QStringList& args :
             {QStringList{QStringLiteral("webhooks"), QStringLiteral("list")},
              QStringList{QStringLiteral("webhooks"), QStringLiteral("list"), QStringLiteral("--json")}}) {
            r = run(args);
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(leak(r.out + r.err, never).isEmpty(),
                     qPrintable(args.join(QLatin1Char(' ')) + leak(r.out, never)));
        }
        for (const QStringList& args :
             {QStringList{QStringLiteral("webhooks"), QStringLiteral("show"), id},
              QStringList{QStringLiteral("webhooks"), QStringLiteral("show"), id, QStringLiteral("--json")}}) {
            r = run(args);
            QCOMPARE(r.exitCode, 0);
            QVERIFY(r.out.contains("visible-team"));
            QVERIFY2(leak(r.out + r.err, neverButSigning).isEmpty(), qPrintable(leak(r.out, neverButSigning)));
        }

        // The receiver gets the real credentials; nothing the engine prints or stores has them.
        QCOMPARE(run({QStringLiteral("emit"), QStringLiteral("job.created")}).exitCode, 0);
        r = run({QStringLiteral("dispatch"), QStringLiteral("--until-idle")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(m_receiver->requestCount(), 1);
        const auto sent = m_receiver->requests().first().headers;
        const auto header = [&](const QByteArray& name) {
            for (const auto& [n, v] : sent) {
                if (n.compare(name, Qt::CaseInsensitive) == 0)
                    return v;
            }
            return QByteArray();
        };
        QCOMPARE(header("authorization"), "Basic " + basicToken());
        QCOMPARE(header("x-api-key"), QByteArray(kHeaderValue));
        QCOMPARE(header("cookie"), QByteArray(kCookie));
        QVERIFY2(leak(r.out + r.err, never).isEmpty(), qPrintable(leak(r.out + r.err, never)));

        r = run({QStringLiteral("deliveries"), QStringLiteral("list"), QStringLiteral("--json")});
        const qint64 deliveryId =
            QJsonDocument::fromJson(r.out).array().first().toObject().value(QStringLiteral("id")).toInteger();
        QVERIFY(deliveryId > 0);
        for (const QStringList& args :
             {QStringList{QStringLiteral("deliveries"), QStringLiteral("show"), QString::number(deliveryId)},
              QStringList{QStringLiteral("deliveries"), QStringLiteral("show"), QString::number(deliveryId),
                          QStringLiteral("--json")}}) {
            r = run(args);
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(leak(r.out + r.err, never).isEmpty(), qPrintable(leak(r.out, never)));
        }

        {
            auto db = outhook::Database::open(*outhook::DatabaseUrl::parse(m_db));
            QVERIFY2(db, qPrintable(db.error().message));
            const auto attempts = outhook::DeliveryLog(*db).attempts(deliveryId);
            QVERIFY(attempts && attempts->size() == 1);
            QByteArray stored;
            for (const auto& [n, v] : attempts->first().requestHeaders)
                stored += n + ": " + v + "\n";
            QVERIFY(stored.contains("authorization: Basic [redacted]"));
            QVERIFY(stored.contains("X-Api-Key: [redacted]"));
            QVERIFY(stored.contains("Cookie: [redacted]"));
            QVERIFY2(leak(stored, never).isEmpty(), qPrintable(leak(stored, never)));
            const QString curl = outhook::curlCommand(attempts->first(), "{}");
            QVERIFY(curl.contains(QLatin1String("[redacted]")));
            QVERIFY2(leak(curl.toUtf8(), never).isEmpty(), qPrintable(curl));
        }

        // The bytes on disk: no process has the database open now, so the WAL is checkpointed away.
        QByteArray disk;
        for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-journal")}) {
            QFile f(m_db + suffix);
            if (f.open(QIODevice::ReadOnly))
                disk += f.readAll();
        }
        QVERIFY(disk.contains("visible-team"));
        QVERIFY2(leak(disk, never).isEmpty(), qPrintable(leak(disk, never)));

        // A bearer token takes the same road.
        r = run({QStringLiteral("webhooks"), QStringLiteral("update"), id, QStringLiteral("--auth"),
                 QStringLiteral("bearer"), QStringLiteral("--token"), QLatin1String(kToken)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(!r.out.contains(kToken));
        r = run({QStringLiteral("webhooks"), QStringLiteral("show"), id, QStringLiteral("--json")});
        QVERIFY(!r.out.contains(kToken));
        QFile f(m_db);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains(kToken));
    }

    void wrongOrMalformedKeyIsRefusedAndChangesNothing()
    {
        CliResult r = run({QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--name"),
                           QStringLiteral("n"), QStringLiteral("--url"), m_receiver->url(), QStringLiteral("--events"),
                           QStringLiteral("job.created")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(m_db + QStringLiteral(".key")));
        const QByteArray before = fileHash(m_db);

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OUTHOOK_MASTER_KEY"), QString::fromLatin1(QByteArray(32, 'w').toBase64()));
        r = runOuthookd({QStringLiteral("--db"), m_db, QStringLiteral("webhooks"), QStringLiteral("list")}, env);
        QCOMPARE(r.exitCode, 5);
        QVERIFY2(r.err.contains("Wrong master key") && r.err.contains("OUTHOOK_MASTER_KEY holds key"),
                 r.err.constData());

        env.insert(QStringLiteral("OUTHOOK_MASTER_KEY"), QStringLiteral("c2hvcnQ="));
        r = runOuthookd({QStringLiteral("--db"), m_db, QStringLiteral("emit"), QStringLiteral("job.created")}, env);
        QCOMPARE(r.exitCode, 5);
        QVERIFY2(r.err.contains("OUTHOOK_MASTER_KEY is not a valid master key (5 bytes"), r.err.constData());
        QVERIFY(!r.err.contains("c2hvcnQ="));

        const QString missing = m_dir.filePath(QStringLiteral("nowhere.key"));
        r = run({QStringLiteral("--master-key-file"), missing, QStringLiteral("webhooks"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 5);
        QVERIFY2(r.err.contains("no master key was found") && r.err.contains(missing.toUtf8()), r.err.constData());
        QVERIFY(!QFile::exists(missing));
        QCOMPARE(fileHash(m_db), before);
    }

    void rotateMasterKeyReplacesTheDefaultKeyFile()
    {
        CliResult r =
            run({QStringLiteral("webhooks"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("n"),
                 QStringLiteral("--url"), m_receiver->url(), QStringLiteral("--events"), QStringLiteral("job.created"),
                 QStringLiteral("--auth"), QStringLiteral("bearer"), QStringLiteral("--token"), QLatin1String(kToken)});
        QCOMPARE(r.exitCode, 0);
        const QString keyFile = m_db + QStringLiteral(".key");
        QFile old(keyFile);
        QVERIFY(old.open(QIODevice::ReadOnly));
        const QByteArray oldKey = old.readAll().trimmed();
        old.close();

        r = run({QStringLiteral("db"), QStringLiteral("rotate-master-key")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile now(keyFile);
        QVERIFY(now.open(QIODevice::ReadOnly));
        QVERIFY(now.readAll().trimmed() != oldKey);
        QVERIFY(!QFile::exists(keyFile + QStringLiteral(".new")));
        QCOMPARE(QFile::permissions(keyFile) & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());

        r = run({QStringLiteral("webhooks"), QStringLiteral("list")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OUTHOOK_MASTER_KEY"), QString::fromLatin1(oldKey));
        r = runOuthookd({QStringLiteral("--db"), m_db, QStringLiteral("webhooks"), QStringLiteral("list")}, env);
        QCOMPARE(r.exitCode, 5); // the old key opens nothing any more

        // To a named file: the operator switches to it afterwards.
        const QString next = m_dir.filePath(QStringLiteral("next.key"));
        r = run({QStringLiteral("db"), QStringLiteral("rotate-master-key"), QStringLiteral("--new-key-file"), next});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains(next.toUtf8()));
        QCOMPARE(run({QStringLiteral("webhooks"), QStringLiteral("list")}).exitCode, 5);
        r = run({QStringLiteral("--master-key-file"), next, QStringLiteral("webhooks"), QStringLiteral("list")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSecrets)
#include "tst_cli_secrets.moc"
