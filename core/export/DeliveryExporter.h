#pragma once

#include "export/DeliveryWriter.h"
#include "storage/DeliveryLog.h"
#include "util/Progress.h"

namespace outhook {

struct ExportSummary
{
    qint64 total = 0;      // deliveries selected when the export started
    qint64 deliveries = 0; // deliveries written
    qint64 records = 0;    // HAR entries, CSV rows or JSON lines written
    qint64 missing = 0;    // selected ids that no longer exist
    bool cancelled = false;
};

// Streams deliveries from the log into a writer a page at a time (keyset paging, newest first), with
// each page's payloads and attempts read in two queries. Progress is reported after every page; when
// the callback says stop, the export ends there with `cancelled` set and finish() not called, so the
// caller discards the file (QSaveFile without commit). Runs on whatever thread owns `log`'s connection.
class DeliveryExporter
{
public:
    static constexpr int kPageSize = 200;

    explicit DeliveryExporter(const DeliveryLog& log, int pageSize = kPageSize)
        : m_log(log)
        , m_pageSize(pageSize)
    {}

    // Everything `filter` matches, as the Log History lists it.
    Result<ExportSummary> exportFiltered(const DeliveryFilter& filter, DeliveryWriter& writer,
                                         const ProgressCallback& progress = {}) const;
    // Exactly these deliveries (e.g. the rows selected in the Log History), newest first.
    Result<ExportSummary> exportIds(QList<qint64> ids, DeliveryWriter& writer,
                                    const ProgressCallback& progress = {}) const;

private:
    // Writes one page (ids of deliveries); false with `error` set when reading or writing failed.
    Status writePage(const QList<qint64>& ids, DeliveryWriter& writer, ExportSummary& summary) const;

    const DeliveryLog& m_log;
    int m_pageSize;
};

} // namespace outhook
