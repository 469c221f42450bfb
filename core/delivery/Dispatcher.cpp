#include "delivery/Dispatcher.h"

#include "delivery/RequestBuilder.h"
#include "storage/EventCatalog.h"
#include "storage/SettingsStore.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"

#include <QSet>

namespace outhook {

Dispatcher::Dispatcher(std::shared_ptr<Database> db, const Clock& clock, Options options, TransportFactory transport,
                       RetryPolicy policy)
    : m_db(std::move(db))
    , m_clock(clock)
    , m_base(options)
    , m_options(options)
    , m_transportFactory(std::move(transport))
    , m_policy(std::move(policy))
    , m_wakeTimer(this) // parented, so moveToThread() takes the timers along
    , m_flushTimer(this)
    , m_heartbeat(this)
    , m_drainTimer(this)
{
    m_mono.start();
    m_wakeTimer.setSingleShot(true);
    m_flushTimer.setSingleShot(true);
    m_drainTimer.setSingleShot(true);
    connect(&m_wakeTimer, &QTimer::timeout, this, &Dispatcher::pump);
    connect(&m_flushTimer, &QTimer::timeout, this, [this] {
        flush();
        pump();
    });
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        // Results not yet written are still this engine's: their leases must outlive a failing write.
        if ((!m_inFlight.isEmpty() || !m_pending.isEmpty()) && m_queue)
            m_queue->extendLeases(m_options.leaseMs);
    });
    connect(&m_drainTimer, &QTimer::timeout, this, [this] {
        // Drain deadline: abort what is left and hand it back so another engine (or the next run) sends it.
        QList<qint64> ids;
        for (const InFlight& f : std::as_const(m_inFlight))
            ids << f.delivery.id;
        if (m_transport)
            m_transport->abortAll();
        m_inFlight.clear();
        if (m_queue)
            m_queue->release(ids);
        finishStop();
    });
}

Dispatcher::~Dispatcher() = default;

void Dispatcher::setAutoDisableAfterMs(qint64 ms)
{
    m_base.pinAutoDisable = ms > 0;
    if (ms > 0) {
        m_base.autoDisableAfterMs = ms;
        m_options.autoDisableAfterMs = ms;
    } else {
        m_base.autoDisableAfterMs = Options().autoDisableAfterMs;
        reloadSettings();
    }
}

void Dispatcher::reloadSettings()
{
    m_settingsAge.start();
    const auto team = SettingsStore(m_db, m_clock).load();
    if (!team) {
        // Keep the values in force; an unreadable settings table must not stop deliveries.
        Q_EMIT storageError(team.error().message);
        return;
    }
    if (!m_base.pinAutoDisable)
        m_options.autoDisableAfterMs = team->autoDisableAfterMsOr(m_base.autoDisableAfterMs);
    m_options.maxResponseBodyBytes = team->maxResponseBodyBytesOr(m_base.maxResponseBodyBytes);
}

void Dispatcher::start()
{
    if (m_started)
        return;
    m_started = true;
    m_transport = m_transportFactory();
    m_transport->setParent(nullptr);
    connect(m_transport.get(), &Transport::finished, this, &Dispatcher::onFinished);
    m_queue = std::make_unique<DeliveryQueue>(m_db, m_clock, ids::newEngineId());
    reloadSettings();
    m_heartbeat.start(int(m_options.heartbeatMs));
    // On PostgreSQL a new event anywhere wakes this engine at once; SQLite relies on in-process wake()
    // calls and the once-a-second look.
    m_db->subscribe(QLatin1String(Database::kQueueChannel), this, [this] { wake(); });
    pump();
}

void Dispatcher::wake()
{
    if (!m_started || m_stopping || m_pumpQueued)
        return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            pump();
        },
        Qt::QueuedConnection);
}

void Dispatcher::pump()
{
    if (!m_started || m_stopping)
        return;
    if (m_settingsAge.elapsed() >= m_base.settingsRefreshMs)
        reloadSettings();
    qint64 nextSlowInMs = -1;
    const int hardMax = m_options.maxInFlight > 0 ? m_options.maxInFlight : 4 * m_options.concurrency;
    const int free = std::min(m_options.concurrency - activeInFlight(&nextSlowInMs), hardMax - int(m_inFlight.size()));
    // Claiming one row at a time as single slots free up costs a query per request; wait for a few.
    if (free <= 0 || (!m_inFlight.isEmpty() && free < std::max(1, m_options.concurrency / 4))) {
        // Slots held by requests about to turn slow come free by time alone: look again then.
        if (nextSlowInMs >= 0 && !m_wakeTimer.isActive())
            m_wakeTimer.start(int(std::min<qint64>(nextSlowInMs + 1, m_options.maxIdleWakeMs)));
        return;
    }
    const int want = std::min(free, m_options.claimBatch);
    auto claimed = m_queue->claim(want, m_options.leaseMs);
    if (!claimed) {
        Q_EMIT storageError(claimed.error().message);
        m_wakeTimer.start(m_options.maxIdleWakeMs);
        return;
    }
    if (!claimed->isEmpty()) {
        QSet<qint64> webhookIds;
        for (const ClaimedDelivery& c : std::as_const(*claimed))
            webhookIds.insert(c.webhookId);
        EventCatalog catalog(m_db, m_clock);
        WebhookStore store(m_db, catalog, m_clock);
        const auto webhooks = store.getMany(webhookIds.values());
        if (!webhooks) {
            Q_EMIT storageError(webhooks.error().message);
            m_queue->release([&] {
                QList<qint64> ids;
                for (const ClaimedDelivery& c : std::as_const(*claimed))
                    ids << c.id;
                return ids;
            }());
            m_wakeTimer.start(m_options.maxIdleWakeMs);
            return;
        }
        QHash<qint64, Webhook> byId;
        for (const Webhook& w : *webhooks)
            byId.insert(w.id, w);
        const qint64 now = m_clock.nowMs();
        for (const ClaimedDelivery& c : std::as_const(*claimed)) {
            const auto it = byId.constFind(c.webhookId);
            if (it == byId.cend())
                continue; // webhook deleted meanwhile; its deliveries went with it
            BuiltRequest built =
                RequestBuilder::build(*it, c.msgId, c.payload, now, quint64(c.id), m_options.maxResponseBodyBytes);
            m_inFlight.insert(quint64(c.id), InFlight{c, *it, std::move(built.redactedHeaders), now, m_mono.elapsed()});
            m_transport->send(built.request);
        }
        Q_EMIT inFlightChanged(int(m_inFlight.size()));
    }
    if (claimed->size() == want) {
        wake(); // probably more due right now
        return;
    }
    if (m_inFlight.isEmpty()) {
        if (!m_pending.isEmpty()) {
            // Retries with tiny delays may fall due as soon as results are written; look again after.
            if (flush())
                wake();
            return;
        }
        scheduleWake();
        Q_EMIT idle();
        return;
    }
    scheduleWake();
}

