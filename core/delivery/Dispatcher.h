#pragma once

#include "delivery/RetryPolicy.h"
#include "delivery/StorageLane.h"
#include "delivery/Transport.h"
#include "model/Webhook.h"
#include "storage/ClaimHandoff.h"
#include "storage/Database.h"
#include "storage/DeliveryQueue.h"
#include "util/Clock.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <deque>
#include <functional>
#include <memory>

namespace outhook {

// The engine's worker: claims due deliveries with a lease (up to claimBatch of them ahead of free slots),
// keeps up to `concurrency` requests in flight, and writes results in batches (one transaction for many
// attempts). Lives on its own thread; every slot runs there. Its database work (claims, results, leases)
// runs in order on a StorageLane. It never polls faster than once a second when idle; wake() brings it at
// once.
class Dispatcher : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int concurrency = 64;
        int claimBatch = 256;      // most rows claimed ahead (leased, waiting for a free slot)
        qint64 leaseMs = 20000;    // a dead engine's work is picked up this long after it died
        qint64 heartbeatMs = 5000; // live leases are renewed this often
        // The two below are defaults: the team's settings table (SettingsStore) overrides them when it has
        // a value, re-read every settingsRefreshMs. A period given by flag or config file is pinned.
        qint64 autoDisableAfterMs = 5LL * 24 * 3600 * 1000;
        qint64 maxResponseBodyBytes = 64 * 1024;
        bool pinAutoDisable = false; // true: autoDisableAfterMs wins over the team setting
        int settingsRefreshMs = 30000;
        int flushBatch = 512;     // write results when this many are waiting...
        int flushIntervalMs = 10; // ...or after this long
        int maxIdleWakeMs = 1000; // wake at least this often to see other processes' events
        // A request in flight longer than this stops counting against `concurrency`, so endpoints that
        // hang (never answer, trickle, slowloris) cannot starve the healthy ones until their timeout...
        int slowAfterMs = 1000;
        // ...up to this many requests in flight in all, slow ones included (0: 4 x concurrency).
        int maxInFlight = 0;
    };

    Dispatcher(std::shared_ptr<Database> db, const Clock& clock, Options options, TransportFactory transport,
               RetryPolicy policy = RetryPolicy());
    ~Dispatcher() override;

    int inFlight() const { return int(m_inFlight.size()); }
    bool isStopping() const { return m_stopping; }
    const Options& effectiveOptions() const { return m_options; }
    // Where this process's ingest hands its new deliveries over (open while the dispatcher runs).
    const std::shared_ptr<ClaimHandoff>& handoff() const { return m_handoff; }

public Q_SLOTS:
    void start();
    void wake();
    // Stops claiming; waits up to drainMs for requests in flight, then aborts the rest and gives their
    // leases back. Emits stopped() when everything is written.
    void stop(int drainMs);
    // Applies to results written from now on (SIGHUP reload) and pins the period over the team setting;
    // 0 unpins it: the team setting, else the default, applies again.
    void setAutoDisableAfterMs(qint64 ms);
    // Reads the team settings now instead of at the next refresh (the Settings dialog saved them).
    void reloadSettings();

Q_SIGNALS:
    // The attempts finished since the last such signal, as their results are handed over to be written
    // (at most flushIntervalMs after each finished), and how many requests are in flight then. One signal
    // per batch rather than per attempt: each crossing to another thread costs a posted event and a
    // wake-up, a tenth of this thread's time at full speed.
    void attemptsFinished(const QList<outhook::AttemptResult>& results, int inFlight);
    void attemptsRecorded(const QList<qint64>& deliveryIds);
    void webhooksDisabled(const QList<qint64>& webhookIds);
    void inFlightChanged(int count); // when a claimed batch goes out
    void idle();                     // nothing due, nothing in flight, all results written
    void stopped();
    void storageError(const QString& message);

