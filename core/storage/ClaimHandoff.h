#pragma once

#include "model/Webhook.h"
#include "storage/DeliveryQueue.h"

#include <functional>
#include <mutex>

namespace outhook {

// Hands the deliveries that a writer in this process queues straight to this process's engine. The
// writer leases them to the engine in the transaction that inserts them (lease owner and expiry written
// with the row), and passes them over in memory after the commit. Without it the engine claimed each
// commit's deliveries back with a transaction of its own, which rewrote the rows it had just written: a
// tenth of the writer's time at full ingest, and a second WAL frame for the same pages.
//
// The engine says how many it can take (its claim-ahead room); what does not fit is queued unleased and
// claimed as before. A lease held in memory but never sent (the engine stopped, or the process died)
// falls due again at its expiry, like any claimed delivery. Thread-safe: one mutex, held briefly.
class ClaimHandoff
{
public:
    struct Batch
    {
        QList<ClaimedDelivery> deliveries;
        QList<Webhook> webhooks; // the webhooks of those deliveries, read in the same transaction
    };
    struct Lease
    {
        QByteArray owner;
        qint64 leaseMs = 0;
    };

    // The engine's side (its own thread). open() starts taking up to `room` deliveries at a time;
    // `arrived` runs on the writer's thread, with the lock held, when the inbox stops being empty.
    void open(Lease lease, int room, std::function<void()> arrived);
    // Nothing is leased or handed over from now on; returns what was handed over and not yet taken, for
    // the engine to release.
    QList<Batch> close();
    // Takes what arrived; from here it counts as held until setHeld() says otherwise.
    QList<Batch> take();
    // How many handed-over or claimed deliveries the engine holds unsent.
    void setHeld(int held);

    // The writer's side, inside its transaction: leases up to `n` of the rows it is inserting, and says
    // to whom and for how long. Returns how many (0 when closed or full).
    int reserve(int n, Lease* lease);
    // After the commit. False when the engine closed meanwhile: the caller releases those leases.
    bool hand(Batch batch, int reserved);
    // After a rollback.
    void giveBack(int reserved);

private:
    std::mutex m_mutex;
    bool m_open = false;
    Lease m_lease;
    int m_room = 0;
    int m_held = 0;
    int m_reserved = 0;
    int m_inboxRows = 0;
    QList<Batch> m_inbox;
    std::function<void()> m_arrived;
};

} // namespace outhook
