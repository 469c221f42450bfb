#pragma once

#include "model/Webhook.h"
#include "storage/ClaimHandoff.h"
#include "storage/Database.h"
#include "storage/EventCatalog.h"
#include "util/Clock.h"

#include <QHash>
#include <QJsonObject>
#include <functional>
#include <memory>

namespace outhook {

class DeliveryCounts;

struct EmitRequest
{
    QString type;
    QJsonObject data;
    QString idempotencyKey;
    // `data` as the client sent it (JSON text of that object), put into the envelope as it is: re-encoding
    // the object cost 4% of ingest, and numbers beyond a double's precision arrive intact. Empty: encoded.
    QByteArray dataJson;
};

struct EmitResult
{
    qint64 eventId = 0;
    QList<qint64> deliveryIds;
    bool duplicate = false; // an earlier event with the same idempotency key was returned
    int handedOff = 0;      // of deliveryIds, how many went straight to this process's engine (ClaimHandoff)
};

// Turns one event into one delivery per active webhook subscribed to its type, in one transaction.
// The envelope {"type", "timestamp", "data"} is serialised once here and never again, so every
// attempt and resend carries identical bytes.
class Emitter
{
public:
    static constexpr qint64 kMaxPayloadBytes = 256 * 1024;
    static constexpr qint64 kIdempotencyWindowMs = 24LL * 3600 * 1000;
    static constexpr int kMaxIdempotencyKeyLength = 255;

    Emitter(std::shared_ptr<Database> db, const EventCatalog& catalog, const Clock& clock)
        : m_db(std::move(db))
        , m_catalog(catalog)
        , m_clock(clock)
    {}

    // Called after each commit that queued deliveries (e.g. to wake an in-process dispatcher).
    void setOnQueued(std::function<void()> callback) { m_onQueued = std::move(callback); }
    // emitMany() leases what fits of its new deliveries to this process's engine and hands them over.
    void setHandoff(std::shared_ptr<ClaimHandoff> handoff) { m_handoff = std::move(handoff); }

    Result<EmitResult> emit(const QString& type, const QJsonObject& data, const QString& idempotencyKey = {});
    // Group commit: emits several events in one transaction, as the API's ingest path does with the requests
    // that arrive together (one commit per event capped ingest at about 1,200/s). Each result is what
    // emit() would have returned for that request; refused requests do not affect the others. If the
    // shared transaction fails, each request is tried again in its own, so one idempotency-key race (or
    // any other row that fails) cannot take its neighbours down with it.
    QList<Result<EmitResult>> emitMany(const QList<EmitRequest>& requests);
    // A test send's event: one delivery to `webhook` (active or not). Not queued unless `queued`: the
    // caller sends it itself, or (queued) leaves it to an engine that may read the signing secret.
    Result<EmitResult> emitTest(const Webhook& webhook, const QString& type, const QJsonObject& data,
                                bool queued = false);

    static QByteArray envelope(const QString& type, qint64 timestampMs, const QJsonObject& data);
    static QByteArray envelope(const QString& type, qint64 timestampMs, const QByteArray& dataJson);

private:
    // Checks one request and builds its envelope; a Validation error when it cannot be emitted.
    Result<QByteArray> prepare(const EmitRequest& request) const;
    using Subscribers = QHash<QString, QList<qint64>>; // event type -> active subscribed webhook ids
    // The deliveries of one transaction that are leased to the local engine as they are inserted.
    struct Handing
    {
        ClaimHandoff& handoff;
        ClaimHandoff::Lease lease;
        int reserved = 0;
        ClaimHandoff::Batch batch;
    };
    // The rows of one event, inside the caller's transaction. `subscribers`, when given, keeps the
    // webhooks found for each type for the next events of the same transaction; `handing`, when given,
    // leases what the engine has room for.
    Status insertRows(const QString& type, const QByteArray& payload, const QString& key,
                      std::optional<qint64> onlyWebhook, bool queued, qint64 now, EmitResult& out,
                      DeliveryCounts& counts, Subscribers* subscribers = nullptr, Handing* handing = nullptr);
    // After emitMany's transaction: hands the leased deliveries over, or gives the room back.
    void finishHanding(Handing& handing, bool committed);
    Result<EmitResult> insert(const QString& type, const QByteArray& payload, const QString& key,
                              std::optional<qint64> onlyWebhook, bool queued = false);

    std::shared_ptr<Database> m_db;
    const EventCatalog& m_catalog;
    const Clock& m_clock;
    std::function<void()> m_onQueued;
    std::shared_ptr<ClaimHandoff> m_handoff;
};

} // namespace outhook
