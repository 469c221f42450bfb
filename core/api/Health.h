#pragma once

#include "api/ApiTypes.h"

namespace outhook {
class Database;
}

namespace outhook::api::health {

// GET /healthz: the process is up and its event loop answers. Always 200 {"status":"ok"}.
ApiResponse liveness();

// GET /readyz: 200 {"status":"ready"} when the database answers a query and its schema is at
// Database::latestSchemaVersion(); otherwise 503 {"status":"unready","reason":...}. Says nothing else
// (no URL, no driver text), since it needs no API key.
ApiResponse readiness(Database& db);

} // namespace outhook::api::health
