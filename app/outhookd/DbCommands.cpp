#include "CliContext.h"

#include "storage/Roles.h"

#include <QFile>
#include <QFileInfo>

#include <cstdio>

namespace outhook::cli {

namespace {

// `db rotate-master-key`: every stored secret re-encrypted under a new key in one transaction. With
// --new-key-file the new key is that file (created if missing) and the operator points Outhook at it;
// without it, a key kept in the default key file is replaced there (new key written beside it first,
// renamed over it after the commit).
int rotateMasterKey(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("db rotate-master-key"),
                QStringLiteral("Re-encrypt all stored secrets with a new master key, in one transaction."));
    const QCommandLineOption newKeyFile(QStringLiteral("new-key-file"),
                                        QStringLiteral("The new key (base64 of 32 bytes); created if missing."),
                                        QStringLiteral("path"));
    p.addOption(newKeyFile);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    if (!ctx.openDatabase())
        return Storage;
    const QString defaultFile = Database::defaultKeyFile(ctx.db->url());
    const bool replaceDefault = !p.parser().isSet(newKeyFile);
    if (replaceDefault && !ctx.db->masterKeySource().contains(defaultFile))
        return ctx.usage(QStringLiteral("the current key comes from %1, not from %2: pass --new-key-file PATH and "
                                        "switch to that key afterwards")
                             .arg(ctx.db->masterKeySource(), defaultFile));
    const QString target = replaceDefault ? defaultFile + QStringLiteral(".new") : p.parser().value(newKeyFile);
    const auto next =
        QFileInfo::exists(target) && !replaceDefault ? security::readKeyFile(target) : security::createKeyFile(target);
    if (!next)
        return ctx.fail(next.error());
    if (Status s = ctx.db->rotateMasterKey(*next); !s) {
        if (replaceDefault)
            QFile::remove(target);
        return ctx.fail(s.error());
    }
    if (replaceDefault) {
        // rename(2) replaces the old file atomically: there is never a moment without a usable key file.
        if (::rename(QFile::encodeName(target).constData(), QFile::encodeName(defaultFile).constData()) != 0) {
            ctx.err << "outhookd: the secrets are now encrypted with the key in " << target
                    << ", but it could not replace " << defaultFile << "; move it there yourself" << Qt::endl;
            return Storage;
        }
        ctx.out << "Secrets re-encrypted with a new master key (id " << ctx.db->secretBox()->keyId() << ") in "
                << defaultFile << Qt::endl;
        return Ok;
    }
    ctx.out << "Secrets re-encrypted with the master key in " << target << " (id " << ctx.db->secretBox()->keyId()
            << "). From now on pass --master-key-file " << target << " or set OUTHOOK_MASTER_KEY to it." << Qt::endl;
    return Ok;
}

} // namespace

// `db init-roles` and `db grant USER admin|support`: PostgreSQL roles for team mode.
int runDb(CliContext& ctx, const QStringList& args)
{
    const QString action = args.value(0);
    if (action == QLatin1String("init-roles")) {
        SubParser p(ctx, QStringLiteral("db init-roles"),
                    QStringLiteral("Create the outhook_admin and outhook_support roles and their grants "
                                   "(PostgreSQL; run again after upgrades)."));
        if (int rc = p.parse(args.mid(1), 0, 0); rc >= 0)
            return rc;
        if (!ctx.openDatabase())
            return Storage;
        if (Status s = roles::initRoles(*ctx.db); !s)
            return ctx.fail(s.error());
        ctx.out << "Roles outhook_admin and outhook_support are ready" << Qt::endl;
        return Ok;
    }
    if (action == QLatin1String("grant")) {
        SubParser p(ctx, QStringLiteral("db grant"),
                    QStringLiteral("Give a PostgreSQL user the admin or support role."));
        p.addPositional(QStringLiteral("user"), QStringLiteral("PostgreSQL user."));
        p.addPositional(QStringLiteral("role"), QStringLiteral("admin or support."));
        if (int rc = p.parse(args.mid(1), 2, 2); rc >= 0)
            return rc;
        if (!ctx.openDatabase())
            return Storage;
        if (Status s = roles::grant(*ctx.db, p.positional().at(0), p.positional().at(1)); !s)
            return ctx.fail(s.error());
        ctx.out << "Granted outhook_" << p.positional().at(1) << " to " << p.positional().at(0) << Qt::endl;
        return Ok;
    }
    if (action == QLatin1String("rotate-master-key"))
        return rotateMasterKey(ctx, args.mid(1));
    return ctx.unknownAction(
        QStringLiteral("db"), action,
        {QStringLiteral("init-roles"), QStringLiteral("grant"), QStringLiteral("rotate-master-key")});
}

} // namespace outhook::cli
