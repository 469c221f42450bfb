#include "delivery/Dispatcher.h"

#include "delivery/RequestBuilder.h"
#include "storage/EventCatalog.h"
#include "storage/SettingsStore.h"
#include "storage/WebhookStore.h"
#include "util/Ids.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

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
    connect(&m_wakeTimer, &QTimer::timeout, this, [this] {
        m_mayHaveDue = true; // the next retry's time, or the periodic look for other processes' events
        ++m_wakes;
        pump();
    });
    connect(&m_flushTimer, &QTimer::timeout, this, [this] {
        flush();
        pump();
    });
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        // Results not yet written are still this engine's: their leases must outlive a failing write.
        if ((!m_inFlight.isEmpty() || !m_ready.empty() || !m_pending.isEmpty() || !m_recording.isEmpty()) && m_lane)
            m_lane->post([queue = m_queue.get(), leaseMs = m_options.leaseMs] { queue->extendLeases(leaseMs); });
    });
    connect(&m_drainTimer, &QTimer::timeout, this, [this] {
        // Drain deadline: abort what is left and hand it back so another engine (or the next run) sends it.
        QList<qint64> ids;
        for (const InFlight& f : std::as_const(m_inFlight))
            ids << f.delivery.id;
        if (m_transport)
            m_transport->abortAll();
        m_inFlight.clear();
        releaseLater(ids);
        finishStop();
    });
}

Dispatcher::~Dispatcher()
{
    m_handoff->close(); // its callback points here; leases handed over and not taken run out by themselves
    // Its jobs call back into this object: let them run while it is whole (the lane may live on, shared).
    if (m_lane)
        m_lane->waitIdle();
    m_lane.reset();
}

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
    m_transport->setConcurrency(m_options.concurrency);
    connect(m_transport.get(), &Transport::finished, this, &Dispatcher::onFinished);
    m_queue = std::make_unique<DeliveryQueue>(m_db, m_clock, ids::newEngineId());
    m_lane = StorageLane::forWriter(m_db, "outhook-dlane");
    m_handoff->open({m_queue->owner(), m_options.leaseMs}, std::max(m_options.claimBatch, 1),
                    [this] { QMetaObject::invokeMethod(this, &Dispatcher::takeHandoff, Qt::QueuedConnection); });
    reloadSettings();
    m_heartbeat.start(int(m_options.heartbeatMs));
    // On PostgreSQL a new event anywhere wakes this engine at once; SQLite relies on in-process wake()
    // calls and the once-a-second look.
    m_db->subscribe(QLatin1String(Database::kQueueChannel), this, [this] { wake(); });
    pump();
}

void Dispatcher::wake()
{
    m_mayHaveDue = true;
    ++m_wakes;
    schedulePump();
}

void Dispatcher::schedulePump()
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
    int free = freeSlots(&nextSlowInMs);
    free -= sendReady(free);
    // Slots held by requests about to turn slow come free by time alone: look again then.
    if (free <= 0 && nextSlowInMs >= 0 && !m_wakeTimer.isActive())
        m_wakeTimer.start(int(std::min<qint64>(nextSlowInMs + 1, m_options.maxIdleWakeMs)));
    if (m_claiming)
        return; // one claim at a time; onClaimed() looks again if anything came meanwhile
    const bool holding = !m_inFlight.isEmpty() || !m_ready.empty();
    if (!m_mayHaveDue) {
        // The last claim took all that was due; since then only handed-over deliveries came.
        if (!m_idle && !holding && m_pending.isEmpty() && m_recording.isEmpty()) {
            m_idle = true;
            Q_EMIT idle();
        }
        return;
    }
    // Keep up to claimBatch claimed ahead, asking for more once a quarter of them has gone out: one row
    // at a time as single slots free up would cost a query per request.
    const int target = std::max(m_options.claimBatch, 1);
    const int want = target - int(m_ready.size());
    if (holding && want < std::max(1, target / 4))
        return;
    if (m_idle && !holding && m_pending.isEmpty() && m_recording.isEmpty()) {
        // Idle, the lane has nothing to do: look here whether anything is due, so the once-a-second look
        // wakes one thread instead of two (and three thread switches).
        if (const auto next = m_queue->nextDueAt(); next && (!*next || **next > m_clock.nowMs())) {
            scheduleWake(*next);
            Q_EMIT idle();
            return;
        }
    }
    requestClaim(want);
}