private:
    struct InFlight
    {
        ClaimedDelivery delivery;
        Webhook webhook;
        RawHeaders redactedHeaders;
        qint64 startedAt = 0;   // the Clock's time, for the attempt record
        qint64 startedMono = 0; // m_mono's, for slowness (the Clock may be a test's frozen one)
    };

    // How many more requests may go out now: `concurrency` minus those in flight that still count against
    // it (not slow yet), within the hard cap on all in flight. Sets *nextSlowInMs to when the next of them
    // turns slow (-1: none). Runs once per finished request: O(1) unless a request in flight is slow.
    int freeSlots(qint64* nextSlowInMs);

    // What one claim on the storage lane found.
    struct ClaimBatch
    {
        int want = 0;
        QList<ClaimedDelivery> deliveries;
        QList<Webhook> webhooks;
        QString error;
        std::optional<qint64> nextDueAt; // when fewer than `want` were due
        quint64 wakes = 0;               // m_wakes when the claim was asked for
    };

    // A claimed delivery waiting for a free slot.
    struct Ready
    {
        ClaimedDelivery delivery;
        Webhook webhook;
    };

    void pump();
    void schedulePump();
    // Queues claimed or handed-over deliveries and sends what the free slots allow.
    void accept(const QList<ClaimedDelivery>& deliveries, const QList<Webhook>& webhooks);
    void takeHandoff();
    // Sends up to `free` of the claimed deliveries waiting in m_ready; returns how many went out.
    int sendReady(int free);
    void requestClaim(int want);
    void onClaimed(const ClaimBatch& batch);
    void onFinished(const HttpResponse& response);
    void flush();
    void onRecorded(bool written, const QList<qint64>& disabled, const QString& error);
    void releaseLater(const QList<qint64>& deliveryIds);
    static QList<qint64> idsOf(const QList<ClaimedDelivery>& deliveries);
    void scheduleWake(std::optional<qint64> nextDueAt);
    void finishStop();

    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
    Options m_base;    // as handed in (or pinned by setAutoDisableAfterMs)
    Options m_options; // m_base with the team settings applied
    QElapsedTimer m_settingsAge;
    TransportFactory m_transportFactory;
    RetryPolicy m_policy;
    std::unique_ptr<Transport> m_transport;
    std::unique_ptr<DeliveryQueue> m_queue;
    QHash<quint64, InFlight> m_inFlight;
    // (startedMono, id) of the requests sent, oldest first; entries of finished ones go lazily.
    std::deque<std::pair<qint64, quint64>> m_sendOrder;
    // Claimed ahead (up to claimBatch), so a slot that frees up is refilled at once instead of waiting
    // for a claim to come back from the lane, which may be busy writing a batch of results.
    std::deque<Ready> m_ready;
    QList<AttemptResult> m_pending;      // finished, not yet handed to the lane
    QList<AttemptResult> m_unannounced;  // finished, not yet in attemptsFinished()
    QList<AttemptResult> m_recording;    // being written by the lane
    std::shared_ptr<StorageLane> m_lane; // shared with the API's ingest on SQLite
    QTimer m_wakeTimer;
    QTimer m_flushTimer;
    QTimer m_heartbeat;
    QTimer m_drainTimer;
    QElapsedTimer m_mono;
    bool m_started = false;
    bool m_stopping = false;
    bool m_pumpQueued = false;
    bool m_claiming = false; // a claim is on the lane
    // Whether a claim may find anything: false once a claim came back short, until something may have
    // queued more (wake(), the wake timer, a retry written). Deliveries handed over by this process's
    // ingest do not set it, so a busy engine fed by its own API stops claiming rows that are all leased.
    bool m_mayHaveDue = true;
    quint64 m_wakes = 0; // counts those events, so a claim knows whether one came while it ran
    std::shared_ptr<ClaimHandoff> m_handoff = std::make_shared<ClaimHandoff>();
    bool m_idle = false; // the last claim found nothing and nothing was held: look before claiming
    bool m_finished = false;
};

} // namespace outhook
