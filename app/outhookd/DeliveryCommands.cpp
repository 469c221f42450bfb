#include "CliContext.h"
#include "CliTable.h"

#include "api/WebhookInput.h"
#include "events/Emitter.h"
#include "model/DeliveryJson.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "util/Time.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace outhook::cli {

namespace {

// "--data @file.json" reads a file; anything else is the JSON itself. At most 1 MiB is read.
FieldErrors readData(const QString& value, QJsonObject* out)
{
    QByteArray bytes = value.toUtf8();
    if (value.startsWith(QLatin1Char('@'))) {
        QFile f(value.mid(1));
        if (!f.open(QIODevice::ReadOnly))
            return {{QStringLiteral("data"), QStringLiteral("Cannot read %1: %2").arg(value.mid(1), f.errorString())}};
        bytes = f.read(Emitter::kMaxPayloadBytes * 4);
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return {{QStringLiteral("data"),
                 QStringLiteral("Data is not valid JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)}};
    if (!doc.isObject())
        return {{QStringLiteral("data"), QStringLiteral("Data must be a JSON object")}};
    if (FieldErrors bad = api::checkJsonStructure(bytes); !bad.isEmpty()) {
        bad.first().field = QStringLiteral("data.") + bad.first().field; // the path inside --data
        return bad;
    }
    *out = doc.object();
    return {};
}

QString latestResponse(const Delivery& d)
{
    if (d.lastStatusCode)
        return QString::number(*d.lastStatusCode);
    return d.lastErrorClass.isEmpty() ? QStringLiteral("-") : d.lastErrorClass;
}

int list(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("deliveries list"), QStringLiteral("List deliveries, newest first."));
    const QCommandLineOption webhook(QStringLiteral("webhook"), QStringLiteral("Only this webhook."),
                                     QStringLiteral("id"));
    const QCommandLineOption status(QStringLiteral("status"), QStringLiteral("pending, retrying, succeeded or failed."),
                                    QStringLiteral("status"));
    const QCommandLineOption type(QStringLiteral("event-type"), QStringLiteral("Only this event type."),
                                  QStringLiteral("type"));
    const QCommandLineOption since(QStringLiteral("since"), QStringLiteral("Created at or after (ISO 8601)."),
                                   QStringLiteral("time"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most this many (default 50, max 1000)."),
                                   QStringLiteral("n"), QStringLiteral("50"));
    for (const auto* o : {&webhook, &status, &type, &since, &limit})
        p.addOption(*o);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    const QCommandLineParser& a = p.parser();
    DeliveryFilter f;
    FieldErrors errors;
    readDeliveryFilter(a, webhook, status, type, &f, &errors);
    if (a.isSet(since)) {
        const auto t = time::parseIso(a.value(since));
        if (!t)
            errors.append(
                {QStringLiteral("since"), QStringLiteral("Since must be an ISO 8601 time, like 2026-11-01T00:00:00Z")});
        else
            f.sinceMs = t->toMSecsSinceEpoch();
    }
    bool ok = false;
    const int n = a.value(limit).toInt(&ok);
    if (!ok || n < 1 || n > 1000)
        errors.append({QStringLiteral("limit"), QStringLiteral("Limit must be between 1 and 1000")});
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    if (!ctx.openDatabase())
        return Storage;
    const auto rows = DeliveryLog(ctx.db).list(f, n);
    if (!rows)
        return ctx.fail(rows.error());
    if (ctx.json) {
        QJsonArray arr;
        for (const Delivery& d : *rows)
            arr.append(json::deliveryToJson(d));
        ctx.printJson(arr);
        return Ok;
    }
    CliTable t({QStringLiteral("ID"), QStringLiteral("CREATED"), QStringLiteral("EVENT"), QStringLiteral("WEBHOOK"),
                QStringLiteral("STATUS"), QStringLiteral("ATTEMPTS"), QStringLiteral("RESPONSE"),
                QStringLiteral("URL")});
    for (const Delivery& d : *rows)
        t.addRow({QString::number(d.id), time::toIso(d.createdAt), d.eventType, QString::number(d.webhookId),
                  deliveryStatusName(d.status), QString::number(d.attemptCount), latestResponse(d), d.url});
    t.print(ctx.out);
    return Ok;
}

void printAttempt(QTextStream& o, const Attempt& a)
{
    o << "\nattempt " << a.number << " (" << attemptTriggerName(a.trigger) << ") at " << time::toIso(a.startedAt)
      << ", " << a.durationMs << " ms\n";
    o << "  status:   " << (a.statusCode ? QString::number(*a.statusCode) : QStringLiteral("no response")) << '\n';
    if (!a.errorClass.isEmpty())
        o << "  error:    " << a.errorClass << ": " << a.error << '\n';
    for (const auto& [k, v] : a.responseHeaders)
        o << "  < " << k << ": " << v << '\n';
    if (!a.responseBody.isEmpty())
        o << "  body:     " << QString::fromUtf8(a.responseBody.left(2000)) << (a.truncated ? " [truncated]" : "")
          << '\n';
}

int show(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("deliveries show"), QStringLiteral("One delivery with its payload and attempts."));
    p.addPositional(QStringLiteral("id"), QStringLiteral("Delivery id."));
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not a delivery id").arg(p.positional().first()));
    if (!ctx.openDatabase())
        return Storage;
    DeliveryLog log(ctx.db);
    const auto d = log.get(id);
    if (!d)
        return ctx.fail(d.error());
    const auto attempts = log.attempts(id);
    if (!attempts)
        return ctx.fail(attempts.error());
    if (ctx.json) {
        ctx.printJson(json::deliveryDetailToJson(*d, *attempts));
        return Ok;
    }
    QTextStream& o = ctx.out;
    o << "delivery " << d->id << " (" << deliveryStatusName(d->status) << ")\n";
    o << "event:        " << d->eventId << " " << d->eventType << '\n';
    o << "webhook:      " << d->webhookId << " " << d->url << '\n';
    o << "webhook-id:   " << d->msgId << '\n';
    if (d->nextAttemptAt)
        o << "next attempt: " << time::toIso(d->nextAttemptAt) << '\n';
    o << "payload:      " << QString::fromUtf8(d->payload) << '\n';
    for (const Attempt& a : *attempts)
        printAttempt(o, a);
    o.flush();
    return Ok;
}

int resend(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("deliveries resend"),
                QStringLiteral("Queue a delivery to be sent again at once (by a running engine or 'dispatch')."));
    p.addPositional(QStringLiteral("id"), QStringLiteral("Delivery id."));
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not a delivery id").arg(p.positional().first()));
    if (!ctx.openDatabase())
        return Storage;
    if (Status s = DeliveryQueue(ctx.db, ctx.clock, "cli").resend(id); !s)
        return ctx.fail(s.error());
    if (ctx.json)
        ctx.printJson(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("queued"), true}});
    else
        ctx.out << "Delivery " << id << " queued for a manual resend" << Qt::endl;
    return Ok;
}

int recover(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("deliveries recover"),
                QStringLiteral("Requeue every failed delivery of a webhook created since a time."));
    const QCommandLineOption webhook(QStringLiteral("webhook"), QStringLiteral("Webhook id."), QStringLiteral("id"));
    const QCommandLineOption since(QStringLiteral("since"), QStringLiteral("ISO 8601 time."), QStringLiteral("time"));
    p.addOption(webhook);
    p.addOption(since);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    FieldErrors errors;
    qint64 id = 0;
    if (!parseId(p.parser().value(webhook), &id))
        errors.append({QStringLiteral("webhook"), QStringLiteral("--webhook must be a numeric webhook id")});
    const auto t = time::parseIso(p.parser().value(since));
    if (!t)
        errors.append(
            {QStringLiteral("since"), QStringLiteral("--since must be an ISO 8601 time, like 2026-11-01T00:00:00Z")});
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    if (!ctx.openDatabase())
        return Storage;
    const auto n = DeliveryQueue(ctx.db, ctx.clock, "cli").recover(id, t->toMSecsSinceEpoch());
    if (!n)
        return ctx.fail(n.error());
    if (ctx.json)
        ctx.printJson(QJsonObject{{QStringLiteral("requeued"), *n}});
    else
        ctx.out << "Requeued " << *n << " failed deliver" << (*n == 1 ? "y" : "ies") << Qt::endl;
    return Ok;
}

} // namespace

