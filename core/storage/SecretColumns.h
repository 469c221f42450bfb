#pragma once

#include "model/HeaderList.h"
#include "security/SecretBox.h"
#include "util/Result.h"

#include <QSqlDatabase>

namespace outhook::secretcolumns {

// The webhook columns that hold secrets, each sealed with its own name as associated data.
inline const QString kSecret = QStringLiteral("webhooks.secret");
inline const QString kPreviousSecret = QStringLiteral("webhooks.previous_secret");
inline const QString kAuthSecret = QStringLiteral("webhooks.auth_secret");
inline const QString kHeaders = QStringLiteral("webhooks.headers");

// webhooks.headers is a JSON array of {name, value, secret}; values of secret headers are sealed.
QString headersToStorage(const HeaderList& headers, const security::SecretBox& box);
Result<HeaderList> headersFromStorage(const QString& text, const security::SecretBox* box);

// Re-seals every secret of every webhook under `to`, inside the caller's transaction. `from` opens what
// is sealed now (nullptr: there must be nothing sealed); plaintext left by older versions is sealed
// as it is. Used when a database first gets a key and when the master key is rotated.
Status resealAll(QSqlDatabase& db, const security::SecretBox* from, const security::SecretBox& to);

} // namespace outhook::secretcolumns
