#include "ServiceLifecycle.h"

#include "CliContext.h"
#include "Log.h"

#include "api/ApiServer.h"
#include "delivery/Engine.h"
#include "util/Time.h"

namespace outhook::cli {

void logRequests(api::ApiServer& server)
{
    QObject::connect(&server, &api::ApiServer::requestServed, &server,
                     [](const QByteArray& method, const QString& path, int status, const QByteArray& requestId,
                        qint64 durationMs) { log::request(method, path, status, requestId, durationMs); });
}

void logEngine(Engine& engine)
{
    QObject::connect(&engine, &Engine::storageError, &engine, [](const QString& message) {
        log::error(message, {{QStringLiteral("component"), QStringLiteral("storage")}});
    });
    QObject::connect(&engine, &Engine::webhooksDisabled, &engine, [](const QList<qint64>& ids) {
        for (const qint64 id : ids)
            log::warn(QStringLiteral("webhook %1 auto-disabled after failing too long").arg(id),
                      {{QStringLiteral("webhook_id"), id}});
    });
}

void reloadConfig(CliContext& ctx, Engine& engine, bool autoDisableFromFlag)
{
    if (ctx.configPath.isEmpty()) {
        log::info(QStringLiteral("SIGHUP: no --config file to reload"));
        return;
    }
    const QList<ConfigProblem> problems = checkConfigFile(ctx.configPath);
    if (!problems.isEmpty()) {
        for (const ConfigProblem& problem : problems)
            log::error(QStringLiteral("reload refused: ") + formatConfigProblem(ctx.configPath, problem));
        return;
    }
    const ServiceConfig fresh = loadConfigFile(ctx.configPath);
    if (ctx.logFormatFlag.isEmpty())
        log::setFormat(log::parseFormat(fresh.logFormat).value_or(log::Format::Text));
    if (!autoDisableFromFlag) {
        // Not in the file: the team setting in the database (or the 5d default) applies.
        if (fresh.autoDisableAfter.isEmpty())
            engine.setAutoDisableAfterMs(0);
        else if (const auto seconds = time::parseDurationSeconds(fresh.autoDisableAfter))
            engine.setAutoDisableAfterMs(*seconds * 1000);
    }
    ctx.config = fresh;
    log::info(QStringLiteral("configuration reloaded (log format, auto-disable period)"),
              {{QStringLiteral("config"), ctx.configPath}});
}

} // namespace outhook::cli
