#include "storage/StorageWorker.h"

#include "delivery/TestSender.h"
#include "events/Emitter.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"

namespace outhook {

StorageContext::StorageContext(std::shared_ptr<Database> database, const Clock& clock)
    : db(std::move(database))
    , catalog(std::make_unique<EventCatalog>(db, clock))
    , webhooks(std::make_unique<WebhookStore>(db, *catalog, clock))
    , log(std::make_unique<DeliveryLog>(db))
    , queue(std::make_unique<DeliveryQueue>(db, clock, "ui-" + ids::newEngineId()))
    , emitter(std::make_unique<Emitter>(db, *catalog, clock))
    , clock(clock)
{}

StorageContext::~StorageContext() = default;

TestSender* StorageContext::testSender()
{
    if (!m_testSender && transportFactory)
        m_testSender = std::make_unique<TestSender>(db, clock, transportFactory());
    return m_testSender.get();
}

StorageWorker::StorageWorker(std::shared_ptr<Database> db, const Clock& clock, QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_clock(clock)
    , m_executor(new QObject)
{
    m_thread.setObjectName(QStringLiteral("outhook-storage"));
    m_executor->moveToThread(&m_thread);
    m_thread.start();
}

StorageWorker::~StorageWorker()
{
    // Tear the context and the thread's connection down on the thread that made them.
    QMetaObject::invokeMethod(
        m_executor,
        [this] {
            m_context.reset();
            m_db->releaseThreadConnection();
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_executor;
}

StorageContext& StorageWorker::contextForThisThread()
{
    if (!m_context) {
        m_context = std::make_unique<StorageContext>(m_db, m_clock);
        m_context->transportFactory = m_transportFactory;
        m_context->emitter->setOnQueued([this] {
            if (m_onQueued)
                m_onQueued();
        });
    }
    return *m_context;
}

void StorageWorker::post(std::function<void(StorageContext&)> work)
{
    QMetaObject::invokeMethod(
        m_executor, [this, work = std::move(work)] { work(contextForThisThread()); }, Qt::QueuedConnection);
}

void StorageWorker::drain()
{
    QMetaObject::invokeMethod(
        m_executor, [] {}, Qt::BlockingQueuedConnection);
}

void StorageWorker::setTransportFactory(TransportFactory factory)
{
    m_transportFactory = std::move(factory);
}

void StorageWorker::setOnQueued(std::function<void()> callback)
{
    m_onQueued = std::move(callback);
}

} // namespace outhook
