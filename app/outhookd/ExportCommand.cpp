#include "CliContext.h"

#include "export/DeliveryExporter.h"
#include "util/Time.h"

#include <QFile>
#include <QSaveFile>
#include <cstdio>

namespace outhook::cli {

// outhookd deliveries export --format har|csv|jsonl [filters] [--id N]... [-o FILE]
// Streams page by page, so any number of deliveries fits in memory. With -o the file appears only
// when the export is complete (QSaveFile); without it the export goes to stdout.
int runDeliveriesExport(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("deliveries export"),
                QStringLiteral("Export deliveries and their attempts as HAR 1.2, CSV or JSON Lines (secrets "
                               "redacted)."));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("har, csv or jsonl (default: from the -o suffix, else jsonl)."),
                                    QStringLiteral("format"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write to FILE instead of stdout."), QStringLiteral("file"));
    const QCommandLineOption id(QStringLiteral("id"), QStringLiteral("Only this delivery (repeatable)."),
                                QStringLiteral("id"));
    const QCommandLineOption webhook(QStringLiteral("webhook"), QStringLiteral("Only this webhook."),
                                     QStringLiteral("id"));
    const QCommandLineOption status(QStringLiteral("status"), QStringLiteral("pending, retrying, succeeded or failed."),
                                    QStringLiteral("status"));
    const QCommandLineOption type(QStringLiteral("event-type"), QStringLiteral("Only this event type."),
                                  QStringLiteral("type"));
    const QCommandLineOption since(QStringLiteral("since"), QStringLiteral("Created at or after (ISO 8601)."),
                                   QStringLiteral("time"));
    const QCommandLineOption until(QStringLiteral("until"), QStringLiteral("Created before (ISO 8601)."),
                                   QStringLiteral("time"));
    const QCommandLineOption search(QStringLiteral("search"),
                                    QStringLiteral("A delivery id, event id, message id or response body text."),
                                    QStringLiteral("text"));
    for (const auto* o : {&format, &output, &id, &webhook, &status, &type, &since, &until, &search})
        p.addOption(*o);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    const QCommandLineParser& a = p.parser();

    FieldErrors errors;
    std::optional<ExportFormat> chosen;
    if (a.isSet(format)) {
        chosen = parseExportFormat(a.value(format));
        if (!chosen)
            errors.append({QStringLiteral("format"), QStringLiteral("Format must be har, csv or jsonl")});
    } else {
        chosen = a.isSet(output) ? exportFormatForFileName(a.value(output)) : std::nullopt;
        if (!chosen)
            chosen = ExportFormat::Jsonl;
    }
    QList<qint64> ids;
    for (const QString& value : a.values(id)) {
        qint64 n = 0;
        if (!parseId(value, &n))
            errors.append({QStringLiteral("id"), QStringLiteral("\"%1\" is not a delivery id").arg(value)});
        ids << n;
    }
    DeliveryFilter f;
    readDeliveryFilter(a, webhook, status, type, &f, &errors);
    f.text = a.value(search);
    for (const auto& [option, target] : {std::pair{&since, &f.sinceMs}, std::pair{&until, &f.untilMs}}) {
        if (!a.isSet(*option))
            continue;
        if (const auto t = time::parseIso(a.value(*option)))
            *target = t->toMSecsSinceEpoch();
        else
            errors.append({option->names().first(), QStringLiteral("%1 must be an ISO 8601 time, like "
                                                                   "2026-11-01T00:00:00Z")
                                                        .arg(option->names().first())});
    }
    if (!ids.isEmpty() &&
        (f.webhookId || f.status || !f.eventType.isEmpty() || f.sinceMs || f.untilMs || !f.text.isEmpty()))
        errors.append({QStringLiteral("id"), QStringLiteral("--id cannot be combined with filters")});
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    if (!ctx.openDatabase())
        return Storage;

    QSaveFile file;
    QFile stdoutFile;
    QIODevice* device = nullptr;
    if (a.isSet(output)) {
        file.setFileName(a.value(output));
        if (!file.open(QIODevice::WriteOnly))
            return ctx.fail(
                Error::validation(QStringLiteral("output"),
                                  QStringLiteral("Cannot write %1: %2").arg(a.value(output), file.errorString())));
        device = &file;
    } else {
        ctx.out.flush();
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly))
            return ctx.fail(Error::storage(QStringLiteral("Cannot write to stdout")));
        device = &stdoutFile;
    }
    const auto writer = DeliveryWriter::create(*chosen, device);
    const DeliveryLog log(ctx.db);
    const DeliveryExporter exporter(log);
    const auto summary = ids.isEmpty() ? exporter.exportFiltered(f, *writer) : exporter.exportIds(ids, *writer);
    if (!summary) {
        if (a.isSet(output))
            file.cancelWriting();
        return ctx.fail(summary.error());
    }
    if (a.isSet(output) && !file.commit())
        return ctx.fail(Error::storage(QStringLiteral("Cannot write %1: %2").arg(a.value(output), file.errorString())));
    stdoutFile.close();
    // The summary goes to stderr, so stdout stays exactly the exported document.
    ctx.err << "Exported " << summary->deliveries << " deliver" << (summary->deliveries == 1 ? "y" : "ies") << " ("
            << summary->records << ' '
            << (*chosen == ExportFormat::Har   ? "HAR entries"
                : *chosen == ExportFormat::Csv ? "CSV rows"
                                               : "lines")
            << ")";
    if (summary->missing > 0)
        ctx.err << "; " << summary->missing << " id(s) not found";
    if (a.isSet(output))
        ctx.err << " to " << a.value(output);
    ctx.err << Qt::endl;
    return Ok;
}

} // namespace outhook::cli
