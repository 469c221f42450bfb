#include "api/ApiRouter.h"

#include "api/ApiContext.h"
#include "api/Health.h"
#include "api/Metrics.h"
#include "api/WebhookInput.h"

#include "delivery/StorageLane.h"
#include "delivery/TestSender.h"
#include "events/Emitter.h"
#include "storage/ApiKeyStore.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QRegularExpression>

namespace outhook::api {

ApiRouter::ApiRouter(std::shared_ptr<Database> db, const Clock& clock, TransportFactory transport, QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_clock(clock)
    , m_catalog(std::make_unique<EventCatalog>(m_db, clock))
    , m_webhooks(std::make_unique<WebhookStore>(m_db, *m_catalog, clock))
    , m_emitter(std::make_unique<Emitter>(m_db, *m_catalog, clock))
    , m_log(std::make_unique<DeliveryLog>(m_db))
    , m_queue(std::make_unique<DeliveryQueue>(m_db, clock, "api"))
    , m_keys(std::make_unique<ApiKeyStore>(m_db, clock))
    , m_tests(std::make_unique<TestSender>(m_db, clock, transport()))
    , m_metrics(std::make_unique<Metrics>())
    , m_ingestEmitter(std::make_unique<Emitter>(m_db, *m_catalog, clock))
    , m_ingestLane(StorageLane::forWriter(m_db, "outhook-ingest"))
{
    connect(m_tests.get(), &TestSender::finished, this, &ApiRouter::onTestFinished);
}

ApiRouter::~ApiRouter()
{
    // Unanswered requests are dropped with their connections; the lane finishes its commit first (its
    // jobs use this object's members).
    m_ingestLane->waitIdle();
    m_ingestLane.reset();
}

void ApiRouter::setOnQueued(std::function<void()> callback)
{
    m_onQueued = callback;
    m_emitter->setOnQueued(std::move(callback));
}

void ApiRouter::setHandoff(std::shared_ptr<ClaimHandoff> handoff)
{
    m_ingestEmitter->setHandoff(std::move(handoff));
}

void ApiRouter::handle(const ApiRequest& request, const Reply& reply)
{
    Context c{request, reply, QString::fromLatin1(ids::newRequestId()), {}, {}};
    if (serviceEndpoint(c))
        return;
    struct Entry
    {
        QByteArray method;
        const char* pattern;
        const char* scope;
        Handler handler;
    };
    static const Entry table[] = {
        {"GET", "^/api/v1/webhooks/events$", "webhooks:read", &ApiRouter::listEventTypes},
        {"POST", "^/api/v1/webhooks/events$", "webhooks:write", &ApiRouter::addEventType},
        {"GET", "^/api/v1/webhooks$", "webhooks:read", &ApiRouter::listWebhooks},
        {"POST", "^/api/v1/webhooks$", "webhooks:write", &ApiRouter::createWebhook},
        {"GET", "^/api/v1/webhooks/([^/]+)$", "webhooks:read", &ApiRouter::getWebhook},
        {"PATCH", "^/api/v1/webhooks/([^/]+)$", "webhooks:write", &ApiRouter::patchWebhook},
        {"DELETE", "^/api/v1/webhooks/([^/]+)$", "webhooks:write", &ApiRouter::deleteWebhook},
        {"POST", "^/api/v1/webhooks/([^/]+)/rotate-secret$", "webhooks:write", &ApiRouter::rotateSecret},
        {"POST", "^/api/v1/webhooks/([^/]+)/test$", "deliveries:write", &ApiRouter::testWebhook},
        {"POST", "^/api/v1/webhooks/([^/]+)/recover$", "deliveries:write", &ApiRouter::recoverWebhook},
        {"POST", "^/api/v1/events$", "events:write", &ApiRouter::ingestEvent},
        {"GET", "^/api/v1/deliveries$", "deliveries:read", &ApiRouter::listDeliveries},
        {"GET", "^/api/v1/deliveries/([^/]+)$", "deliveries:read", &ApiRouter::getDelivery},
        {"POST", "^/api/v1/deliveries/([^/]+)/resend$", "deliveries:write", &ApiRouter::resendDelivery},
    };
    // Compiled once: compiling them per request was a third of the ingest path's CPU. A path that does not
    // start with a pattern's literal part cannot match it, and a pattern without a group is that part
    // alone: most entries are decided by a string comparison (the ten regular expressions tried before an
    // event's route were 1.6% of API-only ingest).
    struct Route
    {
        QRegularExpression pattern;
        QString literal; // up to the first group, without the anchors
        bool exact = false;
    };
    static const QList<Route> routes = [] {
        QList<Route> out;
        for (const Entry& e : table) {
            const QString pattern = QLatin1String(e.pattern);
            const qsizetype group = pattern.indexOf(QLatin1Char('('));
            Route r{QRegularExpression(pattern), pattern.mid(1, group < 0 ? pattern.size() - 2 : group - 1), group < 0};
            out.append(r);
        }
        return out;
    }();
    bool pathKnown = false;
    for (qsizetype i = 0; i < routes.size(); ++i) {
        const Entry& e = table[i];
        const Route& route = routes[i];
        if (route.exact ? request.path != route.literal : !request.path.startsWith(route.literal))
            continue;
        const auto match = route.pattern.match(request.path);
        if (!match.hasMatch())
            continue;
        pathKnown = true;
        if (e.method != request.method)
            continue;
        c.args = match.capturedTexts().mid(1);
        if (!authorize(c, QLatin1String(e.scope)))
            return;
        (this->*e.handler)(c);
        return;
    }
    if (pathKnown)
        c.fail(405, QStringLiteral("method_not_allowed"),
               tr("%1 is not allowed on %2").arg(QString::fromLatin1(request.method), request.path));
    else
        c.fail(404, QStringLiteral("not_found"), tr("No such endpoint: %1").arg(request.path));
}

// Outside /api/v1 and its envelope: probes and Prometheus expect plain answers. Health needs no key.
bool ApiRouter::serviceEndpoint(Context& c)
{
    const QString& path = c.request.path;
    if (path != QLatin1String("/healthz") && path != QLatin1String("/readyz") && path != QLatin1String("/metrics"))
        return false;
    if (c.request.method != "GET" && c.request.method != "HEAD") {
        c.fail(405, QStringLiteral("method_not_allowed"), tr("Only GET is allowed on %1").arg(path));
        return true;
    }
    if (path == QLatin1String("/healthz")) {
        c.respond(health::liveness());
        return true;
    }
    if (path == QLatin1String("/readyz")) {
        c.respond(health::readiness(*m_db));
        return true;
    }
    if (!authorize(c, QStringLiteral("metrics:read")))
        return true;
    const auto counts = m_queue->counts();
    const auto webhooks = m_webhooks->list();
    if (!counts || !webhooks) {
        c.fail(!counts ? counts.error() : webhooks.error());
        return true;
    }
    ApiResponse r;
    r.headers.append({QByteArray("Content-Type"), QByteArray(Metrics::kContentType)});
    r.body = m_metrics->render(*counts, *webhooks, m_clock.nowMs());
    c.respond(std::move(r));
    return true;
}

bool ApiRouter::authorize(Context& c, const QString& scope)
{
    const QByteArray auth = c.request.header("authorization");
    if (!auth.startsWith("Bearer ")) {
        c.fail(401, QStringLiteral("unauthorized"), tr("Send an API key as \"Authorization: Bearer <key>\""));
        return false;
    }
    const QString token = QString::fromLatin1(auth.mid(7).trimmed());
    if (const auto known = m_keysThisPass.constFind(token); known != m_keysThisPass.cend()) {
        c.key = *known;
    } else {
        const auto key = m_keys->authenticate(token);
        if (!key) {
            if (key.error().kind == Error::Kind::Storage)
                c.fail(key.error());
            else
                c.fail(401, QStringLiteral("unauthorized"), tr("Invalid or revoked API key"));
            return false;
        }
        if (m_keysThisPass.isEmpty())
            QMetaObject::invokeMethod(
                this, [this] { m_keysThisPass.clear(); }, Qt::QueuedConnection);
        m_keysThisPass.insert(token, *key);
        c.key = *key;
    }
    if (!c.key.scopes.contains(scope)) {
        c.fail(403, QStringLiteral("forbidden"), tr("This API key lacks the \"%1\" scope").arg(scope));
        return false;
    }
    return true;
}

std::optional<QJsonObject> ApiRouter::jsonBody(Context& c, QLatin1String member, QByteArray* memberText)
{
    const QByteArray type = c.request.header("content-type").split(';').first().trimmed().toLower();
    if (type != "application/json") {
        c.fail(415, QStringLiteral("unsupported_media_type"), tr("Send the body as Content-Type: application/json"));
        return std::nullopt;
    }
    if (c.request.body.size() > kMaxBodyBytes) {
        c.fail(413, QStringLiteral("payload_too_large"), tr("Request bodies are limited to 1 MiB"));
        return std::nullopt;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(c.request.body, &error);
    if (error.error != QJsonParseError::NoError) {
        const QString message =
            tr("The body is not valid JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset);
        const QString field = jsonPathAt(c.request.body, error.offset); // e.g. {"timeout_seconds": NaN}
        c.fail(400, QStringLiteral("malformed_json"), message,
               field.isEmpty() ? FieldErrors() : FieldErrors{{field, message}});
        return std::nullopt;
    }
    if (!doc.isObject()) {
        c.fail(400, QStringLiteral("malformed_json"), tr("The body must be a JSON object"));
        return std::nullopt;
    }
    // A key twice or absurd nesting: refused before any field is read (QJsonDocument keeps the last key).
    if (const FieldErrors bad = checkJsonStructure(c.request.body, member, memberText); !bad.isEmpty()) {
        c.fail(400, QStringLiteral("malformed_json"), bad.first().message, bad);
        return std::nullopt;
    }
    return doc.object();
}

std::optional<qint64> ApiRouter::idArg(Context& c, int index)
{
    bool ok = false;
    const qint64 id = c.args.value(index).toLongLong(&ok);
    if (!ok || id <= 0) {
        c.fail(404, QStringLiteral("not_found"), tr("\"%1\" is not an id").arg(c.args.value(index)));
        return std::nullopt;
    }
    return id;
}

} // namespace outhook::api
