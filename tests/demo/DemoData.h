#pragma once

#include "storage/Database.h"

#include <memory>

namespace outhook::demo {

// Fills a database with a realistic mix for screenshots and manual trials: four webhooks (one turned
// off by a 410), and a day of deliveries that succeeded, failed after every retry, or are retrying.
// Attempts are synthesised (no network), with real-looking headers and bodies. Returns the number of
// deliveries written.
int populate(const std::shared_ptr<Database>& db, qint64 nowMs);

} // namespace outhook::demo
