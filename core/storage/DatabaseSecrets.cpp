// The master-key half of Database: finding the key, refusing a wrong one, sealing legacy plaintext and
// rotating the key. Split from Database.cpp to keep each file about one thing.
#include "security/Keychain.h"
#include "storage/Database.h"
#include "storage/SecretColumns.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSqlQuery>
#include <QStandardPaths>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("Database", text);
}

// The known text sealed as the key check, under its own associated data.
const QString kCheckText = QStringLiteral("outhook master key check v1");
const QString kCheckContext = QStringLiteral("crypto_meta.key_check");

struct KeyCheck
{
    QString keyId;
    QString sealed;
};

Result<std::optional<KeyCheck>> readKeyCheck(QSqlDatabase& db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT key_id, key_check FROM crypto_meta WHERE name = 'master'")))
        return Database::queryError(q, tr("reading the master key check"));
    if (!q.next())
        return std::optional<KeyCheck>();
    return std::optional<KeyCheck>(KeyCheck{q.value(0).toString(), q.value(1).toString()});
}

Status writeKeyCheck(QSqlDatabase& db, const security::SecretBox& box)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO crypto_meta (name, key_id, key_check, created_at) VALUES ('master', ?, ?, ?) "
                             "ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, "
                             "key_check = excluded.key_check, created_at = excluded.created_at"));
    q.addBindValue(box.keyId());
    q.addBindValue(box.seal(kCheckText, kCheckContext));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return Database::queryError(q, tr("recording the master key check"));
    return {};
}

QString keychainAccount(const DatabaseUrl& url)
{
    return QStringLiteral("master-key ") + url.displayString();
}

} // namespace

QString Database::defaultKeyFile(const DatabaseUrl& url)
{
    if (url.backend == DatabaseUrl::Backend::Sqlite)
        return url.path + QStringLiteral(".key");
    // A server database has no "next to": the key is per user and machine, shared by the app and outhookd.
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/outhook/master.key");
}

Status Database::unlockSecrets()
{
    // Support users read webhooks without their secret columns; they need no key and get no box.
    if (!canReadSecrets())
        return {};
    QSqlDatabase db = connection();
    auto existing = readKeyCheck(db);
    if (!existing)
        return existing.error();

    security::KeySources sources;
    sources.explicitKey = m_options.masterKey;
    sources.keyFile = m_options.masterKeyFile;
    sources.defaultKeyFile = defaultKeyFile(m_url);
    if (security::keychain::wanted(m_options.useKeychain))
        sources.keychainAccount = keychainAccount(m_url);
    auto lookup = security::locateKey(sources);
    if (!lookup)
        return Error::storage(tr("Cannot open %1: %2").arg(m_url.displayString(), lookup.error().message));

    const auto refuse = [this](const security::MasterKey& key, const KeyCheck& check) {
        return Error::storage(
            tr("Wrong master key for %1: its secrets were encrypted with key %2, but %3 holds key %4. Nothing was "
               "read or changed. Use the key this database was created with (set OUTHOOK_MASTER_KEY, pass "
               "--master-key-file, or restore %5).")
                .arg(m_url.displayString(), check.keyId, key.source, security::SecretBox::keyIdOf(key.bytes),
                     defaultKeyFile(m_url)));
    };
    const auto verify = [](const security::SecretBox& box, const KeyCheck& check) {
        const auto opened = box.open(check.sealed, kCheckContext);
        return security::SecretBox::isSealed(check.sealed) && opened && *opened == kCheckText;
    };

    if (*existing) {
        if (!lookup->key)
            return Error::storage(
                tr("%1 holds encrypted secrets (master key %2), but no master key was found (looked at: %3). Set "
                   "OUTHOOK_MASTER_KEY or pass --master-key-file with the key this database was created with. "
                   "Nothing was changed.")
                    .arg(m_url.displayString(), (*existing)->keyId, lookup->searched));
        auto box = std::make_shared<security::SecretBox>(lookup->key->bytes);
        if (!verify(*box, **existing))
            return refuse(*lookup->key, **existing);
        m_box = std::move(box);
        m_keySource = lookup->key->source;
        return {};
    }

    // First open with a key: make or find one, then record its check and seal legacy plaintext at once.
    security::MasterKey key;
    if (lookup->key) {
        key = *lookup->key;
    } else {
        auto created = security::createKey(*lookup, sources);
        if (!created)
            return Error::storage(tr("Cannot open %1: %2").arg(m_url.displayString(), created.error().message));
        key = *created;
    }
    auto box = std::make_shared<security::SecretBox>(key.bytes);
    Status s = transaction([&](QSqlDatabase& c) -> Status {
        QSqlQuery q(c);
        // Engines starting together on one server: one writes the check, the others then verify it.
        if (isPostgres() && !q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7424592)")))
            return queryError(q, tr("locking for the master key check"));
        auto again = readKeyCheck(c);
        if (!again)
            return again.error();
        if (*again)
            return verify(*box, **again) ? Status() : Status(refuse(key, **again));
        if (Status st = secretcolumns::resealAll(c, box.get(), *box); !st)
            return st;
        return writeKeyCheck(c, *box);
    });
    if (!s)
        return s;
    m_box = std::move(box);
    m_keySource = key.source;
    return {};
}

Status Database::rotateMasterKey(const security::MasterKey& next)
{
    if (!m_box)
        return Error::usage(tr("Rotating the master key needs a user who may read secrets"));
    auto box = std::make_shared<security::SecretBox>(next.bytes);
    if (box->keyId() == m_box->keyId())
        return Error::usage(tr("The new master key (from %1) is the key in use; nothing to do").arg(next.source));
    Status s = transaction([&](QSqlDatabase& c) -> Status {
        QSqlQuery q(c);
        if (isPostgres() && !q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7424592)")))
            return queryError(q, tr("locking for the master key rotation"));
        if (Status st = secretcolumns::resealAll(c, m_box.get(), *box); !st)
            return st;
        return writeKeyCheck(c, *box);
    });
    if (!s)
        return s;
    m_box = std::move(box);
    m_keySource = next.source;
    return {};
}

} // namespace outhook
