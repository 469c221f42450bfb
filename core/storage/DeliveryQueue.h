#pragma once

#include "delivery/RetryPolicy.h"
#include "model/Delivery.h"
#include "storage/Database.h"
#include "util/Clock.h"

#include <functional>
#include <memory>

namespace outhook {

class DeliveryCounts;
class Statement;

// A due delivery this engine holds a lease on, with what is needed to send it.
struct ClaimedDelivery
{
    qint64 id = 0;
    qint64 webhookId = 0;
    qint64 eventId = 0;
    QByteArray msgId;
    int attemptCount = 0; // attempts made before this one
    AttemptTrigger trigger = AttemptTrigger::Scheduled;
    QByteArray payload;
    QString eventType;
    // As claimed, for delivery_counts: only recording a result changes a delivery's status.
    std::optional<DeliveryStatus> status = DeliveryStatus::Pending;
    qint64 createdAt = 0;
};

// The outcome of one attempt, ready to be written.
struct AttemptResult
{
    qint64 webhookId = 0;
    Attempt attempt; // deliveryId, number, trigger, timings, request and response
    AttemptOutcome outcome;
    // The delivery's status and created_at from its claim. When they are empty, or the lease is no longer
    // this engine's, complete() reads them from the row (one more lookup).
    std::optional<DeliveryStatus> claimedStatus;
    qint64 createdAt = 0;
};

struct QueueCounts
{
    qint64 due = 0;       // pending or retrying and due now (not leased)
    qint64 scheduled = 0; // retrying later
    qint64 leased = 0;    // being sent by some engine
    qint64 failed = 0;
    std::optional<qint64> oldestDueAt;
};

// The delivery queue. Claims are leases: a claim moves next_attempt_at to the lease expiry and records
// the owner, so work held by an engine that died falls due again by itself. SQLite claims with
// UPDATE ... RETURNING; PostgreSQL adds FOR UPDATE SKIP LOCKED so engines never block one another.
class DeliveryQueue
{
public:
    DeliveryQueue(std::shared_ptr<Database> db, const Clock& clock, QByteArray owner)
        : m_db(std::move(db))
        , m_clock(clock)
        , m_owner(std::move(owner))
    {}

    const QByteArray& owner() const { return m_owner; }

    Result<QList<ClaimedDelivery>> claim(int limit, qint64 leaseMs);
    // Pushes the lease of everything this engine holds to now + leaseMs.
    Status extendLeases(qint64 leaseMs);
    // Gives leased deliveries back, due now (e.g. on shutdown before they were sent).
    Status release(const QList<qint64>& deliveryIds);
    // Group commit: every attempt, its delivery's new state and its webhook's counters, in one
    // transaction. A webhook failing for longer than autoDisableAfterMs is deactivated.
    // Returns the ids of webhooks that were deactivated by this batch.
    Result<QList<qint64>> complete(const QList<AttemptResult>& results, qint64 autoDisableAfterMs);
    // When the next delivery falls due (for the dispatcher's timer); nullopt when nothing is queued.
    Result<std::optional<qint64>> nextDueAt();

    // A manual resend: the delivery is due now and its next attempt is marked `manual`.
    Status resend(qint64 deliveryId);
    // The one definition of a manual requeue, for resend(), recover() and BulkRequeue: inside the caller's
    // transaction, makes the deliveries matching `where` (and not leased by an engine) due at `now` with a
    // `manual` next attempt, and raises the queue channel when any changed. Returns the rows changed.
    static Result<int> requeueManually(Database& db, qint64 now, const QString& where, const QVariantList& binds);
    // Requeues every failed delivery of the webhook created at or after sinceMs. Returns how many.
    Result<int> recover(qint64 webhookId, qint64 sinceMs);
    Result<QueueCounts> counts();

private:
    // complete() for a delivery whose claim is not at hand or no longer this engine's.
    Status updateUnclaimed(Statement& lookup, Statement& update, const std::function<bool(Statement&)>& setDelivery,
                           const AttemptResult& r, DeliveryCounts& counts);
    Status claimInto(QList<ClaimedDelivery>& out, int limit, qint64 leaseMs);

    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
    QByteArray m_owner;
};

} // namespace outhook
