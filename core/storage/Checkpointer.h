#pragma once

#include <QByteArray>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

struct sqlite3;

namespace outhook {

// Copies an SQLite database's write-ahead log back into the database file on a thread of its own.
//
// SQLite's default checkpoints inside the commit that takes the log past 1,000 pages: that commit copies
// 4 MB and waits for two fsync()s while every writer of the process waits on it. At full ingest (about
// 9 KB of log per event with the engine sending) that was a stall every 60 ms, and the CPUs sat 20% idle;
// with no checkpoints at all the same run went from 7.8k to 11k events/s. Here commits only report the
// log's size: past kBackgroundPages new pages the checkpointer thread runs a PASSIVE checkpoint on its own
// connection, which neither blocks writers nor waits for readers.
//
// The log only starts over from its beginning when a write transaction begins with every page of it
// copied, which a busy writer never sees after a checkpoint on another thread. So once the log reaches
// kInlinePages the committing connection checkpoints the little that is left itself, as SQLite would,
// and its next transaction restarts the log: one short stall per 64 MB of log instead of a long one per
// 4 MB. (Measured: 8,000 pages gave +18% events/s over SQLite's default, 20,000 another +9%.)
//
// That checkpoint is busy while one of the thread's runs, and the commits after it try again. A writer
// faster than the thread's copying could so outrun it: at kHardPages the commit waits for the thread's run
// to end before it checkpoints, which bounds the log. (Only a reader that pins old pages, or another
// process's checkpoint, keeps it from starting over, as with SQLite's own checkpoints.)
class Checkpointer
{
public:
    static constexpr int kBackgroundPages = 1000; // SQLite's own auto-checkpoint size
    static constexpr int kInlinePages = 16000;    // 64 MB
    static constexpr int kHardPages = 2 * kInlinePages;

    explicit Checkpointer(QByteArray path);
    ~Checkpointer(); // ends the thread; connections using install() must be closed first

    // Replaces the connection's auto-checkpoint with this checkpointer.
    void install(sqlite3* connection);

    struct Counts
    {
        std::uint64_t background = 0; // checkpoints run by the thread
        std::uint64_t inlined = 0;    // checkpoints a commit ran itself
    };
    Counts counts();

private:
    static int onCommit(void* self, sqlite3* connection, const char* schema, int pages);
    void committed(sqlite3* connection, const char* schema, int pages);
    void checkpointInline(sqlite3* connection, const char* schema, bool waitForThread);
    void run();

    QByteArray m_path;
    std::mutex m_mutex;
    std::condition_variable m_wanted;
    std::condition_variable m_finished; // a run of the thread's ended
    bool m_due = false;
    bool m_running = false; // the thread is checkpointing
    bool m_quit = false;
    int m_copied = 0; // log frames the last checkpoint had copied
    Counts m_counts;
    std::thread m_thread; // started when first needed
};

} // namespace outhook
