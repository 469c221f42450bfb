#include "CliContext.h"
#include "CliTable.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace outhook::cli {

namespace {

QJsonObject typesGroupedByKind(const QList<EventType>& types)
{
    QJsonArray kinds;
    QJsonObject current;
    QJsonArray currentTypes;
    for (const EventType& t : types) {
        if (current.value(QStringLiteral("kind")).toString() != t.kind) {
            if (!current.isEmpty()) {
                current.insert(QStringLiteral("types"), currentTypes);
                kinds.append(current);
            }
            current = QJsonObject{{QStringLiteral("kind"), t.kind}};
            currentTypes = QJsonArray();
        }
        currentTypes.append(QJsonObject{{QStringLiteral("name"), t.name},
                                        {QStringLiteral("description"), t.description},
                                        {QStringLiteral("sample"), t.sample},
                                        {QStringLiteral("builtin"), t.builtin}});
    }
    if (!current.isEmpty()) {
        current.insert(QStringLiteral("types"), currentTypes);
        kinds.append(current);
    }
    return QJsonObject{{QStringLiteral("kinds"), kinds}};
}

int list(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("events list"), QStringLiteral("List event types, grouped by kind."));
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    if (!ctx.openDatabase())
        return Storage;
    const auto types = ctx.catalog->list();
    if (!types)
        return ctx.fail(types.error());
    if (ctx.json) {
        ctx.printJson(typesGroupedByKind(*types));
        return Ok;
    }
    CliTable t({QStringLiteral("TYPE"), QStringLiteral("KIND"), QStringLiteral("DESCRIPTION")});
    for (const EventType& e : *types)
        t.addRow({e.name, e.kind, e.description});
    t.print(ctx.out, 80);
    return Ok;
}

// "--sample @file.json" reads a file; anything else is the JSON itself.
FieldErrors readSample(const QString& value, QJsonObject* out)
{
    QByteArray bytes = value.toUtf8();
    if (value.startsWith(QLatin1Char('@'))) {
        QFile f(value.mid(1));
        if (!f.open(QIODevice::ReadOnly))
            return {
                {QStringLiteral("sample"), QStringLiteral("Cannot read %1: %2").arg(value.mid(1), f.errorString())}};
        bytes = f.read(1024 * 1024 + 1);
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return {{QStringLiteral("sample"), QStringLiteral("Sample is not valid JSON: %1").arg(error.errorString())}};
    if (!doc.isObject())
        return {{QStringLiteral("sample"), QStringLiteral("Sample must be a JSON object")}};
    *out = doc.object();
    return {};
}

int add(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("events add"), QStringLiteral("Register an event type."));
    p.addPositional(QStringLiteral("type"), QStringLiteral("Event type, kind.action."));
    const QCommandLineOption kind(QStringLiteral("kind"), QStringLiteral("Kind it belongs to."),
                                  QStringLiteral("kind"));
    const QCommandLineOption description(QStringLiteral("description"), QStringLiteral("What it means."),
                                         QStringLiteral("text"));
    const QCommandLineOption sample(QStringLiteral("sample"), QStringLiteral("Sample data: JSON, or @file.json."),
                                    QStringLiteral("json"));
    p.addOption(kind);
    p.addOption(description);
    p.addOption(sample);
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    EventType t;
    t.name = p.positional().first();
    t.kind = p.parser().isSet(kind) ? p.parser().value(kind) : t.name.section(QLatin1Char('.'), 0, 0);
    t.description = p.parser().value(description);
    if (p.parser().isSet(sample)) {
        if (FieldErrors e = readSample(p.parser().value(sample), &t.sample); !e.isEmpty())
            return ctx.fail(Error::validation(e));
    }
    if (!ctx.openDatabase())
        return Storage;
    const auto added = ctx.catalog->add(t);
    if (!added)
        return ctx.fail(added.error());
    if (ctx.json)
        ctx.printJson(QJsonObject{{QStringLiteral("name"), added->name},
                                  {QStringLiteral("kind"), added->kind},
                                  {QStringLiteral("description"), added->description},
                                  {QStringLiteral("sample"), added->sample}});
    else
        ctx.out << "Registered event type " << added->name << Qt::endl;
    return Ok;
}

} // namespace

int runEvents(CliContext& ctx, const QStringList& args)
{
    const QString action = args.value(0);
    if (action == QLatin1String("list"))
        return list(ctx, args.mid(1));
    if (action == QLatin1String("add"))
        return add(ctx, args.mid(1));
    return ctx.unknownAction(QStringLiteral("events"), action, {QStringLiteral("list"), QStringLiteral("add")});
}

} // namespace outhook::cli
