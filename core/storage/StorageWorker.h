#pragma once

#include "delivery/Transport.h"
#include "storage/Database.h"
#include "util/Clock.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <functional>
#include <memory>

namespace outhook {

class EventCatalog;
class WebhookStore;
class DeliveryLog;
class DeliveryQueue;
class Emitter;
class TestSender;

// The repositories as seen from the storage thread. Built there, used only there.
struct StorageContext
{
    StorageContext(std::shared_ptr<Database> db, const Clock& clock);
    ~StorageContext();
    std::shared_ptr<Database> db;
    std::unique_ptr<EventCatalog> catalog;
    std::unique_ptr<WebhookStore> webhooks;
    std::unique_ptr<DeliveryLog> log;
    std::unique_ptr<DeliveryQueue> queue;
    std::unique_ptr<Emitter> emitter;

    // Made on first use, on the storage thread, with the worker's transport factory.
    TestSender* testSender();
    TransportFactory transportFactory;
    const Clock& clock;

private:
    std::unique_ptr<TestSender> m_testSender;
};

// Runs storage work off the caller's thread, so a GUI never waits on disk: `run` queues `work` on a
// dedicated thread with its own connection, then calls `done` with the result on `context`'s thread.
// If `context` is gone by then, the result is dropped. Work runs in submission order.
class StorageWorker : public QObject
{
    Q_OBJECT
public:
    StorageWorker(std::shared_ptr<Database> db, const Clock& clock, QObject* parent = nullptr);
    ~StorageWorker() override;

    template <typename T>
    void run(QObject* context, std::function<T(StorageContext&)> work, std::function<void(T)> done)
    {
        QPointer<QObject> guard(context);
        QMetaObject::invokeMethod(
            m_executor,
            [this, guard, work = std::move(work), done = std::move(done)]() mutable {
                T result = work(contextForThisThread());
                if (!guard)
                    return;
                QMetaObject::invokeMethod(
                    guard.data(),
                    [guard, done = std::move(done), result = std::move(result)]() mutable {
                        if (guard)
                            done(std::move(result));
                    },
                    Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
    }

    // Fire-and-forget; for writes whose outcome nobody waits for.
    void post(std::function<void(StorageContext&)> work);
    // Blocks until everything queued so far has run (tests and shutdown only).
    void drain();

    // For work that runs on a thread of its own (long exports and bulk requeues), so it never holds up
    // the reads queued here. Such a thread opens its own connection and releases it when done.
    std::shared_ptr<Database> database() const { return m_db; }
    const Clock& clock() const { return m_clock; }

    // Called on the storage thread after a write that queued deliveries (e.g. to wake an engine).
    void setOnQueued(std::function<void()> callback);
    // The transport test sends use. Set before the first test send.
    void setTransportFactory(TransportFactory factory);

private:
    StorageContext& contextForThisThread();

    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
    QThread m_thread;
    QObject* m_executor;
    std::unique_ptr<StorageContext> m_context; // created and destroyed on m_thread
    std::function<void()> m_onQueued;
    TransportFactory m_transportFactory;
};

} // namespace outhook
