#pragma once

#include "export/ExportFormat.h"
#include "storage/DeliveryLog.h"
#include "tasks/BackgroundTask.h"
#include "util/Clock.h"

#include <QCoreApplication>

namespace outhook::ui {

// The Log History's long jobs, as BackgroundTask jobs. Each opens the database on the task's thread
// and words its outcome for the user with exact counts.
class DeliveryTasks
{
    Q_DECLARE_TR_FUNCTIONS(DeliveryTasks)
public:
    // Writes `ids` (or, when empty, everything `filter` matches) to `path` in `format`. The file is
    // replaced only when the export completes (QSaveFile); a cancelled or failed export leaves no file.
    static BackgroundTask::Job exportDeliveries(std::shared_ptr<Database> db, QString path, ExportFormat format,
                                                QList<qint64> ids, DeliveryFilter filter);
    static BackgroundTask::Job resend(std::shared_ptr<Database> db, const Clock& clock, QList<qint64> ids);
    static BackgroundTask::Job recoverFailed(std::shared_ptr<Database> db, const Clock& clock, qint64 webhookId,
                                             qint64 sinceMs);

    static QString exportProgress(qint64 done, qint64 total);
    static QString requeueProgress(qint64 done, qint64 total);
};

} // namespace outhook::ui
