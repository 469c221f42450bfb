#include "storage/Database.h"
#include "storage/EventCatalog.h"
#include "storage/Roles.h"
#include "storage/WebhookStore.h"

#include "TestDatabases.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace outhook;

// Secrets at rest on both backends (scripts/test-postgres build/tests/core/tst_secretsatrest): sealed on
// write, opened on read, legacy plaintext sealed on first open, wrong or missing keys refused without a
// byte changed, master key rotation. The key comes from the API or from key files in a temp dir; the
// OS keychain is never asked.
class TestSecretsAtRest : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;

    static constexpr const char* kPassword = "pw-Zq81-plaintext-password";
    static constexpr const char* kToken = "tok-Lk22-plaintext-bearer";
    static constexpr const char* kHeaderValue = "hdr-Mv93-plaintext-header";

    static Webhook sample()
    {
        Webhook w;
        w.name = QStringLiteral("Billing");
        w.url = QStringLiteral("https://hooks.example.com/billing");
        w.events = {QStringLiteral("invoice.paid")};
        w.auth = {AuthConfig::Type::Basic, QStringLiteral("alice"), QLatin1String(kPassword), {}};
        w.headers = {{QStringLiteral("X-Team"), QStringLiteral("billing-visible"), false},
                     {QStringLiteral("X-Api-Key"), QLatin1String(kHeaderValue), true}};
        return w;
    }

    void closeStores()
    {
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }
    void attach(std::shared_ptr<Database> db)
    {
        m_db = std::move(db);
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
    }
    Result<std::shared_ptr<Database>> reopen(const DatabaseUrl& url, Database::Options options = {})
    {
        return Database::open(url, options);
    }
    QStringList rawSecrets(qint64 id)
    {
        QSqlQuery q(m_db->connection());
        q.prepare(QStringLiteral("SELECT secret, previous_secret, auth_secret, headers FROM webhooks WHERE id = ?"));
        q.addBindValue(id);
        if (!q.exec() || !q.next())
            return {};
        return {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString()};
    }
    // Every byte the backend keeps for webhooks: the SQLite file and its WAL, or each row as text.
    QByteArray storedBytes()
    {
        if (m_db->isPostgres()) {
            QSqlQuery q(m_db->connection());
            q.exec(QStringLiteral("SELECT webhooks::text FROM webhooks"));
            QByteArray out;
            while (q.next())
                out += q.value(0).toString().toUtf8();
            return out;
        }
        QByteArray out;
        for (const QString& suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(m_db->url().path + suffix);
            if (f.open(QIODevice::ReadOnly))
                out += f.readAll();
        }
        return out;
    }
    static QByteArray fileHash(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
    }