int Dispatcher::sendReady(int free)
{
    if (free <= 0 || m_ready.empty())
        return 0;
    const qint64 now = m_clock.nowMs();
    int sent = 0;
    for (; sent < free && !m_ready.empty(); ++sent) {
        const Ready r = std::move(m_ready.front());
        m_ready.pop_front();
        const ClaimedDelivery& c = r.delivery;
        BuiltRequest built =
            RequestBuilder::build(r.webhook, c.msgId, c.payload, now, quint64(c.id), m_options.maxResponseBodyBytes);
        const qint64 mono = m_mono.elapsed();
        m_inFlight.insert(quint64(c.id), InFlight{c, r.webhook, std::move(built.redactedHeaders), now, mono});
        m_sendOrder.emplace_back(mono, quint64(c.id));
        m_transport->send(built.request);
    }
    if (sent > 0)
        m_handoff->setHeld(int(m_ready.size()));
    return sent;
}

void Dispatcher::requestClaim(int want)
{
    m_claiming = true;
    m_lane->post([this, want, wakes = m_wakes, leaseMs = m_options.leaseMs, queue = m_queue.get()] {
        ClaimBatch batch;
        batch.want = want;
        batch.wakes = wakes;
        auto claimed = queue->claim(want, leaseMs);
        if (!claimed) {
            batch.error = claimed.error().message;
        } else if (!claimed->isEmpty()) {
            QSet<qint64> webhookIds;
            for (const ClaimedDelivery& c : std::as_const(*claimed))
                webhookIds.insert(c.webhookId);
            EventCatalog catalog(m_db, m_clock);
            WebhookStore store(m_db, catalog, m_clock);
            if (auto webhooks = store.getMany(webhookIds.values()); webhooks) {
                batch.deliveries = std::move(*claimed);
                batch.webhooks = std::move(*webhooks);
            } else {
                batch.error = webhooks.error().message;
                queue->release(idsOf(*claimed));
            }
        }
        if (batch.error.isEmpty() && batch.deliveries.size() < want) {
            if (const auto next = queue->nextDueAt(); next)
                batch.nextDueAt = *next;
        }
        QMetaObject::invokeMethod(
            this, [this, batch = std::move(batch)] { onClaimed(batch); }, Qt::QueuedConnection);
    });
}

void Dispatcher::onClaimed(const ClaimBatch& batch)
{
    m_claiming = false;
    m_idle = false;
    if (m_stopping) {
        releaseLater(idsOf(batch.deliveries)); // claimed while stopping: not ours to send any more
        return;
    }
    if (!batch.error.isEmpty()) {
        Q_EMIT storageError(batch.error);
        m_wakeTimer.start(m_options.maxIdleWakeMs);
        return;
    }
    if (!batch.deliveries.isEmpty())
        accept(batch.deliveries, batch.webhooks);
    if (batch.deliveries.size() == batch.want) {
        wake(); // probably more due right now
        return;
    }
    scheduleWake(batch.nextDueAt);
    m_mayHaveDue = m_wakes != batch.wakes; // something may have been queued after the claim looked
    if (m_mayHaveDue) {
        schedulePump();
        return;
    }
    // Results still being written may make retries due at once; their write ends with another look.
    m_idle = m_inFlight.isEmpty() && m_ready.empty() && m_pending.isEmpty() && m_recording.isEmpty();
    if (m_idle)
        Q_EMIT idle();
}

