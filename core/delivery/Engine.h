#pragma once

#include "delivery/Dispatcher.h"

#include <QMutex>
#include <QThread>

namespace outhook {

// Runs a Dispatcher on its own thread. Owned by the GUI or by `outhookd serve`; wake() and stop() may
// be called from any thread, also after the engine stopped (they do nothing then: the dispatcher is
// gone, while the API may still be committing events for the next run). Signals arrive queued on the
// owner's thread. One run per Engine: start() after stopped() does nothing.
class Engine : public QObject
{
    Q_OBJECT
public:
    Engine(std::shared_ptr<Database> db, const Clock& clock, Dispatcher::Options options, TransportFactory transport,
           QObject* parent = nullptr);
    ~Engine() override; // stops with a short drain if still running

    Dispatcher* dispatcher() const { return m_dispatcher; }
    // For the API in the same process: its ingest hands new deliveries straight to this engine.
    std::shared_ptr<ClaimHandoff> handoff() const { return m_handoff; }
    bool isRunning() const { return m_thread.isRunning(); }

    void start();
    void wake();
    // Asynchronous: stopped() follows once in-flight work is finished or handed back.
    void stop(int drainMs);
    // Blocks until stopped (for process shutdown paths that have no event loop left).
    void stopAndWait(int drainMs);
    // Changes the auto-disable period of the running dispatcher (config reload); 0 goes back to the
    // team setting or the default.
    void setAutoDisableAfterMs(qint64 ms);
    // Re-reads the team settings (auto-disable period, response body cap) from the database.
    void reloadSettings();

Q_SIGNALS:
    // One per finished attempt, before it is written (for metrics), emitted here in bursts as the
    // dispatcher hands its results over: statusCode is 0 without a response; errorClass is empty on
    // success; outcome is the state the delivery moves to. inFlightChanged() follows each burst.
    void attemptFinished(qint64 webhookId, int statusCode, const QString& errorClass, qint64 durationMs,
                         outhook::DeliveryStatus outcome);
    void attemptsRecorded(const QList<qint64>& deliveryIds);
    void webhooksDisabled(const QList<qint64>& webhookIds);
    void inFlightChanged(int count);
    void idle();
    void stopped();
    void storageError(const QString& message);

private:
    // Queues `call` on the dispatcher's thread unless the dispatcher has stopped (and is being deleted).
    template <typename F> void post(F&& call);

    QThread m_thread;
    Dispatcher* m_dispatcher;
    std::shared_ptr<ClaimHandoff> m_handoff; // the dispatcher's, kept for the API beyond its life
    bool m_started = false;                  // start() ran: from then on the thread's end deletes the dispatcher
    QMutex m_postMutex;
    bool m_dispatcherGone = false; // guarded by m_postMutex; set on the dispatcher's thread at stopped()
};

} // namespace outhook
