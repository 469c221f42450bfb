#pragma once

#include "delivery/RetryPolicy.h"
#include "delivery/Transport.h"
#include "model/Delivery.h"
#include "model/EventType.h"
#include "model/Webhook.h"
#include "storage/Database.h"
#include "util/Clock.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <memory>

namespace outhook {

struct TestSendResult
{
    qint64 webhookId = 0;
    qint64 deliveryId = 0;
    QString eventType;
    Attempt attempt;
    DeliveryStatus status = DeliveryStatus::Failed;
    bool signatureSent = false;
};

// One-click test send: the catalog's sample payload for an event type, sent at once to one webhook,
// even an inactive one. It is recorded like any delivery, with a single attempt whose trigger is `test`.
class TestSender : public QObject
{
    Q_OBJECT
public:
    TestSender(std::shared_ptr<Database> db, const Clock& clock, std::unique_ptr<Transport> transport,
               QObject* parent = nullptr);
    ~TestSender() override;

    // Starts a test send; `eventType` empty means the webhook's first subscribed type. Returns the tag
    // that finished() will carry, or why it could not start (webhook not found, unknown type).
    Result<quint64> send(qint64 webhookId, const QString& eventType = {});
    int inFlight() const { return int(m_pending.size() + m_queued.size()); }
    static constexpr qint64 kQueuedTimeoutMs = 60000;

Q_SIGNALS:
    void finished(quint64 tag, const outhook::TestSendResult& result);
    void failed(quint64 tag, const QString& message); // the attempt happened but could not be recorded

private:
    struct Pending
    {
        Webhook webhook;
        TestSendResult result;
        RawHeaders redacted;
        qint64 startedAt = 0;
    };
    void onFinished(const HttpResponse& response);
    // For users who may not read signing secrets (the support role): the test delivery is queued for an
    // engine that can sign it, and its attempt is awaited here.
    Result<quint64> queueForEngine(const Webhook& webhook, const EventType& type);
    void pollQueued();

    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
    std::unique_ptr<Transport> m_transport;
    QHash<quint64, Pending> m_pending;
    struct Queued
    {
        TestSendResult result;
        qint64 deadlineMs = 0;
    };
    QHash<quint64, Queued> m_queued;
    QTimer* m_poll;
};

} // namespace outhook

Q_DECLARE_METATYPE(outhook::TestSendResult)