void Dispatcher::accept(const QList<ClaimedDelivery>& deliveries, const QList<Webhook>& webhooks)
{
    QHash<qint64, Webhook> byId;
    for (const Webhook& w : webhooks)
        byId.insert(w.id, w);
    for (const ClaimedDelivery& c : deliveries) {
        const auto it = byId.constFind(c.webhookId);
        if (it == byId.cend())
            continue; // webhook deleted meanwhile; its deliveries went with it
        m_ready.push_back(Ready{c, *it});
    }
    qint64 nextSlowInMs = -1;
    sendReady(freeSlots(&nextSlowInMs));
    m_handoff->setHeld(int(m_ready.size()));
    Q_EMIT inFlightChanged(int(m_inFlight.size()));
}

void Dispatcher::takeHandoff()
{
    if (m_stopping)
        return; // stop() took what was left
    m_idle = false;
    for (const ClaimHandoff::Batch& b : m_handoff->take())
        accept(b.deliveries, b.webhooks);
}

void Dispatcher::releaseLater(const QList<qint64>& deliveryIds)
{
    if (!deliveryIds.isEmpty() && m_lane)
        m_lane->post([queue = m_queue.get(), deliveryIds] { queue->release(deliveryIds); });
}

QList<qint64> Dispatcher::idsOf(const QList<ClaimedDelivery>& deliveries)
{
    QList<qint64> ids;
    ids.reserve(deliveries.size());
    for (const ClaimedDelivery& c : deliveries)
        ids << c.id;
    return ids;
}

int Dispatcher::freeSlots(qint64* nextSlowInMs)
{
    const qint64 now = m_mono.elapsed();
    const int hardMax = m_options.maxInFlight > 0 ? m_options.maxInFlight : 4 * m_options.concurrency;
    const auto live = [this](const std::pair<qint64, quint64>& sent) {
        const auto it = m_inFlight.constFind(sent.second);
        return it != m_inFlight.cend() && it->startedMono == sent.first;
    };
    while (!m_sendOrder.empty() && !live(m_sendOrder.front()))
        m_sendOrder.pop_front();
    // Requests go out in order, so the oldest in flight is the first to turn slow: while it is not slow,
    // none is and all count (callgrind: the scan below was 6% of the dispatcher thread, run per request).
    if (m_sendOrder.empty() || m_sendOrder.front().first + m_options.slowAfterMs > now) {
        *nextSlowInMs = m_sendOrder.empty() ? -1 : m_sendOrder.front().first + m_options.slowAfterMs - now;
        const int active = int(m_inFlight.size());
        return std::min(m_options.concurrency - active, hardMax - active);
    }
    // A slow one holds the front: finished requests behind it pile up until it ends. Rebuild from what is
    // in flight once they outnumber it (at most every so many sends, each rebuild O(n log n), n <= hardMax).
    if (m_sendOrder.size() > 2 * std::size_t(m_inFlight.size()) + 64) {
        m_sendOrder.clear();
        for (auto it = m_inFlight.cbegin(); it != m_inFlight.cend(); ++it)
            m_sendOrder.emplace_back(it->startedMono, it.key());
        std::sort(m_sendOrder.begin(), m_sendOrder.end());
    }
    int active = 0;
    *nextSlowInMs = -1;
    for (const InFlight& f : std::as_const(m_inFlight)) {
        const qint64 slowIn = f.startedMono + m_options.slowAfterMs - now;
        if (slowIn <= 0)
            continue;
        ++active;
        if (*nextSlowInMs < 0 || slowIn < *nextSlowInMs)
            *nextSlowInMs = slowIn;
    }
    return std::min(m_options.concurrency - active, hardMax - int(m_inFlight.size()));
}

