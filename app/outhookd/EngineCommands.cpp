#include "CliContext.h"
#include "Log.h"
#include "ServiceLifecycle.h"
#include "SignalWatcher.h"

#include "api/ApiServer.h"
#include "api/Metrics.h"
#include "delivery/Engine.h"
#include "delivery/TestSender.h"
#include "model/DeliveryJson.h"
#include "util/Time.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace outhook::cli {

namespace {

// A flag when given, else the config file's value, else the default.
QString setting(SubParser& p, const QCommandLineOption& flag, const QString& fromFile, const QString& fallback)
{
    if (p.parser().isSet(flag))
        return p.parser().value(flag);
    return fromFile.isEmpty() ? fallback : fromFile;
}

} // namespace

// `dispatch` and `serve`: run the dispatcher until idle (dispatch --until-idle) or until SIGINT/SIGTERM.
int runDispatch(CliContext& ctx, const QStringList& args, bool serve)
{
    const QString name = serve ? QStringLiteral("serve") : QStringLiteral("dispatch");
    SubParser p(ctx, name,
                serve ? QStringLiteral("Run the delivery engine until SIGINT or SIGTERM.")
                      : QStringLiteral("Send everything that is due."));
    const QCommandLineOption untilIdle(QStringLiteral("until-idle"),
                                       QStringLiteral("Exit 0 once nothing is due or in flight."));
    const QCommandLineOption concurrency(
        QStringLiteral("concurrency"), QStringLiteral("Requests in flight at most (default 64)."), QStringLiteral("n"));
    const QCommandLineOption shutdown(
        QStringLiteral("shutdown-timeout"),
        QStringLiteral("On SIGTERM, wait this long for requests in flight (default 10s)."), QStringLiteral("duration"));
    const QCommandLineOption autoDisable(QStringLiteral("auto-disable-after"),
                                         QStringLiteral("Deactivate a webhook failing this long (default 5d)."),
                                         QStringLiteral("duration"));
    const QCommandLineOption lease(
        QStringLiteral("lease"),
        QStringLiteral("How long a claimed delivery stays reserved without a heartbeat; "
                       "another engine takes over a dead engine's work after this (default 20s)."),
        QStringLiteral("duration"));
    const QCommandLineOption durability(QStringLiteral("durability"),
                                        QStringLiteral("SQLite sync: normal (default) or full (fsync each commit)."),
                                        QStringLiteral("normal|full"));
    const QCommandLineOption api(QStringLiteral("api"),
                                 QStringLiteral("Serve the REST API on HOST:PORT (e.g. 127.0.0.1:8080)."),
                                 QStringLiteral("host:port"));
    const QCommandLineOption apiCert(QStringLiteral("api-cert"), QStringLiteral("TLS certificate (PEM) for the API."),
                                     QStringLiteral("pem"));
    const QCommandLineOption apiKey(QStringLiteral("api-key"), QStringLiteral("TLS private key (PEM) for the API."),
                                    QStringLiteral("pem"));
    const QCommandLineOption noEngine(
        QStringLiteral("no-engine"),
        QStringLiteral("Serve the API only and send nothing: engines elsewhere (on the same PostgreSQL database) "
                       "or a later run send the deliveries. Needs --api."));
    if (serve) {
        p.addOption(api);
        p.addOption(apiCert);
        p.addOption(apiKey);
        p.addOption(noEngine);
    } else {
        p.addOption(untilIdle);
    }
    for (const auto* o : {&concurrency, &shutdown, &autoDisable, &lease, &durability})
        p.addOption(*o);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;

    const ServiceConfig& file = ctx.config;
    Dispatcher::Options options = ctx.dispatcherOptions();
    FieldErrors errors;
    bool ok = false;
    options.concurrency = setting(p, concurrency, file.concurrency, QStringLiteral("64")).toInt(&ok);
    if (!ok || options.concurrency < 1 || options.concurrency > 4096)
        errors.append({QStringLiteral("concurrency"), QStringLiteral("Concurrency must be between 1 and 4096")});
    const auto drain = time::parseDurationSeconds(setting(p, shutdown, file.shutdownTimeout, QStringLiteral("10s")));
    if (!drain || *drain > 3600)
        errors.append(
            {QStringLiteral("shutdown_timeout"), QStringLiteral("Shutdown timeout must be a duration up to 1h")});
    const auto disableAfter =
        time::parseDurationSeconds(setting(p, autoDisable, file.autoDisableAfter, QStringLiteral("5d")));
    if (!disableAfter || *disableAfter < 60)
        errors.append(
            {QStringLiteral("auto_disable_after"), QStringLiteral("Auto-disable period must be at least 1m")});
    else {
        options.autoDisableAfterMs = *disableAfter * 1000;
        // Only a flag or the config file pins it; otherwise the team setting in the database applies.
        options.pinAutoDisable = p.parser().isSet(autoDisable) || !file.autoDisableAfter.isEmpty();
    }
    const auto leaseSeconds = time::parseDurationSeconds(setting(p, lease, file.lease, QStringLiteral("20s")));
    if (!leaseSeconds || *leaseSeconds < 2 || *leaseSeconds > 3600)
        errors.append({QStringLiteral("lease"), QStringLiteral("Lease must be between 2s and 1h")});
    else {
        options.leaseMs = *leaseSeconds * 1000;
        options.heartbeatMs = std::max<qint64>(500, options.leaseMs / 4);
    }
    if (p.parser().isSet(durability)) {
        const QString d = p.parser().value(durability);
        if (d == QLatin1String("normal") || d == QLatin1String("full"))
            ctx.durability = d == QLatin1String("full") ? Database::Durability::Full : Database::Durability::Normal;
        else
            errors.append({QStringLiteral("durability"), QStringLiteral("Durability must be normal or full")});
    }
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    const TransportFactory transport = ctx.transportFactory();
    if (!transport)
        return Usage;
    if (!ctx.openDatabase())
        return Storage;

    std::optional<QPair<QHostAddress, quint16>> listenOn;
    const QString listenText = serve ? setting(p, api, file.apiListen, QString()) : QString();
    if (!listenText.isEmpty()) {
        const auto parsed = api::ApiServer::parseListen(listenText);
        if (!parsed)
            return ctx.usage(parsed.error().message);
        listenOn = *parsed;
    }
    const bool engineRuns = !serve || !p.parser().isSet(noEngine);
    if (!engineRuns && !listenOn)
        return ctx.usage(QStringLiteral("--no-engine needs --api HOST:PORT: without either, serve would do nothing"));
    // The TLS pair comes from one place: both flags, or else the file's.
    const bool tlsFromFlags = p.parser().isSet(apiCert) || p.parser().isSet(apiKey);
    const QString certFile = tlsFromFlags ? p.parser().value(apiCert) : file.apiCert;
    const QString keyFile = tlsFromFlags ? p.parser().value(apiKey) : file.apiKey;

    Engine engine(ctx.db, ctx.clock, options, transport);
    std::unique_ptr<api::ApiRouter> router;
    std::unique_ptr<api::ApiServer> server;
    if (listenOn) {
        router = std::make_unique<api::ApiRouter>(ctx.db, ctx.clock, transport);
        router->setOnQueued([&engine] { engine.wake(); });
        if (engineRuns)
            router->setHandoff(engine.handoff());
        QObject::connect(&engine, &Engine::attemptFinished, router.get(),
                         [m = &router->metrics()](qint64, int status, const QString& errorClass, qint64 durationMs,
                                                  DeliveryStatus outcome) {
                             m->recordAttempt(status, errorClass, durationMs, outcome);
                         });
        QObject::connect(&engine, &Engine::inFlightChanged, router.get(),
                         [m = &router->metrics()](int n) { m->setInFlight(n); });
        server = std::make_unique<api::ApiServer>(router.get());
        const auto port = server->listen(listenOn->first, listenOn->second, certFile, keyFile);
        if (!port) {
            log::error(port.error().message);
            return Failed;
        }
        logRequests(*server);
        const QString scheme = certFile.isEmpty() ? QStringLiteral("http://") : QStringLiteral("https://");
        log::info(QStringLiteral("API listening on ") + scheme + listenOn->first.toString() + QLatin1Char(':') +
                      QString::number(*port) + QStringLiteral("/api/v1"),
                  {{QStringLiteral("port"), int(*port)}});
    }
    SignalWatcher watcher;
    int exitCode = Ok;
    const int drainMs = int(*drain * 1000);
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &engine, [&](int sig) {
        log::info(QStringLiteral("signal %1, finishing requests in flight (up to %2s)").arg(sig).arg(*drain),
                  {{QStringLiteral("signal"), sig}});
        if (!engineRuns) {
            QCoreApplication::quit();
            return;
        }
        engine.stop(drainMs);
    });
    QObject::connect(&watcher, &SignalWatcher::reloadRequested, &engine,
                     [&] { reloadConfig(ctx, engine, p.parser().isSet(autoDisable)); });
    logEngine(engine);
    if (!serve && p.parser().isSet(untilIdle))
        QObject::connect(&engine, &Engine::idle, &engine, [&] { engine.stop(drainMs); });
    QObject::connect(&engine, &Engine::stopped, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    if (engineRuns)
        engine.start();
    if (!engineRuns)
        log::info(QStringLiteral("API only on %1: this process sends nothing").arg(ctx.db->url().displayString()));
    else if (serve)
        log::info(QStringLiteral("engine running on %1 (concurrency %2)")
                      .arg(ctx.db->url().displayString())
                      .arg(options.concurrency),
                  {{QStringLiteral("concurrency"), options.concurrency}});
    QCoreApplication::exec();
    if (serve && engineRuns)
        log::info(QStringLiteral("engine stopped"));
    return exitCode;
}

