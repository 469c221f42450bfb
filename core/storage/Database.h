#pragma once

#include "security/MasterKey.h"
#include "security/SecretBox.h"
#include "storage/Checkpointer.h"
#include "storage/DatabaseUrl.h"
#include "storage/Statement.h"
#include "util/Result.h"

#include <QMutex>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <functional>
#include <memory>
#include <unordered_map>

namespace outhook {

// One Outhook database, SQLite or PostgreSQL. Each thread that touches it gets its own named connection
// (QSqlDatabase connections must not cross threads). Opening validates the file, then applies the
// versioned migrations from resources/sql in one transaction each.
class Database
{
public:
    enum class Durability
    {
        Normal,
        Full
    }; // SQLite synchronous=NORMAL (WAL default) or FULL
    struct Options
    {
        Durability durability = Durability::Normal;
        int busyTimeoutMs = 5000;
        // The master key for stored secrets (see security/MasterKey.h for the search order): given
        // directly (tests, API callers) or as a key file (outhookd --master-key-file).
        std::optional<QByteArray> masterKey;
        QString masterKeyFile;
        bool useKeychain = false;         // the desktop app asks the OS keychain too (security/Keychain.h)
        bool migrate = true;              // false: refuse a database that is not at the current version...
        bool requireCurrentSchema = true; // ...unless this is false too (a read-only look: "Test connection")
    };

    // Validates and migrates. Errors are Storage errors with a message meant for users.
    static Result<std::shared_ptr<Database>> open(const DatabaseUrl& url, Options options);
    static Result<std::shared_ptr<Database>> open(const DatabaseUrl& url) { return open(url, Options{}); }
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // The calling thread's connection, opened on first use.
    QSqlDatabase connection();
    // Closes the calling thread's connection. Worker threads call it before they finish.
    void releaseThreadConnection();

    DatabaseUrl::Backend backend() const { return m_url.backend; }
    bool isPostgres() const { return m_url.backend == DatabaseUrl::Backend::Postgres; }
    const DatabaseUrl& url() const { return m_url; }
    Checkpointer* checkpointer() const { return m_checkpointer.get(); } // null on PostgreSQL
    static int latestSchemaVersion();
    Result<int> schemaVersion();
    // Sets SQLite's process-wide options, once, before the first connection opens (every Database does
    // this when it is made). False when the library was already initialised, which leaves its defaults.
    static bool configureSqliteLibrary();

    // Runs `body` in a write transaction (BEGIN IMMEDIATE on SQLite so writers queue on the busy
    // timeout instead of failing on a lock upgrade). Commits when body returns ok, else rolls back.
    Status transaction(const std::function<Status(QSqlDatabase&)>& body);

    // PostgreSQL LISTEN/NOTIFY, so engines and viewers on other machines hear about new work at once.
    // The channel for "deliveries became due": raised inside write transactions (delivered at commit).
    static constexpr const char* kQueueChannel = "outhook_queue";
    // "Deliveries, attempts or webhooks changed": live views refresh on it.
    static constexpr const char* kChangesChannel = "outhook_changes";
    // Raises `channel` on this thread's connection; a no-op on SQLite (same-host processes poll).
    Status notify(const QString& channel);
    // Subscribes this thread's connection; `callback` runs on this thread. False on SQLite.
    bool subscribe(const QString& channel, QObject* context, std::function<void()> callback);

    // False when the connected PostgreSQL user may not read webhook secrets (the support role). Asked
    // once per Database; always true on SQLite.
    bool canReadSecrets();

    // Seals and opens the webhook secrets; nullptr for a user who may not read secrets (PostgreSQL support
    // role), who never needs the master key.
    const security::SecretBox* secretBox() const { return m_box.get(); }
    // Where the master key came from, for messages ("OUTHOOK_MASTER_KEY", "key file ..."). Empty without one.
    QString masterKeySource() const { return m_keySource; }
    // Where a new key is written when none exists: <db>.key next to an SQLite file,
    // <config>/outhook/master.key for PostgreSQL.
    static QString defaultKeyFile(const DatabaseUrl& url);
    // Re-encrypts every stored secret with `next` in one transaction and records its key check; the
    // database is unchanged when anything fails. The caller then makes `next` the key Outhook finds.
    Status rotateMasterKey(const security::MasterKey& next);

    // A message naming what failed, with the driver's text.
    static Error queryError(const QSqlQuery& q, const QString& what);
    Error statementError(const Statement& statement, const QString& what) const;
    // Prepares `sql` on the thread's connection. SQL uses "?" placeholders.
    QSqlQuery prepare(const QString& sql);
    // The calling thread's statement for `sql`, prepared on first use and kept until the thread releases
    // its connection, for the hot paths (emit, claim, record): parsing the SQL anew on every call was a
    // quarter of their CPU time. Comes back finished (no open cursor) with no values bound; bind with
    // addBindValue(), and finish() it after reading. Check isValid()-independent errors with exec().
    // `sql` must not vary per call (no inlined values), or the cache grows without bound.
    QSqlQuery& statement(const QString& sql);
    // The same for the hottest writes, without QSqlQuery's per-value costs (see Statement). Comes back
    // reset; check isValid() before binding.
    Statement& fastStatement(const QString& sql);

private:
    Database(DatabaseUrl url, Options options);
    QString threadConnectionName() const;
    Result<QSqlDatabase> openConnection(const QString& name);
    Status configure(QSqlDatabase& db);
    Status migrate();
    Status checkSqliteFile() const;
    // Finds the master key and checks it against crypto_meta; a database without a key check gets one
    // (and its plaintext secrets sealed) in one transaction. Defined in DatabaseSecrets.cpp.
    Status unlockSecrets();

    DatabaseUrl m_url;
    Options m_options;
    std::unique_ptr<Checkpointer> m_checkpointer; // SQLite: every connection's commits report to it
    QString m_prefix;
    QMutex m_mutex;
    QSet<QString> m_connectionNames;
    // Per connection name: SQL -> its prepared statement. Each inner map is used by its own thread only.
    std::unordered_map<QString, std::unordered_map<QString, std::unique_ptr<QSqlQuery>>> m_statements;
    std::unordered_map<QString, std::unordered_map<QString, std::unique_ptr<Statement>>> m_fastStatements;
    std::optional<bool> m_canReadSecrets;
    std::shared_ptr<const security::SecretBox> m_box;
    QString m_keySource;
};

} // namespace outhook
