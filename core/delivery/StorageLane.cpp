#include "delivery/StorageLane.h"

#include <openssl/crypto.h>
#include <pthread.h>

namespace outhook {

StorageLane::StorageLane(std::shared_ptr<Database> db, const char* name)
    : m_db(std::move(db))
    , m_thread([this] { run(); })
{
    pthread_setname_np(m_thread.native_handle(), name);
}

StorageLane::~StorageLane()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void StorageLane::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_changed.notify_all();
}

void StorageLane::waitIdle()
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_jobs.empty() && !m_busy; });
}

void StorageLane::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [this] { return m_quit || !m_jobs.empty(); });
        if (m_jobs.empty())
            break; // quitting with nothing left
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        m_busy = true;
        lock.unlock();
        job();
        lock.lock();
        m_busy = false;
        m_changed.notify_all();
    }
    lock.unlock();
    m_db->releaseThreadConnection();
    // Secrets are decrypted here: free this thread's OpenSSL state (LeakSanitizer reports it otherwise).
    OPENSSL_thread_stop();
}

} // namespace outhook
