#include "delivery/Engine.h"

#include <openssl/crypto.h>

namespace outhook {

Engine::Engine(std::shared_ptr<Database> db, const Clock& clock, Dispatcher::Options options,
               TransportFactory transport, QObject* parent)
    : QObject(parent)
    , m_dispatcher(new Dispatcher(std::move(db), clock, options, std::move(transport)))
    , m_handoff(m_dispatcher->handoff())
{
    m_thread.setObjectName(QStringLiteral("outhook-dispatcher"));
    m_dispatcher->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_dispatcher, &QObject::deleteLater);
    // QThreads are detached: the process may exit before OpenSSL's thread-exit handler frees this
    // thread's DRBGs and error state (LeakSanitizer reported them from outhookd). Free them here, on the
    // dispatcher thread, as its last act.
    connect(
        &m_thread, &QThread::finished, &m_thread, [] { OPENSSL_thread_stop(); }, Qt::DirectConnection);
    connect(m_dispatcher, &Dispatcher::attemptsRecorded, this, &Engine::attemptsRecorded);
    connect(m_dispatcher, &Dispatcher::webhooksDisabled, this, &Engine::webhooksDisabled);
    connect(m_dispatcher, &Dispatcher::inFlightChanged, this, &Engine::inFlightChanged);
    connect(m_dispatcher, &Dispatcher::attemptsFinished, this,
            [this](const QList<AttemptResult>& results, int inFlight) {
                for (const AttemptResult& r : results) {
                    const Attempt& a = r.attempt;
                    Q_EMIT attemptFinished(r.webhookId, a.statusCode.value_or(0), a.errorClass, a.durationMs,
                                           r.outcome.status);
                }
                Q_EMIT inFlightChanged(inFlight);
            });
    connect(m_dispatcher, &Dispatcher::idle, this, &Engine::idle);
    connect(m_dispatcher, &Dispatcher::storageError, this, &Engine::storageError);
    // From here on the dispatcher is about to be deleted: nothing may be posted to it any more. `outhookd
    // serve` kept committing API requests during shutdown and woke a deleted dispatcher, which hung the
    // process in postEvent() (found by the ingest benchmark).
    connect(
        m_dispatcher, &Dispatcher::stopped, m_dispatcher,
        [this] {
            QMutexLocker lock(&m_postMutex);
            m_dispatcherGone = true;
        },
        Qt::DirectConnection);
    // The thread ends once the dispatcher has stopped; the owner hears stopped() after that.
    connect(m_dispatcher, &Dispatcher::stopped, &m_thread, &QThread::quit, Qt::DirectConnection);
    connect(&m_thread, &QThread::finished, this, &Engine::stopped);
}

Engine::~Engine()
{
    if (!m_started) {
        // Never started (`serve --no-engine`): the dispatcher's thread never ran, so the deleteLater at
        // its end never comes. LeakSanitizer caught the dispatcher leaking here.
        delete m_dispatcher;
        return;
    }
    if (m_thread.isRunning())
        stopAndWait(2000);
    // isRunning() is already false while the thread is still finishing (deleting the dispatcher); wait
    // for that too, or a process that quits on stopped() exits with the dispatcher tree leaked.
    m_thread.wait();
}

template <typename F> void Engine::post(F&& call)
{
    QMutexLocker lock(&m_postMutex);
    if (!m_dispatcherGone)
        QMetaObject::invokeMethod(m_dispatcher, std::forward<F>(call), Qt::QueuedConnection);
}

void Engine::start()
{
    {
        QMutexLocker lock(&m_postMutex);
        if (m_thread.isRunning() || m_dispatcherGone)
            return;
    }
    m_started = true;
    m_thread.start();
    post([d = m_dispatcher] { d->start(); });
}

void Engine::wake()
{
    post([d = m_dispatcher] { d->wake(); });
}

void Engine::stop(int drainMs)
{
    if (!m_thread.isRunning())
        return;
    post([d = m_dispatcher, drainMs] { d->stop(drainMs); });
}

void Engine::setAutoDisableAfterMs(qint64 ms)
{
    post([d = m_dispatcher, ms] { d->setAutoDisableAfterMs(ms); });
}

void Engine::reloadSettings()
{
    post([d = m_dispatcher] { d->reloadSettings(); });
}

void Engine::stopAndWait(int drainMs)
{
    stop(drainMs);
    m_thread.wait();
}

} // namespace outhook
