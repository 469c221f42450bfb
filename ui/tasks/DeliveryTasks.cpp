#include "tasks/DeliveryTasks.h"

#include "export/DeliveryExporter.h"
#include "storage/BulkRequeue.h"

#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>

namespace outhook::ui {

namespace {

QString number(qint64 n)
{
    return QLocale().toString(n);
}

TaskOutcome fromBulk(const BulkResult& r)
{
    TaskOutcome o;
    o.done = r.requeued + r.skipped;
    o.total = r.total;
    // Plurals spelled out: English needs no translation file to read right.
    QString text = r.requeued == 1 ? DeliveryTasks::tr("Requeued 1 delivery")
                                   : DeliveryTasks::tr("Requeued %1 deliveries").arg(number(r.requeued));
    if (r.skipped > 0)
        text += QLatin1String("; ") +
                DeliveryTasks::tr("%1 skipped (being sent right now, or deleted)").arg(number(r.skipped));
    if (r.error) {
        o.state = TaskOutcome::State::Failed;
        text += QLatin1String(". ") + DeliveryTasks::tr("Stopped by an error: %1").arg(r.error->message);
    } else if (r.cancelled) {
        o.state = TaskOutcome::State::Cancelled;
        text += QLatin1String(". ") +
                DeliveryTasks::tr("Cancelled: the other %1 were left as they were.").arg(number(r.total - o.done));
    } else {
        text += QLatin1Char('.');
    }
    o.message = text;
    return o;
}

} // namespace

QString DeliveryTasks::exportProgress(qint64 done, qint64 total)
{
    return tr("Exported %1 of %2 deliveries").arg(number(done), number(total));
}

QString DeliveryTasks::requeueProgress(qint64 done, qint64 total)
{
    return tr("Requeued %1 of %2 deliveries").arg(number(done), number(total));
}

BackgroundTask::Job DeliveryTasks::exportDeliveries(std::shared_ptr<Database> db, QString path, ExportFormat format,
                                                    QList<qint64> ids, DeliveryFilter filter)
{
    return [db, path, format, ids, filter](const ProgressCallback& progress) {
        TaskOutcome o;
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            o.state = TaskOutcome::State::Failed;
            o.message = tr("Could not write %1: %2").arg(QFileInfo(path).fileName(), file.errorString());
            return o;
        }
        const auto writer = DeliveryWriter::create(format, &file);
        const DeliveryLog log(db);
        const DeliveryExporter exporter(log);
        const auto summary = ids.isEmpty() ? exporter.exportFiltered(filter, *writer, progress)
                                           : exporter.exportIds(ids, *writer, progress);
        if (!summary) {
            file.cancelWriting();
            o.state = TaskOutcome::State::Failed;
            o.message = tr("Export failed; no file was written: %1").arg(summary.error().message);
            return o;
        }
        o.done = summary->deliveries;
        o.total = summary->total;
        if (summary->cancelled) {
            file.cancelWriting();
            o.state = TaskOutcome::State::Cancelled;
            o.message = tr("Export cancelled; no file was written.");
            return o;
        }
        if (!file.commit()) {
            o.state = TaskOutcome::State::Failed;
            o.message = tr("Could not write %1: %2").arg(QFileInfo(path).fileName(), file.errorString());
            return o;
        }
        o.message =
            (summary->deliveries == 1
                 ? tr("Exported 1 delivery to %1").arg(QFileInfo(path).fileName())
                 : tr("Exported %1 deliveries to %2").arg(number(summary->deliveries), QFileInfo(path).fileName()));
        if (summary->missing > 0)
            o.message += QLatin1String(" ") + tr("(%1 no longer existed)").arg(number(summary->missing));
        return o;
    };
}

BackgroundTask::Job DeliveryTasks::resend(std::shared_ptr<Database> db, const Clock& clock, QList<qint64> ids)
{
    return [db, &clock, ids](const ProgressCallback& progress) {
        return fromBulk(BulkRequeue(db, clock).resend(ids, progress));
    };
}

BackgroundTask::Job DeliveryTasks::recoverFailed(std::shared_ptr<Database> db, const Clock& clock, qint64 webhookId,
                                                 qint64 sinceMs)
{
    return [db, &clock, webhookId, sinceMs](const ProgressCallback& progress) {
        return fromBulk(BulkRequeue(db, clock).recoverFailed(webhookId, sinceMs, progress));
    };
}

} // namespace outhook::ui
