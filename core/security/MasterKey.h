#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace outhook::security {

// The key that encrypts stored secrets, and where it came from (for messages: never the key itself).
struct MasterKey
{
    QByteArray bytes; // SecretBox::kKeySize bytes
    QString source;   // "OUTHOOK_MASTER_KEY", "key file /path/outhook.db.key", ...
};

// Where to look for the master key, in this order:
//   1. `explicitKey` (API callers and tests),
//   2. `keyFile` (outhookd --master-key-file),
//   3. $OUTHOOK_MASTER_KEY (the key itself),
//   4. $OUTHOOK_MASTER_KEY_FILE (a path),
//   5. the OS keychain under `keychainAccount` (only when built with QtKeychain and a keychain answers),
//   6. `defaultKeyFile` (<db>.key for SQLite; <config>/outhook/master.key for PostgreSQL).
// A key text is the base64 encoding of exactly 32 bytes (`openssl rand -base64 32`); whitespace around
// it is ignored.
struct KeySources
{
    std::optional<QByteArray> explicitKey;
    QString keyFile;
    QString defaultKeyFile;
    QString keychainAccount;
};

struct KeyLookup
{
    std::optional<MasterKey> key; // empty: no source holds a key yet
    QString createAt;             // the file a new key goes to: the first named key file, else the default
    QString searched;             // what was looked at, for "no key found" messages
};

// Parses a key text. `source` names it in the error, which never repeats the text.
Result<QByteArray> parseKeyText(const QByteArray& text, const QString& source);

// Finds the key. A source that is set but unusable (malformed, unreadable, readable by others) is an
// error rather than a reason to try the next one: silently using another key would hide the mistake.
Result<KeyLookup> locateKey(const KeySources& sources);

// Writes a fresh random key to `path` with mode 0600 (directories 0700) and returns it. When another
// process created the file first, that file's key is returned instead.
Result<MasterKey> createKeyFile(const QString& path);

// Makes the key for a database that has none yet, in the file lookup.createAt. New keys always go to a
// file, never to the keychain: outhookd on the same machine must find them without a desktop session.
Result<MasterKey> createKey(const KeyLookup& lookup, const KeySources& sources);

// Reads and checks one key file.
Result<MasterKey> readKeyFile(const QString& path);

} // namespace outhook::security
