#include "CliContext.h"

namespace outhook::cli {

// `config check FILE`: every problem as "FILE:LINE: key: message" on stderr; exit 0 when there is none.
int runConfig(CliContext& ctx, const QStringList& args)
{
    const QString action = args.value(0);
    if (action != QLatin1String("check")) {
        return ctx.unknownAction(QStringLiteral("config"), action, {QStringLiteral("check")});
    }
    SubParser p(ctx, QStringLiteral("config check"),
                QStringLiteral("Validate a config file: unknown sections and keys, bad values, with line numbers."));
    p.addPositional(QStringLiteral("file"), QStringLiteral("The INI file, e.g. /etc/outhook/outhookd.conf."));
    // Checking a file must not load it as this run's configuration: take --config out of the way.
    const QString previous = ctx.configPath;
    ctx.configPath.clear();
    if (int rc = p.parse(args.mid(1), 1, 1); rc >= 0)
        return rc;
    ctx.configPath = previous;
    const QString file = p.positional().first();
    const QList<ConfigProblem> problems = checkConfigFile(file);
    for (const ConfigProblem& problem : problems)
        ctx.err << formatConfigProblem(file, problem) << Qt::endl;
    if (!problems.isEmpty())
        return Validation;
    ctx.out << file << ": ok" << Qt::endl;
    return Ok;
}

} // namespace outhook::cli