private Q_SLOTS:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase()
    {
        // Keys for this run live in the temp dir: the PostgreSQL default key file is under the config dir.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir.filePath(QStringLiteral("config"))));
        qputenv("OUTHOOK_KEYCHAIN", "off");
    }
    void init()
    {
        qunsetenv("OUTHOOK_MASTER_KEY");
        qunsetenv("OUTHOOK_MASTER_KEY_FILE");
        static int n = 0;
        auto db = test::freshDatabase(m_dir.filePath(QStringLiteral("sar%1.db").arg(++n)));
        QVERIFY2(db, "could not open a fresh database for this backend");
        attach(db);
    }
    void cleanup()
    {
        closeStores();
        qunsetenv("OUTHOOK_MASTER_KEY");
    }

    void secretsAreSealedAndReadBackTransparently()
    {
        QVERIFY(m_db->secretBox());
        QVERIFY(!m_db->masterKeySource().isEmpty());
        const auto created = m_store->create(sample());
        QVERIFY2(created, qPrintable(created.error().message));
        QCOMPARE(created->auth.password, QLatin1String(kPassword));
        QCOMPARE(created->headers.at(1).value, QLatin1String(kHeaderValue));
        QVERIFY(created->secret.startsWith(QLatin1String("whsec_")));
        const auto rotated = m_store->rotateSecret(created->id, 3600);
        QVERIFY(rotated);
        QCOMPARE(rotated->previousSecret, created->secret);

        const QStringList raw = rawSecrets(created->id);
        QCOMPARE(raw.size(), 4);
        for (int i = 0; i < 3; ++i)
            QVERIFY2(raw.at(i).startsWith(QLatin1String("enc:v1:")), qPrintable(raw.at(i)));
        QVERIFY(raw.at(3).contains(QLatin1String("billing-visible"))); // plain headers stay readable
        QVERIFY(raw.at(3).contains(QLatin1String("enc:v1:")));
        QVERIFY(!raw.join(QString()).contains(QLatin1String(kHeaderValue)));

        Webhook w = *rotated;
        w.auth = {AuthConfig::Type::Bearer, {}, {}, QLatin1String(kToken)};
        const auto updated = m_store->update(w);
        QVERIFY2(updated, qPrintable(updated.error().message));
        QCOMPARE(updated->auth.token, QLatin1String(kToken));
        QVERIFY(rawSecrets(w.id).at(2).startsWith(QLatin1String("enc:v1:")));

        const auto listed = m_store->list();
        QVERIFY(listed);
        QCOMPARE(listed->first().secret, rotated->secret);
        QCOMPARE(listed->first().previousSecret, created->secret);
        QCOMPARE(listed->first().headers, updated->headers);

        const QByteArray bytes = storedBytes();
        QVERIFY(!bytes.isEmpty());
        for (const QString& plain :
             {QString::fromLatin1(kPassword), QString::fromLatin1(kToken), QString::fromLatin1(kHeaderValue),
              rotated->secret, created->secret, rotated->secret.mid(6)})
            QVERIFY2(!bytes.contains(plain.toUtf8()), qPrintable(plain));
    }

    void sqliteFileHoldsNoPlaintextAfterCheckpoint()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != QLatin1String("sqlite"))
            QSKIP("file bytes are checked for SQLite; the postgres row checks row text in the test above");
        const auto created = m_store->create(sample());
        QVERIFY(created);
        const QString path = m_db->url().path;
        QVERIFY(QFile(path + QStringLiteral("-wal")).size() > 0); // the write sits in the WAL until checkpoint
        QVERIFY(!storedBytes().contains(kPassword));
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
        q.finish();
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray file = f.readAll();
        QVERIFY(file.contains("hooks.example.com/billing")); // the row did reach the main file
        for (const QByteArray& plain : {QByteArray(kPassword), QByteArray(kHeaderValue), created->secret.toUtf8(),
                                        created->secret.mid(6).toUtf8()})
            QVERIFY2(!file.contains(plain), plain.constData());
    }

    void legacyPlaintextIsSealedOnFirstOpenWithAKey()
    {
        const auto created = m_store->create(sample());
        QVERIFY(created);
        const DatabaseUrl url = m_db->url();
        {
            // Turn the database back into what version 3 left: plaintext columns, no crypto_meta...
            QSqlQuery q(m_db->connection());
            q.prepare(QStringLiteral("UPDATE webhooks SET secret = ?, auth_secret = ?, headers = ? WHERE id = ?"));
            q.addBindValue(created->secret);
            q.addBindValue(QLatin1String(kPassword));
            q.addBindValue(QStringLiteral("[{\"name\":\"X-Api-Key\",\"value\":\"%1\",\"secret\":true}]")
                               .arg(QLatin1String(kHeaderValue)));
            q.addBindValue(created->id);
            QVERIFY(q.exec());
            QVERIFY(q.exec(QStringLiteral("DROP TABLE crypto_meta")));
            // ...and without what later migrations added (0005's attempts index, 0006 settings, 0008 counts;
            // 0008 also dropped 0005's delivery indexes and gave back version 2's deliveries_by_created).
            QVERIFY(q.exec(QStringLiteral("DROP INDEX attempts_by_started")));
            QVERIFY(q.exec(QStringLiteral("DROP TABLE settings")));
            QVERIFY(q.exec(QStringLiteral("DROP TABLE delivery_counts")));
            QVERIFY(q.exec(QStringLiteral("UPDATE outhook_meta SET value = '3' WHERE key = 'schema_version'")));
        }
        closeStores();
        auto db = reopen(url);
        QVERIFY2(db, qPrintable(db.error().message));
        attach(*db);
        QCOMPARE(*m_db->schemaVersion(), Database::latestSchemaVersion());
        const QStringList raw = rawSecrets(created->id);
        QVERIFY2(raw.at(0).startsWith(QLatin1String("enc:v1:")), qPrintable(raw.at(0)));
        QVERIFY(raw.at(2).startsWith(QLatin1String("enc:v1:")));
        QVERIFY(!raw.at(3).contains(QLatin1String(kHeaderValue)));
        const auto w = m_store->get(created->id);
        QVERIFY2(w, qPrintable(w.error().message));
        QCOMPARE(w->secret, created->secret);
        QCOMPARE(w->auth.password, QLatin1String(kPassword));
        QCOMPARE(w->headers.first().value, QLatin1String(kHeaderValue));
    }

    void wrongKeyIsRefusedAndNothingChanges()
    {
        const auto created = m_store->create(sample());
        QVERIFY(created);
        const DatabaseUrl url = m_db->url();
        const QStringList before = rawSecrets(created->id);
        const QString rightSource = m_db->masterKeySource();
        closeStores();
        const QByteArray hashBefore = url.backend == DatabaseUrl::Backend::Sqlite ? fileHash(url.path) : QByteArray();

        Database::Options wrong;
        wrong.masterKey = QByteArray(32, 'w');
        auto refused = reopen(url, wrong);
        QVERIFY(!refused);
        const QString message = refused.error().message;
        QVERIFY2(message.contains(QLatin1String("Wrong master key")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("the key given by the caller")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("OUTHOOK_MASTER_KEY")), qPrintable(message)); // what to do
        QVERIFY(message.contains(security::SecretBox::keyIdOf(QByteArray(32, 'w'))));

        qputenv("OUTHOOK_MASTER_KEY", QByteArray(32, 'v').toBase64());
        refused = reopen(url);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QLatin1String("OUTHOOK_MASTER_KEY holds key")),
                 qPrintable(refused.error().message));
        qunsetenv("OUTHOOK_MASTER_KEY");

        if (url.backend == DatabaseUrl::Backend::Sqlite) {
            QCOMPARE(fileHash(url.path), hashBefore);
            QVERIFY(QFile(url.path + QStringLiteral("-wal")).size() == 0 ||
                    !QFile::exists(url.path + QStringLiteral("-wal")));
        }
        auto right = reopen(url);
        QVERIFY2(right, qPrintable(right.error().message));
        attach(*right);
        QCOMPARE(m_db->masterKeySource(), rightSource);
        QCOMPARE(rawSecrets(created->id), before);
        QCOMPARE(m_store->get(created->id)->auth.password, QLatin1String(kPassword));
    }

    void missingKeyIsRefusedNotReplaced()
    {
        QVERIFY(m_store->create(sample()));
        const DatabaseUrl url = m_db->url();
        closeStores();
        const QString keyFile = Database::defaultKeyFile(url);
        QVERIFY2(QFile::exists(keyFile), qPrintable(keyFile));
        QVERIFY(QFile::rename(keyFile, keyFile + QStringLiteral(".moved")));
        const auto refused = reopen(url);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QLatin1String("no master key was found")),
                 qPrintable(refused.error().message));
        QVERIFY(refused.error().message.contains(keyFile));
        QVERIFY(!QFile::exists(keyFile)); // a fresh key would lock the old secrets away for good
        QVERIFY(QFile::rename(keyFile + QStringLiteral(".moved"), keyFile));

        // --master-key-file pointing at the moved key works too.
        QVERIFY(QFile::copy(keyFile, keyFile + QStringLiteral(".copy")));
        QFile::setPermissions(keyFile + QStringLiteral(".copy"), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        Database::Options named;
        named.masterKeyFile = keyFile + QStringLiteral(".copy");
        auto db = reopen(url, named);
        QVERIFY2(db, qPrintable(db.error().message));
        QVERIFY((*db)->masterKeySource().contains(named.masterKeyFile));
        QFile::remove(named.masterKeyFile);
    }

    void tamperedValueIsAnErrorNamingTheWebhook()
    {
        const auto created = m_store->create(sample());
        QVERIFY(created);
        const security::SecretBox other(QByteArray(32, 'o'));
        QSqlQuery q(m_db->connection());
        q.prepare(QStringLiteral("UPDATE webhooks SET auth_secret = ? WHERE id = ?"));
        q.addBindValue(other.seal(QStringLiteral("forged"), QStringLiteral("webhooks.auth_secret")));
        q.addBindValue(created->id);
        QVERIFY(q.exec());
        const auto w = m_store->get(created->id);
        QVERIFY(!w);
        QVERIFY2(w.error().message.contains(QStringLiteral("Webhook %1").arg(created->id)),
                 qPrintable(w.error().message));
        QVERIFY(w.error().message.contains(QLatin1String("webhooks.auth_secret")));
    }

    void masterKeyRotationResealsEverything()
    {
        const auto created = m_store->create(sample());
        QVERIFY(created);
        const DatabaseUrl url = m_db->url();
        const QString before = rawSecrets(created->id).at(0);
        const QByteArray next(32, 'n');
        QVERIFY(m_db->rotateMasterKey({next, QStringLiteral("test key")}));
        QCOMPARE(m_db->secretBox()->keyId(), security::SecretBox::keyIdOf(next));
        QVERIFY(rawSecrets(created->id).at(0) != before);
        QCOMPARE(m_store->get(created->id)->auth.password, QLatin1String(kPassword));
        QCOMPARE(m_db->rotateMasterKey({next, QStringLiteral("same key")}).error().kind, Error::Kind::Usage);
        closeStores();

        QVERIFY(!reopen(url)); // the old key (default file) no longer opens it
        Database::Options withNext;
        withNext.masterKey = next;
        auto db = reopen(url, withNext);
        QVERIFY2(db, qPrintable(db.error().message));
        attach(*db);
        const auto w = m_store->get(created->id);
        QVERIFY(w);
        QCOMPARE(w->secret, created->secret);
        QCOMPARE(w->headers.at(1).value, QLatin1String(kHeaderValue));
    }

    void sqliteKeyFileSitsNextToTheDatabase()
    {
        QFETCH_GLOBAL(QString, backend);
        const QString keyFile = Database::defaultKeyFile(m_db->url());
        if (backend == QLatin1String("sqlite"))
            QCOMPARE(keyFile, m_db->url().path + QStringLiteral(".key"));
        else
            QCOMPARE(keyFile, m_dir.filePath(QStringLiteral("config/outhook/master.key")));
        QVERIFY(QFile::exists(keyFile));
        QCOMPARE(QFile::permissions(keyFile) & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                 QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::Permissions());
        QVERIFY(m_db->masterKeySource().contains(keyFile));
    }

    void supportUserNeedsNoMasterKey()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != QLatin1String("postgres"))
            QSKIP("database roles exist on PostgreSQL only");
        QVERIFY(m_store->create(sample()));
        QVERIFY(roles::initRoles(*m_db));
        QSqlQuery q(m_db->connection());
        q.exec(QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sar_support') "
                              "THEN CREATE ROLE sar_support LOGIN; END IF; END $$"));
        QVERIFY(roles::grant(*m_db, QStringLiteral("sar_support"), QStringLiteral("support")));
        DatabaseUrl support = m_db->url();
        support.user = QStringLiteral("sar_support");
        // No key anywhere: an empty config dir and no environment.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir.filePath(QStringLiteral("support-config"))));
        auto db = Database::open(support);
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir.filePath(QStringLiteral("config"))));
        QVERIFY2(db, qPrintable(db.error().message));
        QVERIFY(!(*db)->secretBox());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("support-config/outhook/master.key"))));
        EventCatalog catalog(*db, m_clock);
        WebhookStore store(*db, catalog, m_clock);
        const auto list = store.list();
        QVERIFY2(list, qPrintable(list.error().message));
        QCOMPARE(list->size(), 1);
        QVERIFY(list->first().secret.isEmpty());
        QVERIFY(list->first().auth.password.isEmpty());
        QCOMPARE(store.create(sample()).error().kind, Error::Kind::Storage);
    }
};

QTEST_GUILESS_MAIN(TestSecretsAtRest)
#include "tst_secretsatrest.moc"
