#include "CliContext.h"
#include "Log.h"

#include <QCoreApplication>
#include <cstdio>

using namespace outhook::cli;

namespace {

const char* kTopHelp = R"(Usage: outhookd [--config FILE] [--db URL] <command> [options]

Outhook's headless engine and scriptable CLI.

Commands:
  webhooks add|list|show|update|enable|disable|remove|rotate-secret
                                   Manage webhooks
  events list|add                  The event type catalog
  emit TYPE [--data JSON|@file] [--idempotency-key K]
                                   Emit an event to every active subscribed webhook
  dispatch --until-idle            Send everything due, then exit
  serve [--concurrency N] [--api HOST:PORT [--api-cert PEM --api-key PEM] [--no-engine]]
                                   Run the engine (and the REST API) until SIGINT/SIGTERM
  apikeys create|list|revoke       REST API keys
  db init-roles | db grant USER admin|support
                                   PostgreSQL roles for team mode
  db rotate-master-key [--new-key-file PATH]
                                   Re-encrypt the stored secrets with a new master key
  deliveries list|show|resend|recover
                                   The delivery log
  test WEBHOOK_ID [--event TYPE]   Send a sample payload now and print the reply
  config check FILE                Validate a config file; prints FILE:LINE: problems

Global options:
  --config FILE  Settings from an INI file (see outhookd.conf.example); flags override it.
  --log-format text|json   Log lines (serve, dispatch) as text (default) or one JSON object each.
  --db URL     Database: a path, sqlite:///abs/path.db or postgres://user:pass@host:port/db.
               Default: $OUTHOOK_DB, else outhook.db in the app data folder.
  --json       Print one JSON document on stdout.
  --master-key-file PATH   The master key that encrypts stored secrets (base64 of 32 bytes; created
               with mode 0600 if missing on a new database). Else $OUTHOOK_MASTER_KEY, then
               $OUTHOOK_MASTER_KEY_FILE, then <db>.key next to an SQLite file or
               ~/.config/outhook/master.key for PostgreSQL.
  --ca-file PEM             Trust these CAs too, on top of the system ones (repeatable).
  --allow-destination CIDR  Allow a private/loopback range, e.g. 127.0.0.0/8 (repeatable).
  -h, --help   Show help. 'outhookd <command> <action> --help' shows a command's options.
  -v, --version

Exit codes: 0 ok, 1 failed, 2 usage error, 3 validation error, 4 not found, 5 storage error.
)";

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Outhook"));
    QCoreApplication::setApplicationName(QStringLiteral("outhook"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OUTHOOK_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    CliContext ctx(out, err);
    outhook::cli::log::install();

    // Global options come before the command; anything after the command belongs to it (and the
    // sub-parsers accept --db/--json too, so either position works).
    QStringList args = app.arguments().mid(1);
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString a = args.takeFirst();
        if (a == QLatin1String("--db") && !args.isEmpty()) {
            ctx.dbFlag = args.takeFirst();
        } else if (a.startsWith(QLatin1String("--db="))) {
            ctx.dbFlag = a.mid(5);
        } else if (a == QLatin1String("--ca-file") && !args.isEmpty()) {
            ctx.caFiles << args.takeFirst();
        } else if (a == QLatin1String("--allow-destination") && !args.isEmpty()) {
            ctx.allowedDestinations << args.takeFirst();
        } else if (a == QLatin1String("--config") && !args.isEmpty()) {
            ctx.configPath = args.takeFirst();
        } else if (a.startsWith(QLatin1String("--config="))) {
            ctx.configPath = a.mid(9);
        } else if (a == QLatin1String("--master-key-file") && !args.isEmpty()) {
            ctx.masterKeyFile = args.takeFirst();
        } else if (a.startsWith(QLatin1String("--master-key-file="))) {
            ctx.masterKeyFile = a.mid(18);
        } else if (a == QLatin1String("--log-format") && !args.isEmpty()) {
            ctx.logFormatFlag = args.takeFirst();
        } else if (a == QLatin1String("--json")) {
            ctx.json = true;
        } else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            out << kTopHelp;
            return Ok;
        } else if (a == QLatin1String("-v") || a == QLatin1String("--version")) {
            out << "outhookd " << OUTHOOK_VERSION << Qt::endl;
            return Ok;
        } else {
            return ctx.usage(QStringLiteral("unknown option \"%1\"").arg(a));
        }
    }
    if (args.isEmpty()) {
        err << kTopHelp;
        return Usage;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("webhooks"))
        return runWebhooks(ctx, args);
    if (command == QLatin1String("events"))
        return runEvents(ctx, args);
    if (command == QLatin1String("emit"))
        return runEmit(ctx, args);
    if (command == QLatin1String("deliveries"))
        return runDeliveries(ctx, args);
    if (command == QLatin1String("dispatch"))
        return runDispatch(ctx, args, false);
    if (command == QLatin1String("serve"))
        return runDispatch(ctx, args, true);
    if (command == QLatin1String("test"))
        return runTest(ctx, args);
    if (command == QLatin1String("apikeys"))
        return runApiKeys(ctx, args);
    if (command == QLatin1String("db"))
        return runDb(ctx, args);
    if (command == QLatin1String("config"))
        return runConfig(ctx, args);
    return ctx.usage(QStringLiteral("unknown command \"%1\"").arg(command));
}
