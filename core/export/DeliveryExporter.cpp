#include "export/DeliveryExporter.h"

#include <QCoreApplication>
#include <algorithm>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("DeliveryExporter", text);
}

Error writeError(const DeliveryWriter& writer)
{
    return Error::storage(tr("Could not write the export: %1").arg(writer.errorString()));
}

} // namespace

Status DeliveryExporter::writePage(const QList<qint64>& ids, DeliveryWriter& writer, ExportSummary& summary) const
{
    const auto deliveries = m_log.getMany(ids);
    if (!deliveries)
        return deliveries.error();
    const auto attempts = m_log.attemptsOf(ids);
    if (!attempts)
        return attempts.error();
    for (const Delivery& d : *deliveries) {
        if (!writer.write(d, attempts->value(d.id)))
            return writeError(writer);
    }
    summary.deliveries += deliveries->size();
    summary.missing += ids.size() - deliveries->size();
    summary.records = writer.recordCount();
    return {};
}

Result<ExportSummary> DeliveryExporter::exportFiltered(const DeliveryFilter& filter, DeliveryWriter& writer,
                                                       const ProgressCallback& progress) const
{
    ExportSummary summary;
    const auto total = m_log.count(filter);
    if (!total)
        return total.error();
    summary.total = *total;
    if (!writer.begin())
        return writeError(writer);
    if (progress && !progress(0, summary.total)) {
        summary.cancelled = true;
        return summary;
    }
    std::optional<qint64> before;
    // Pages read the list without payloads, then the page's payloads and attempts by id.
    while (true) {
        const auto page = m_log.list(filter, m_pageSize, before);
        if (!page)
            return page.error();
        if (page->isEmpty())
            break;
        QList<qint64> ids;
        ids.reserve(page->size());
        for (const Delivery& d : *page)
            ids << d.id;
        before = ids.last();
        if (Status s = writePage(ids, writer, summary); !s)
            return s.error();
        // Rows emitted while exporting may make the count grow; done never passes total.
        summary.total = std::max(summary.total, summary.deliveries);
        if (page->size() < m_pageSize)
            break;
        if (progress && !progress(summary.deliveries, summary.total)) {
            summary.cancelled = true;
            return summary;
        }
    }
    if (!writer.finish())
        return writeError(writer);
    summary.records = writer.recordCount();
    if (progress)
        progress(summary.deliveries, summary.total);
    return summary;
}

Result<ExportSummary> DeliveryExporter::exportIds(QList<qint64> ids, DeliveryWriter& writer,
                                                  const ProgressCallback& progress) const
{
    std::sort(ids.begin(), ids.end(), std::greater<>());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    ExportSummary summary;
    summary.total = ids.size();
    if (!writer.begin())
        return writeError(writer);
    qint64 done = 0;
    for (qsizetype start = 0; start < ids.size(); start += m_pageSize) {
        if (progress && !progress(done, summary.total)) {
            summary.cancelled = true;
            return summary;
        }
        const QList<qint64> page = ids.mid(start, m_pageSize);
        if (Status s = writePage(page, writer, summary); !s)
            return s.error();
        done += page.size();
    }
    if (!writer.finish())
        return writeError(writer);
    summary.records = writer.recordCount();
    if (progress)
        progress(done, summary.total);
    return summary;
}

} // namespace outhook
