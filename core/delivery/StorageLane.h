#pragma once

#include "storage/Database.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace outhook {

// One thread that runs database work in the order it was posted, on its own connection: the dispatcher's
// claims, results and lease renewals, and the API's ingest commits. The posting thread then never waits on
// the disk or on the write lock. Jobs hand their results back with a queued call.
class StorageLane
{
public:
    // `name` (at most 15 characters) labels the thread in top -H, perf and gdb.
    StorageLane(std::shared_ptr<Database> db, const char* name);
    ~StorageLane(); // runs what is queued, then ends the thread

    // The lane for a writer in this process. On SQLite, which takes one writer at a time, every writer
    // of `db` shares one lane, named "outhook-writer": two connections writing from two threads waited
    // on each other's write lock (in the busy handler's sleeps) and each commit emptied the other's page
    // cache. On PostgreSQL each writer gets a lane of its own, named `name`.
    static std::shared_ptr<StorageLane> forWriter(const std::shared_ptr<Database>& db, const char* name);

    void post(std::function<void()> job);
    // Blocks until every job posted so far has run (jobs posted meanwhile, by anyone, are not waited for).
    void waitIdle();

private:
    void run();

    std::shared_ptr<Database> m_db;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::function<void()>> m_jobs;
    std::uint64_t m_posted = 0;
    std::uint64_t m_done = 0;
    bool m_quit = false;
    std::thread m_thread;
};

} // namespace outhook
