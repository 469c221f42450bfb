#include "delivery/StorageLane.h"

#include <openssl/crypto.h>
#include <pthread.h>

#include <map>

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

std::shared_ptr<StorageLane> StorageLane::forWriter(const std::shared_ptr<Database>& db, const char* name)
{
    if (db->isPostgres())
        return std::make_shared<StorageLane>(db, name);
    // A lane keeps its Database alive, so a live entry's key cannot be a reused address.
    static std::mutex mutex;
    static std::map<const Database*, std::weak_ptr<StorageLane>> lanes;
    std::lock_guard lock(mutex);
    std::weak_ptr<StorageLane>& slot = lanes[db.get()];
    if (auto lane = slot.lock())
        return lane;
    for (auto it = lanes.begin(); it != lanes.end();)
        it = it->second.expired() && it->first != db.get() ? lanes.erase(it) : std::next(it);
    auto lane = std::make_shared<StorageLane>(db, "outhook-writer");
    slot = lane;
    return lane;
}

void StorageLane::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
        ++m_posted;
    }
    m_changed.notify_all();
}

void StorageLane::waitIdle()
{
    std::unique_lock lock(m_mutex);
    const std::uint64_t target = m_posted;
    m_changed.wait(lock, [this, target] { return m_done >= target; });
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
        lock.unlock();
        job();
        job = nullptr; // its captures go before the owner can be told it ran
        lock.lock();
        ++m_done;
        m_changed.notify_all();
    }
    lock.unlock();
    m_db->releaseThreadConnection();
    // Secrets are decrypted here: free this thread's OpenSSL state (LeakSanitizer reports it otherwise).
    OPENSSL_thread_stop();
}

} // namespace outhook
