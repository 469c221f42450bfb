#include "tasks/BackgroundTask.h"

namespace outhook::ui {

BackgroundTask::BackgroundTask(std::shared_ptr<Database> db, Job job, QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_job(std::move(job))
{}

BackgroundTask::~BackgroundTask()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
    }
}

void BackgroundTask::start()
{
    if (m_thread)
        return;
    m_thread.reset(QThread::create([this] {
        // Signals emitted here reach this object's thread queued.
        const ProgressCallback progress = [this](qint64 done, qint64 total) {
            Q_EMIT progressed(done, total);
            return !m_cancel.load();
        };
        m_outcome = m_job(progress);
        m_db->releaseThreadConnection();
    }));
    m_thread->setObjectName(QStringLiteral("outhook-task"));
    connect(m_thread.get(), &QThread::finished, this, [this] { Q_EMIT finished(m_outcome); });
    m_thread->start();
}

void BackgroundTask::cancel()
{
    m_cancel = true;
}

} // namespace outhook::ui