int Dispatcher::activeInFlight(qint64* nextSlowInMs) const
{
    const qint64 now = m_mono.elapsed();
    int active = 0;
    *nextSlowInMs = -1;
    for (const InFlight& f : m_inFlight) {
        const qint64 slowIn = f.startedMono + m_options.slowAfterMs - now;
        if (slowIn <= 0)
            continue;
        ++active;
        if (*nextSlowInMs < 0 || slowIn < *nextSlowInMs)
            *nextSlowInMs = slowIn;
    }
    return active;
}

void Dispatcher::scheduleWake()
{
    qint64 delay = m_options.maxIdleWakeMs;
    if (const auto next = m_queue->nextDueAt(); next && *next)
        delay = std::clamp<qint64>(**next - m_clock.nowMs(), 0, m_options.maxIdleWakeMs);
    m_wakeTimer.start(int(delay));
}

void Dispatcher::onFinished(const HttpResponse& r)
{
    const auto it = m_inFlight.find(r.tag);
    if (it == m_inFlight.end())
        return;
    const InFlight f = *it;
    m_inFlight.erase(it);

    AttemptResult result;
    result.webhookId = f.webhook.id;
    Attempt& a = result.attempt;
    a.deliveryId = f.delivery.id;
    a.number = f.delivery.attemptCount + 1;
    a.trigger = f.delivery.trigger;
    a.startedAt = f.startedAt;
    a.durationMs = r.durationMs;
    a.requestUrl = f.webhook.url;
    a.requestHeaders = f.redactedHeaders;
    if (r.statusCode > 0)
        a.statusCode = r.statusCode;
    a.responseHeaders = r.headers;
    a.responseBody = r.body;
    a.responseBodySize = r.bodySize;
    a.truncated = r.truncated;
    a.remoteAddress = r.remoteAddress;
    result.outcome = m_policy.decide(r, f.webhook.retrySchedule, a.number, a.trigger, m_clock.nowMs());
    a.errorClass = result.outcome.errorClass;
    a.error = result.outcome.error;
    m_pending.append(result);
    Q_EMIT attemptFinished(f.webhook.id, r.statusCode > 0 ? r.statusCode : 0, a.errorClass, a.durationMs,
                           result.outcome.status);

    Q_EMIT inFlightChanged(int(m_inFlight.size()));
    if (m_pending.size() >= m_options.flushBatch)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start(m_options.flushIntervalMs);

    if (m_stopping) {
        if (m_inFlight.isEmpty())
            finishStop();
        return;
    }
    pump();
}

bool Dispatcher::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return true;
    const auto disabled = m_queue->complete(m_pending, m_options.autoDisableAfterMs);
    if (!disabled) {
        // Keep the results and try again: an attempt that happened is never dropped.
        Q_EMIT storageError(disabled.error().message);
        m_flushTimer.start(m_options.maxIdleWakeMs);
        return false;
    }
    QList<qint64> ids;
    ids.reserve(m_pending.size());
    for (const AttemptResult& r : std::as_const(m_pending))
        ids << r.attempt.deliveryId;
    m_pending.clear();
    Q_EMIT attemptsRecorded(ids);
    if (!disabled->isEmpty())
        Q_EMIT webhooksDisabled(*disabled);
    return true;
}

void Dispatcher::stop(int drainMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_wakeTimer.stop();
    if (!m_started || m_inFlight.isEmpty()) {
        finishStop();
        return;
    }
    m_drainTimer.start(drainMs);
}

void Dispatcher::finishStop()
{
    m_drainTimer.stop();
    m_heartbeat.stop();
    m_wakeTimer.stop();
    if (m_queue) {
        int tries = 0;
        while (!flush() && ++tries < 5) {
        }
    }
    m_transport.reset();
    m_queue.reset();
    m_db->releaseThreadConnection();
    Q_EMIT stopped();
}

} // namespace outhook