int runEmit(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("emit"),
                QStringLiteral("Emit an event: one delivery per active subscribed webhook."));
    p.addPositional(QStringLiteral("type"), QStringLiteral("Event type, e.g. invoice.paid."));
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("The event data: JSON, or @file.json."),
                                  QStringLiteral("json"));
    const QCommandLineOption key(QStringLiteral("idempotency-key"),
                                 QStringLiteral("Emitting the same key again within 24 h returns the first event."),
                                 QStringLiteral("key"));
    p.addOption(data);
    p.addOption(key);
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    QJsonObject object;
    if (p.parser().isSet(data)) {
        if (FieldErrors e = readData(p.parser().value(data), &object); !e.isEmpty())
            return ctx.fail(Error::validation(e));
    }
    if (!ctx.openDatabase())
        return Storage;
    Emitter emitter(ctx.db, *ctx.catalog, ctx.clock);
    const auto r = emitter.emit(p.positional().first(), object, p.parser().value(key));
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        QJsonArray ids;
        for (qint64 id : r->deliveryIds)
            ids.append(id);
        ctx.printJson(QJsonObject{{QStringLiteral("event_id"), r->eventId},
                                  {QStringLiteral("deliveries"), ids},
                                  {QStringLiteral("duplicate"), r->duplicate}});
        return Ok;
    }
    QStringList ids;
    for (qint64 id : r->deliveryIds)
        ids << QString::number(id);
    ctx.out << (r->duplicate ? "Already emitted: event " : "Event ") << r->eventId << ", " << r->deliveryIds.size()
            << " deliver" << (r->deliveryIds.size() == 1 ? "y" : "ies")
            << (ids.isEmpty() ? QString() : QStringLiteral(": ") + ids.join(QStringLiteral(", "))) << Qt::endl;
    return Ok;
}

int runDeliveries(CliContext& ctx, const QStringList& args)
{
    const QString action = args.value(0);
    const QStringList rest = args.mid(1);
    if (action == QLatin1String("list"))
        return list(ctx, rest);
    if (action == QLatin1String("show"))
        return show(ctx, rest);
    if (action == QLatin1String("resend"))
        return resend(ctx, rest);
    if (action == QLatin1String("recover"))
        return recover(ctx, rest);
    if (action == QLatin1String("export"))
        return runDeliveriesExport(ctx, rest);
    return ctx.unknownAction(QStringLiteral("deliveries"), action,
                             {QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("resend"),
                              QStringLiteral("recover"), QStringLiteral("export")});
}

} // namespace outhook::cli
