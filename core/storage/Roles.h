#pragma once

#include "storage/Database.h"

namespace outhook::roles {

// Team-mode access control, enforced by PostgreSQL itself: outhook_admin may do everything;
// outhook_support reads webhooks without their secret columns, reads deliveries and attempts, and may
// resend (but not change webhooks).
Status initRoles(Database& db);
// Grants `user` the admin or support role ("admin" | "support").
Status grant(Database& db, const QString& user, const QString& role);

struct Permissions
{
    bool canEditWebhooks = true;
    bool canReadSecrets = true;
};
// What the connected database user may do (always everything on SQLite).
Result<Permissions> current(Database& db);

} // namespace outhook::roles
