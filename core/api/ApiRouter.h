#pragma once

#include "api/ApiTypes.h"
#include "delivery/Transport.h"
#include "storage/ClaimHandoff.h"
#include "storage/Database.h"
#include "util/Clock.h"

#include <QObject>
#include <memory>

namespace outhook {
class ApiKeyStore;
class DeliveryLog;
class DeliveryQueue;
class Emitter;
class StorageLane;
class EventCatalog;
class TestSender;
class WebhookStore;
struct ApiKey;
struct EmitResult;
struct TestSendResult;
} // namespace outhook

namespace outhook::api {

class Metrics;

// The REST API under /api/v1, independent of the HTTP server: authenticates the bearer key, checks the
// route's scope, runs the handler and answers in the {"data", "meta"} envelope, or with a JSON error.
// Every write is one store call, which validates first and writes in one transaction: a refused request
// changes nothing.
class ApiRouter : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxBodyBytes = 1024 * 1024;
    static constexpr int kMaxIngestBatch = 256; // events per group commit at most

    ApiRouter(std::shared_ptr<Database> db, const Clock& clock, TransportFactory transport, QObject* parent = nullptr);
    ~ApiRouter() override;

    // Called after a commit that queued deliveries, so an engine in this process sends them at once.
    void setOnQueued(std::function<void()> callback);
    // Ingested events' deliveries go straight to this process's engine, as far as it has room.
    void setHandoff(std::shared_ptr<ClaimHandoff> handoff);

    // The counters GET /metrics renders; the owner feeds them from its engine.
    Metrics& metrics() { return *m_metrics; }

    // Answers through `reply`, immediately, after the group commit (POST /events) or (test sends) once the
    // attempt is done.
    void handle(const ApiRequest& request, const Reply& reply);
    // Commits and answers every POST /events request received so far, blocking until done; for shutdown,
    // while the connections are still open.
    void finishIngest();

private:
    struct Context;
    using Handler = void (ApiRouter::*)(Context&);

    bool serviceEndpoint(Context& c); // /healthz, /readyz, /metrics; false for other paths
    bool authorize(Context& c, const QString& scope);
    // The body as an object; with `member`, also that top-level member's text as sent (see
    // checkJsonStructure()).
    std::optional<QJsonObject> jsonBody(Context& c, QLatin1String member = {}, QByteArray* memberText = nullptr);
    std::optional<qint64> idArg(Context& c, int index);

    void listWebhooks(Context& c);
    void getWebhook(Context& c);
    void createWebhook(Context& c);
    void patchWebhook(Context& c);
    void deleteWebhook(Context& c);
    void rotateSecret(Context& c);
    void testWebhook(Context& c);
    void recoverWebhook(Context& c);
    void listEventTypes(Context& c);
    void addEventType(Context& c);
    void ingestEvent(Context& c);
    void listDeliveries(Context& c);
    void getDelivery(Context& c);
    void resendDelivery(Context& c);
    void onTestFinished(quint64 tag, const TestSendResult& result);
    // Hands the events of the requests queued by ingestEvent() to the ingest lane, which commits them in one
    // transaction; answerIngest() then answers them. One batch is in flight at a time: the requests that
    // arrive meanwhile form the next one.
    void flushIngest();
    void answerIngest(const QList<Result<EmitResult>>& results);

    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_webhooks;
    std::unique_ptr<Emitter> m_emitter;
    std::unique_ptr<DeliveryLog> m_log;
    std::unique_ptr<DeliveryQueue> m_queue;
    std::unique_ptr<ApiKeyStore> m_keys;
    std::unique_ptr<TestSender> m_tests;
    QHash<quint64, QPair<Reply, QString>> m_pendingTests; // tag → reply, request id
    struct PendingIngest;
    QList<PendingIngest> m_ingestBatch;      // checked POST /events requests waiting for the next group commit
    QList<PendingIngest> m_ingestCommitting; // the batch the lane is committing now
    // Keys found valid during the current pass of the event loop (bearer token -> key), forgotten when
    // the pass ends: the requests that arrive together need one lookup, and a key revoked elsewhere is
    // refused from the next pass on. The lookup was a sixth of the ingest path's CPU.
    QHash<QString, ApiKey> m_keysThisPass;
    std::function<void()> m_onQueued;
    std::unique_ptr<Metrics> m_metrics;
    // Ingest commits on a storage lane, so that parsing and answering requests (this thread) and writing
    // them (the lane) use both cores; on SQLite the lane is the engine's too (StorageLane::forWriter).
    // Its emitter wakes nobody: answerIngest() does, here.
    std::unique_ptr<Emitter> m_ingestEmitter;
    std::shared_ptr<StorageLane> m_ingestLane; // shared with the engine on SQLite
};

} // namespace outhook::api
