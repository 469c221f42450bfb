#include "CliContext.h"
#include "CliTable.h"

#include "storage/ApiKeyStore.h"
#include "util/Time.h"

#include <QJsonArray>

namespace outhook::cli {

namespace {

QJsonObject keyJson(const ApiKey& k)
{
    return QJsonObject{
        {QStringLiteral("id"), k.id},
        {QStringLiteral("name"), k.name},
        {QStringLiteral("prefix"), k.prefix},
        {QStringLiteral("scopes"), QJsonArray::fromStringList(k.scopes)},
        {QStringLiteral("created_at"), time::toIso(k.createdAt)},
        {QStringLiteral("last_used_at"), k.lastUsedAt ? QJsonValue(time::toIso(k.lastUsedAt)) : QJsonValue()},
        {QStringLiteral("revoked_at"), k.revokedAt ? QJsonValue(time::toIso(k.revokedAt)) : QJsonValue()}};
}

int create(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("apikeys create"),
                QStringLiteral("Create a REST API key. The key is printed once and never again."));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("What the key is for."),
                                  QStringLiteral("name"));
    const QCommandLineOption scopes(QStringLiteral("scopes"),
                                    QStringLiteral("Comma-separated: ") +
                                        ApiKeyStore::knownScopes().join(QLatin1Char(',')),
                                    QStringLiteral("scopes"));
    p.addOption(name);
    p.addOption(scopes);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    if (!ctx.openDatabase())
        return Storage;
    QStringList list;
    for (const QString& s : p.parser().value(scopes).split(QLatin1Char(','), Qt::SkipEmptyParts))
        list << s.trimmed();
    const auto created = ApiKeyStore(ctx.db, ctx.clock).create(p.parser().value(name), list);
    if (!created)
        return ctx.fail(created.error());
    if (ctx.json) {
        QJsonObject o = keyJson(created->first);
        o.insert(QStringLiteral("key"), created->second);
        ctx.printJson(o);
    } else {
        ctx.out << "API key " << created->first.id << " (" << created->first.name << "): " << created->second << '\n'
                << "Store it now: it is not shown again." << Qt::endl;
    }
    return Ok;
}

int list(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("apikeys list"), QStringLiteral("List API keys (never the keys themselves)."));
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    if (!ctx.openDatabase())
        return Storage;
    const auto keys = ApiKeyStore(ctx.db, ctx.clock).list();
    if (!keys)
        return ctx.fail(keys.error());
    if (ctx.json) {
        QJsonArray a;
        for (const ApiKey& k : *keys)
            a.append(keyJson(k));
        ctx.printJson(a);
        return Ok;
    }
    CliTable t({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("PREFIX"), QStringLiteral("SCOPES"),
                QStringLiteral("LAST USED"), QStringLiteral("STATE")});
    for (const ApiKey& k : *keys)
        t.addRow({QString::number(k.id), k.name, k.prefix + QStringLiteral("…"), k.scopes.join(QLatin1Char(',')),
                  k.lastUsedAt ? time::toIso(k.lastUsedAt) : QStringLiteral("never"),
                  k.revokedAt ? QStringLiteral("revoked") : QStringLiteral("active")});
    t.print(ctx.out);
    return Ok;
}

int revoke(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("apikeys revoke"), QStringLiteral("Revoke an API key at once."));
    p.addPositional(QStringLiteral("id"), QStringLiteral("API key id."));
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not an API key id").arg(p.positional().first()));
    if (!ctx.openDatabase())
        return Storage;
    if (Status s = ApiKeyStore(ctx.db, ctx.clock).revoke(id); !s)
        return ctx.fail(s.error());
    if (ctx.json)
        ctx.printJson(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("revoked"), true}});
    else
        ctx.out << "Revoked API key " << id << Qt::endl;
    return Ok;
}

} // namespace

int runApiKeys(CliContext& ctx, const QStringList& args)
{
    const QString action = args.value(0);
    if (action == QLatin1String("create"))
        return create(ctx, args.mid(1));
    if (action == QLatin1String("list"))
        return list(ctx, args.mid(1));
    if (action == QLatin1String("revoke"))
        return revoke(ctx, args.mid(1));
    return ctx.unknownAction(QStringLiteral("apikeys"), action,
                             {QStringLiteral("create"), QStringLiteral("list"), QStringLiteral("revoke")});
}

} // namespace outhook::cli
