#include "delivery/Engine.h"

#include <openssl/crypto.h>

namespace outhook {

Engine::Engine(std::shared_ptr<Database> db, const Clock& clock, Dispatcher::Options options,
               TransportFactory transport, QObject* parent)
    : QObject(parent)
    , m_dispatcher(new Dispatcher(std::move(db), clock, options, std::move(transport)))
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
    connect(m_dispatcher, &Dispatcher::attemptFinished, this, &Engine::attemptFinished);
    connect(m_dispatcher, &Dispatcher::idle, this, &Engine::idle);
    connect(m_dispatcher, &Dispatcher::storageError, this, &Engine::storageError);
    // The thread ends once the dispatcher has stopped; the owner hears stopped() after that.
    connect(m_dispatcher, &Dispatcher::stopped, &m_thread, &QThread::quit, Qt::DirectConnection);
    connect(&m_thread, &QThread::finished, this, &Engine::stopped);
}

Engine::~Engine()
{
    if (m_thread.isRunning())
        stopAndWait(2000);
    // isRunning() is already false while the thread is still finishing (deleting the dispatcher); wait
    // for that too, or a process that quits on stopped() exits with the dispatcher tree leaked.
    m_thread.wait();
}

void Engine::start()
{
    if (m_thread.isRunning())
        return;
    m_thread.start();
    QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::start, Qt::QueuedConnection);
}

void Engine::wake()
{
    QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::wake, Qt::QueuedConnection);
}

void Engine::stop(int drainMs)
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_dispatcher, [d = m_dispatcher, drainMs] { d->stop(drainMs); }, Qt::QueuedConnection);
}

void Engine::setAutoDisableAfterMs(qint64 ms)
{
    QMetaObject::invokeMethod(
        m_dispatcher, [d = m_dispatcher, ms] { d->setAutoDisableAfterMs(ms); }, Qt::QueuedConnection);
}

void Engine::reloadSettings()
{
    QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::reloadSettings, Qt::QueuedConnection);
}

void Engine::stopAndWait(int drainMs)
{
    stop(drainMs);
    m_thread.wait();
}

} // namespace outhook
