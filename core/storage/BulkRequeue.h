#pragma once

#include "storage/Database.h"
#include "util/Clock.h"
#include "util/Progress.h"

#include <memory>

namespace outhook {

// What a bulk requeue did. `requeued` is exactly the number of delivery rows it changed, committed.
struct BulkResult
{
    qint64 total = 0;    // deliveries it set out to requeue
    qint64 requeued = 0; // rows changed (due now, next attempt manual)
    qint64 skipped = 0;  // being sent by an engine right now, or gone
    bool cancelled = false;
    std::optional<Error> error; // a batch failed: it was rolled back, earlier batches stand
};

// Resend and recover over thousands of deliveries without a long lock and with a clean stop: the work
// goes in batches, each batch one transaction, and `progress` is asked between batches whether to go
// on. So a stop or an error leaves every delivery either fully requeued or untouched.
class BulkRequeue
{
public:
    static constexpr int kBatchSize = 200;

    BulkRequeue(std::shared_ptr<Database> db, const Clock& clock, int batchSize = kBatchSize)
        : m_db(std::move(db))
        , m_clock(clock)
        , m_batchSize(batchSize)
    {}

    // Makes these deliveries due now as manual resends (any status). Deliveries an engine holds a lease
    // on are skipped, not waited for.
    BulkResult resend(QList<qint64> deliveryIds, const ProgressCallback& progress = {});
    // Requeues the failed deliveries of `webhookId` created at or after `sinceMs`, oldest first.
    // NotFound (nothing changed) when the webhook does not exist.
    BulkResult recoverFailed(qint64 webhookId, qint64 sinceMs, const ProgressCallback& progress = {});

private:
    // One transaction: requeues those of `ids` still matching `condition`; returns the rows changed.
    Result<int> requeueBatch(const QList<qint64>& ids, const QString& condition);

    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
    int m_batchSize;
};

} // namespace outhook
