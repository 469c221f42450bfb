#pragma once

#include "storage/Database.h"
#include "util/Progress.h"

#include <QObject>
#include <QThread>
#include <atomic>
#include <functional>
#include <memory>

namespace outhook::ui {

// How a background task ended, in words for the user plus the numbers behind them.
struct TaskOutcome
{
    enum class State
    {
        Done,
        Cancelled,
        Failed
    };
    State state = State::Done;
    qint64 done = 0;
    qint64 total = 0;
    QString message; // one sentence: what was done (and why it stopped)
};

// Runs one long job (an export, a bulk resend or recovery) on a thread of its own, so neither the
// window nor the StorageWorker's queue waits for it. The job gets a progress callback; each call is
// passed on as progressed() on this object's thread and answers false once cancel() was asked for,
// so the job stops at its next batch boundary. The job's own database connection is released on its
// thread when it ends. finished() comes exactly once, after the thread is done.
class BackgroundTask : public QObject
{
    Q_OBJECT
public:
    using Job = std::function<TaskOutcome(const ProgressCallback& progress)>;

    BackgroundTask(std::shared_ptr<Database> db, Job job, QObject* parent = nullptr);
    ~BackgroundTask() override; // cancels and waits for the job's next batch boundary

    void start();
    void cancel();
    bool isCancelRequested() const { return m_cancel.load(); }
    bool isRunning() const { return m_thread && m_thread->isRunning(); }

Q_SIGNALS:
    void progressed(qint64 done, qint64 total);
    void finished(const outhook::ui::TaskOutcome& outcome);

private:
    std::shared_ptr<Database> m_db;
    Job m_job;
    std::unique_ptr<QThread> m_thread;
    std::atomic<bool> m_cancel{false};
    TaskOutcome m_outcome; // written by the job's thread before it finishes, read after
};

} // namespace outhook::ui
