#include "CliContext.h"

#include "storage/Roles.h"

namespace outhook::cli {

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
    return ctx.unknownAction(QStringLiteral("db"), action, {QStringLiteral("init-roles"), QStringLiteral("grant")});
}

} // namespace outhook::cli