void Dispatcher::scheduleWake(std::optional<qint64> nextDueAt)
{
    qint64 delay = m_options.maxIdleWakeMs;
    if (nextDueAt)
        delay = std::clamp<qint64>(*nextDueAt - m_clock.nowMs(), 0, m_options.maxIdleWakeMs);
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
    result.claimedStatus = f.delivery.status;
    result.createdAt = f.delivery.createdAt;
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
    m_unannounced.append(result);
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

void Dispatcher::flush()
{
    m_flushTimer.stop();
    if (!m_unannounced.isEmpty())
        Q_EMIT attemptsFinished(std::exchange(m_unannounced, {}), int(m_inFlight.size()));
    // One write at a time: what finishes meanwhile goes in the next, larger one.
    if (m_pending.isEmpty() || !m_recording.isEmpty())
        return;
    m_recording = std::exchange(m_pending, {});
    m_lane->post([this, batch = m_recording, autoDisableMs = m_options.autoDisableAfterMs, queue = m_queue.get()] {
        const auto disabled = queue->complete(batch, autoDisableMs);
        QMetaObject::invokeMethod(
            this,
            [this, written = bool(disabled), webhooks = disabled ? *disabled : QList<qint64>(),
             error = disabled ? QString() : disabled.error().message] { onRecorded(written, webhooks, error); },
            Qt::QueuedConnection);
    });
}

void Dispatcher::onRecorded(bool written, const QList<qint64>& disabled, const QString& error)
{
    const QList<AttemptResult> batch = std::exchange(m_recording, {});
    if (!written) {
        // Keep the results and try again: an attempt that happened is never dropped.
        Q_EMIT storageError(error);
        m_pending = batch + m_pending;
        if (!m_stopping)
            m_flushTimer.start(m_options.maxIdleWakeMs);
        return;
    }
    // A retry written with a near time may be due already; claims look for it again.
    if (std::any_of(batch.cbegin(), batch.cend(),
                    [](const AttemptResult& r) { return r.outcome.nextAttemptAt.has_value(); })) {
        m_mayHaveDue = true;
        ++m_wakes;
    }
    Q_EMIT attemptsRecorded([&] {
        QList<qint64> ids;
        ids.reserve(batch.size());
        for (const AttemptResult& r : batch)
            ids << r.attempt.deliveryId;
        return ids;
    }());
    if (!disabled.isEmpty())
        Q_EMIT webhooksDisabled(disabled);
    if (m_stopping)
        return;
    if (m_pending.size() >= m_options.flushBatch)
        flush();
    else if (!m_pending.isEmpty() && !m_flushTimer.isActive())
        m_flushTimer.start(m_options.flushIntervalMs);
    pump(); // retries with tiny delays may have fallen due with this write
}

void Dispatcher::stop(int drainMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_wakeTimer.stop();
    QList<qint64> unsent;
    for (const Ready& r : m_ready)
        unsent << r.delivery.id;
    m_ready.clear();
    for (const ClaimHandoff::Batch& b : m_handoff->close())
        unsent << idsOf(b.deliveries);
    releaseLater(unsent); // claimed ahead, never sent: due again at once for whoever looks next
    if (!m_started || m_inFlight.isEmpty()) {
        finishStop();
        return;
    }
    m_drainTimer.start(drainMs);
}

void Dispatcher::finishStop()
{
    if (m_finished)
        return;
    m_finished = true;
    m_drainTimer.stop();
    m_heartbeat.stop();
    m_wakeTimer.stop();
    m_flushTimer.stop();
    if (m_lane) {
        // Let the claim and the writes under way land, write what is left (a failing write gets a few
        // tries), and hand back anything claimed meanwhile.
        int failures = 0;
        for (;;) {
            flush();
            m_lane->waitIdle();
            QCoreApplication::sendPostedEvents(this, QEvent::MetaCall); // the lane's answers
            if (m_claiming || !m_recording.isEmpty())
                continue;
            if (m_pending.isEmpty() || ++failures >= 5)
                break;
        }
        m_lane->waitIdle(); // releases posted by the answers
        m_lane.reset();
    }
    m_transport.reset();
    m_queue.reset();
    m_db->releaseThreadConnection();
    Q_EMIT stopped();
}

} // namespace outhook
