#pragma once

#include "storage/Database.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace outhook {

// One thread that runs database work in the order it was posted, on its own connection: the dispatcher's
// claims, results and lease renewals, or the API's ingest commits. The posting thread then never waits on
// the disk or on the write lock, and the two threads use both cores. Jobs hand their results back with a
// queued call.
class StorageLane
{
public:
    // `name` (at most 15 characters) labels the thread in top -H, perf and gdb.
    StorageLane(std::shared_ptr<Database> db, const char* name);
    ~StorageLane(); // runs what is queued, then ends the thread

    void post(std::function<void()> job);
    // Blocks until every job posted so far has run.
    void waitIdle();

private:
    void run();

    std::shared_ptr<Database> m_db;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::function<void()>> m_jobs;
    bool m_busy = false;
    bool m_quit = false;
    std::thread m_thread;
};

} // namespace outhook