int runTest(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("test"),
                QStringLiteral("Send the sample payload of an event type to a webhook now, even an inactive one."));
    p.addPositional(QStringLiteral("webhook"), QStringLiteral("Webhook id."));
    const QCommandLineOption event(
        QStringLiteral("event"), QStringLiteral("Event type (default: the webhook's first)."), QStringLiteral("type"));
    p.addOption(event);
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not a webhook id").arg(p.positional().first()));
    const TransportFactory transport = ctx.transportFactory();
    if (!transport)
        return Usage;
    if (!ctx.openDatabase())
        return Storage;

    TestSender sender(ctx.db, ctx.clock, transport());
    int exitCode = Failed;
    QObject::connect(&sender, &TestSender::failed, &sender,
                     [&](quint64, const QString& message) { ctx.err << "outhookd: " << message << Qt::endl; });
    QObject::connect(&sender, &TestSender::finished, &sender, [&](quint64, const TestSendResult& r) {
        const Attempt& a = r.attempt;
        const bool success = r.status == DeliveryStatus::Succeeded;
        exitCode = success ? Ok : Failed;
        if (ctx.json) {
            QJsonObject o = json::attemptToJson(a);
            o.insert(QStringLiteral("delivery_id"), r.deliveryId);
            o.insert(QStringLiteral("webhook_id"), r.webhookId);
            o.insert(QStringLiteral("event_type"), r.eventType);
            o.insert(QStringLiteral("signature_sent"), r.signatureSent);
            o.insert(QStringLiteral("succeeded"), success);
            ctx.printJson(o);
        } else {
            QTextStream& o = ctx.out;
            o << "Test send of " << r.eventType << " to webhook " << r.webhookId << " (delivery " << r.deliveryId
              << "): " << (success ? "succeeded" : "failed") << " in " << a.durationMs << " ms\n";
            o << "status: " << (a.statusCode ? QString::number(*a.statusCode) : QStringLiteral("no response")) << '\n';
            if (!a.errorClass.isEmpty())
                o << "error:  " << a.errorClass << ": " << a.error << '\n';
            for (const auto& [k, v] : a.responseHeaders)
                o << k << ": " << v << '\n';
            o << '\n' << QString::fromUtf8(a.responseBody) << (a.truncated ? "\n[truncated at 64 KiB]" : "") << '\n';
            o.flush();
        }
        QCoreApplication::quit();
    });
    const auto started = sender.send(id, p.parser().value(event));
    if (!started)
        return ctx.fail(started.error());
    QCoreApplication::exec();
    return exitCode;
}

} // namespace outhook::cli
