#include "CliContext.h"
#include "SignalWatcher.h"

#include "api/ApiServer.h"
#include "delivery/Engine.h"
#include "delivery/TestSender.h"
#include "model/DeliveryJson.h"
#include "util/Time.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace outhook::cli {

// `dispatch` and `serve`: run the dispatcher until idle (dispatch --until-idle) or until SIGINT/SIGTERM.
int runDispatch(CliContext& ctx, const QStringList& args, bool serve)
{
    const QString name = serve ? QStringLiteral("serve") : QStringLiteral("dispatch");
    SubParser p(ctx, name,
                serve ? QStringLiteral("Run the delivery engine until SIGINT or SIGTERM.")
                      : QStringLiteral("Send everything that is due."));
    const QCommandLineOption untilIdle(QStringLiteral("until-idle"),
                                       QStringLiteral("Exit 0 once nothing is due or in flight."));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("Requests in flight at most (default 64)."),
                                         QStringLiteral("n"), QStringLiteral("64"));
    const QCommandLineOption shutdown(
        QStringLiteral("shutdown-timeout"),
        QStringLiteral("On SIGTERM, wait this long for requests in flight (default 10s)."), QStringLiteral("duration"),
        QStringLiteral("10s"));
    const QCommandLineOption autoDisable(QStringLiteral("auto-disable-after"),
                                         QStringLiteral("Deactivate a webhook failing this long (default 5d)."),
                                         QStringLiteral("duration"), QStringLiteral("5d"));
    const QCommandLineOption lease(
        QStringLiteral("lease"),
        QStringLiteral("How long a claimed delivery stays reserved without a heartbeat; "
                       "another engine takes over a dead engine's work after this (default 20s)."),
        QStringLiteral("duration"), QStringLiteral("20s"));
    const QCommandLineOption api(QStringLiteral("api"),
                                 QStringLiteral("Serve the REST API on HOST:PORT (e.g. 127.0.0.1:8080)."),
                                 QStringLiteral("host:port"));
    const QCommandLineOption apiCert(QStringLiteral("api-cert"), QStringLiteral("TLS certificate (PEM) for the API."),
                                     QStringLiteral("pem"));
    const QCommandLineOption apiKey(QStringLiteral("api-key"), QStringLiteral("TLS private key (PEM) for the API."),
                                    QStringLiteral("pem"));
    if (serve) {
        p.addOption(api);
        p.addOption(apiCert);
        p.addOption(apiKey);
    } else {
        p.addOption(untilIdle);
    }
    for (const auto* o : {&concurrency, &shutdown, &autoDisable, &lease})
        p.addOption(*o);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;

    Dispatcher::Options options = ctx.dispatcherOptions();
    FieldErrors errors;
    bool ok = false;
    options.concurrency = p.parser().value(concurrency).toInt(&ok);
    if (!ok || options.concurrency < 1 || options.concurrency > 4096)
        errors.append({QStringLiteral("concurrency"), QStringLiteral("Concurrency must be between 1 and 4096")});
    const auto drain = time::parseDurationSeconds(p.parser().value(shutdown));
    if (!drain || *drain > 3600)
        errors.append(
            {QStringLiteral("shutdown_timeout"), QStringLiteral("Shutdown timeout must be a duration up to 1h")});
    const auto disableAfter = time::parseDurationSeconds(p.parser().value(autoDisable));
    if (!disableAfter || *disableAfter < 60)
        errors.append(
            {QStringLiteral("auto_disable_after"), QStringLiteral("Auto-disable period must be at least 1m")});
    else
        options.autoDisableAfterMs = *disableAfter * 1000;
    const auto leaseSeconds = time::parseDurationSeconds(p.parser().value(lease));
    if (!leaseSeconds || *leaseSeconds < 2 || *leaseSeconds > 3600)
        errors.append({QStringLiteral("lease"), QStringLiteral("Lease must be between 2s and 1h")});
    else {
        options.leaseMs = *leaseSeconds * 1000;
        options.heartbeatMs = std::max<qint64>(500, options.leaseMs / 4);
    }
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    const TransportFactory transport = ctx.transportFactory();
    if (!transport)
        return Usage;
    if (!ctx.openDatabase())
        return Storage;

    std::optional<QPair<QHostAddress, quint16>> listenOn;
    if (serve && p.parser().isSet(api)) {
        const auto parsed = api::ApiServer::parseListen(p.parser().value(api));
        if (!parsed)
            return ctx.usage(parsed.error().message);
        listenOn = *parsed;
    }

    Engine engine(ctx.db, ctx.clock, options, transport);
    std::unique_ptr<api::ApiRouter> router;
    std::unique_ptr<api::ApiServer> server;
    if (listenOn) {
        router = std::make_unique<api::ApiRouter>(ctx.db, ctx.clock, transport);
        router->setOnQueued([&engine] { engine.wake(); });
        server = std::make_unique<api::ApiServer>(router.get());
        const auto port =
            server->listen(listenOn->first, listenOn->second, p.parser().value(apiCert), p.parser().value(apiKey));
        if (!port) {
            ctx.err << "outhookd: " << port.error().message << Qt::endl;
            return Failed;
        }
        ctx.err << "outhookd: API listening on " << (p.parser().isSet(apiCert) ? "https://" : "http://")
                << listenOn->first.toString() << ':' << *port << "/api/v1" << Qt::endl;
    }
    SignalWatcher watcher;
    int exitCode = Ok;
    const int drainMs = int(*drain * 1000);
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &engine, [&](int sig) {
        ctx.err << "outhookd: signal " << sig << ", finishing requests in flight (up to " << *drain << "s)" << Qt::endl;
        engine.stop(drainMs);
    });
    QObject::connect(&engine, &Engine::storageError, &engine,
                     [&](const QString& message) { ctx.err << "outhookd: " << message << Qt::endl; });
    if (!serve && p.parser().isSet(untilIdle))
        QObject::connect(&engine, &Engine::idle, &engine, [&] { engine.stop(drainMs); });
    QObject::connect(&engine, &Engine::stopped, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    engine.start();
    if (serve)
        ctx.err << "outhookd: engine running on " << ctx.db->url().displayString() << " (concurrency "
                << options.concurrency << ")" << Qt::endl;
    QCoreApplication::exec();
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
