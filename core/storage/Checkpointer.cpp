#include "storage/Checkpointer.h"

#include <QtGlobal>

#include <pthread.h>
#include <sqlite3.h>

namespace outhook {

Checkpointer::Checkpointer(QByteArray path)
    : m_path(std::move(path))
{}

Checkpointer::~Checkpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_wanted.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Checkpointer::install(sqlite3* connection)
{
    sqlite3_wal_hook(connection, &Checkpointer::onCommit, this);
}

Checkpointer::Counts Checkpointer::counts()
{
    std::lock_guard lock(m_mutex);
    return m_counts;
}

int Checkpointer::onCommit(void* self, sqlite3* connection, const char* schema, int pages)
{
    static_cast<Checkpointer*>(self)->committed(connection, schema, pages);
    return SQLITE_OK; // a checkpoint that could not run is no error of the commit's
}

void Checkpointer::committed(sqlite3* connection, const char* schema, int pages)
{
    if (pages >= kInlinePages) {
        checkpointInline(connection, schema, pages >= kHardPages);
        return;
    }
    std::lock_guard lock(m_mutex);
    // A log shorter than what was copied has started over from its beginning: all of it is new.
    const int fresh = pages < m_copied ? pages : pages - m_copied;
    if (fresh < kBackgroundPages || m_due || m_quit)
        return;
    m_due = true;
    if (!m_thread.joinable()) {
        m_thread = std::thread([this] { run(); });
        pthread_setname_np(m_thread.native_handle(), "outhook-ckpt");
    }
    m_wanted.notify_one();
}

void Checkpointer::checkpointInline(sqlite3* connection, const char* schema, bool waitForThread)
{
    if (waitForThread) {
        std::unique_lock lock(m_mutex);
        m_finished.wait(lock, [this] { return !m_running; });
    }
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied) != SQLITE_OK)
        return; // busy: the thread's run is copying; the next commit tries again
    std::lock_guard lock(m_mutex);
    ++m_counts.inlined;
    m_copied = copied;
}

void Checkpointer::run()
{
    sqlite3* connection = nullptr;
    if (sqlite3_open_v2(m_path.constData(), &connection, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        qWarning("checkpointer: cannot open %s: %s; commits checkpoint by themselves", m_path.constData(),
                 connection ? sqlite3_errmsg(connection) : "out of memory");
        sqlite3_close(connection);
        return; // m_due stays set: no more wake-ups; the inline checkpoint bounds the log
    }
    // A connection learns that the file is in WAL mode from its first read; until then a checkpoint on
    // it does nothing (and says so only with -1 page counts).
    sqlite3_busy_timeout(connection, 5000);
    if (sqlite3_exec(connection, "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK)
        qWarning("checkpointer: cannot read %s: %s", m_path.constData(), sqlite3_errmsg(connection));
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wanted.wait(lock, [this] { return m_due || m_quit; });
        if (m_quit)
            break;
        m_running = true;
        lock.unlock();
        int logged = 0;
        int copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied);
        lock.lock();
        if (rc == SQLITE_OK) {
            m_copied = copied;
            ++m_counts.background;
        }
        m_due = false;
        m_running = false;
        m_finished.notify_all();
    }
    lock.unlock();
    sqlite3_close(connection);
}

} // namespace outhook
