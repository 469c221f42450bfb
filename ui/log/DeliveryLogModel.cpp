#include "log/DeliveryLogModel.h"

#include "storage/StorageWorker.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <algorithm>
#include <limits>

namespace outhook::ui {

namespace {

// How many rows the first look for newer deliveries asks for when nobody said how many are new. Small on
// purpose: with a text filter SQLite scans until it has that many matches.
constexpr int kNewerProbe = 20;

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

bool attemptSucceeded(const Attempt& a)
{
    return a.errorClass.isEmpty() && a.statusCode && *a.statusCode >= 200 && *a.statusCode < 300;
}

bool sameState(const Delivery& a, const Delivery& b)
{
    return a.status == b.status && a.attemptCount == b.attemptCount && a.nextAttemptAt == b.nextAttemptAt &&
           a.lastStatusCode == b.lastStatusCode && a.lastErrorClass == b.lastErrorClass && a.updatedAt == b.updatedAt &&
           a.url == b.url;
}

} // namespace

// Readable on light and dark palettes alike: darker tones on a light base, lighter ones on a dark base.
QColor DeliveryLogModel::statusColor(DeliveryStatus status)
{
    const QPalette palette = QGuiApplication::palette();
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    if (status == DeliveryStatus::Pending)
        return palette.color(QPalette::PlaceholderText);
    static const QRgb colors[][2] = {{0, 0}, {0xb26a00, 0xffb74d}, {0x2e7d32, 0x81c784}, {0xc62828, 0xef7373}};
    return QColor(colors[int(status)][dark ? 1 : 0]); // indexed like DeliveryStatus
}

DeliveryLogModel::DeliveryLogModel(StorageWorker* storage, QObject* parent)
    : QAbstractItemModel(parent)
    , m_storage(storage)
{}

DeliveryLogModel::~DeliveryLogModel() = default;

void DeliveryLogModel::setFilter(const DeliveryFilter& filter)
{
    beginResetModel();
    m_filter = filter;
    m_deliveries.clear();
    m_byId.clear();
    ++m_generation;
    m_atEnd = false;
    m_pageFailed = false;
    m_pendingChanged.clear();
    m_refreshAll = false;
    m_refreshQueued = false;
    endResetModel();
    // A page for the old filter may still be on its way; its answer starts ours (one request at a time).
    if (m_pageInFlight)
        return;
    requestPage();
}

bool DeliveryLogModel::canFetchMore(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return !m_atEnd && !m_pageInFlight && !m_pageFailed && (!m_wantsMore || m_wantsMore());
    const DeliveryNode* node = deliveryNode(parent);
    return node && parent.column() == 0 && !node->attemptsLoaded && !node->attemptsInFlight && !node->attemptsFailed &&
           node->delivery.attemptCount > 0;
}

void DeliveryLogModel::fetchMore(const QModelIndex& parent)
{
    if (!parent.isValid()) {
        if (!m_pageFailed)
            requestPage();
        return;
    }
    if (DeliveryNode* node = deliveryNode(parent); node && parent.column() == 0 && !node->attemptsFailed)
        requestAttempts(node);
}

void DeliveryLogModel::requestPage()
{
    if (m_pageInFlight || m_atEnd)
        return;
    m_pageFailed = false;
    m_pageInFlight = true;
    Q_EMIT loadingChanged(true);
    sendPageRequest();
}

void DeliveryLogModel::sendPageRequest()
{
    const quint64 generation = m_generation;
    std::optional<qint64> before;
    if (!m_deliveries.empty())
        before = m_deliveries.back()->delivery.id;
    m_storage->run<Result<QList<Delivery>>>(
        this, [filter = m_filter, before](StorageContext& c) { return c.log->list(filter, kPageSize, before); },
        [this, generation](Result<QList<Delivery>> page) {
            if (generation != m_generation) {
                // The filter changed while this was running: now ask for the new filter's first page.
                sendPageRequest();
                return;
            }
            if (!page) {
                m_pageInFlight = false;
                m_pageFailed = true;
                Q_EMIT loadingChanged(false);
                Q_EMIT loadFailed(page.error().message);
                return;
            }
            // Still "in flight" while rows go in, so nobody asks for this same page again meanwhile.
            applyPage(std::move(page).value());
            m_pageInFlight = false;
            Q_EMIT loadingChanged(false);
            Q_EMIT pageLoaded();
        });
}

void DeliveryLogModel::applyPage(QList<Delivery> page)
{
    m_atEnd = page.size() < kPageSize;
    // Keyset order: a page only ever extends the bottom. A refresh may already hold some of these rows.
    const qint64 oldest = m_deliveries.empty() ? std::numeric_limits<qint64>::max() : m_deliveries.back()->delivery.id;
    page.removeIf([&](const Delivery& d) { return d.id >= oldest || m_byId.contains(d.id); });
    if (page.isEmpty())
        return;
    const int first = int(m_deliveries.size());
    beginInsertRows({}, first, first + int(page.size()) - 1);
    m_deliveries.reserve(m_deliveries.size() + page.size());
    for (Delivery& d : page)
        m_deliveries.push_back(makeNode(std::move(d)));
    endInsertRows();
}

std::unique_ptr<DeliveryLogModel::DeliveryNode> DeliveryLogModel::makeNode(Delivery delivery)
{
    auto node = std::make_unique<DeliveryNode>();
    node->delivery = std::move(delivery);
    m_byId.insert(node->delivery.id, node.get());
    return node;
}

void DeliveryLogModel::requestAttempts(DeliveryNode* node)
{
    if (node->attemptsLoaded || node->attemptsInFlight)
        return;
    node->attemptsInFlight = true;
    const qint64 id = node->delivery.id;
    const quint64 generation = m_generation;
    m_storage->run<Result<QList<Attempt>>>(
        this, [id](StorageContext& c) { return c.log->attempts(id); },
        [this, id, generation](Result<QList<Attempt>> attempts) {
            DeliveryNode* n = generation == m_generation ? m_byId.value(id) : nullptr;
            if (!n)
                return;
            n->attemptsInFlight = false;
            if (!attempts) {
                n->attemptsFailed = true;
                Q_EMIT loadFailed(attempts.error().message);
                return;
            }
            n->attemptsLoaded = true;
            appendAttempts(n, *attempts);
            if (n->attempts.empty()) { // the expand arrow promised children that are not there
                const QModelIndex first = indexOfDelivery(id);
                Q_EMIT dataChanged(first, first.siblingAtColumn(ColumnCount - 1));
            }
        });
}

void DeliveryLogModel::appendAttempts(DeliveryNode* node, const QList<Attempt>& attempts)
{
    QList<Attempt> fresh;
    for (const Attempt& a : attempts) {
        const bool known = std::any_of(node->attempts.begin(), node->attempts.end(),
                                       [&](const auto& existing) { return existing->attempt.id == a.id; });
        if (!known)
            fresh.append(a);
    }
    if (fresh.isEmpty())
        return;
    const int first = int(node->attempts.size());
    beginInsertRows(indexOfDelivery(node->delivery.id), first, first + int(fresh.size()) - 1);
    for (const Attempt& a : fresh) {
        auto child = std::make_unique<AttemptNode>();
        child->isAttempt = true;
        child->attempt = a;
        child->parent = node;
        node->attempts.push_back(std::move(child));
    }
    endInsertRows();
}

void DeliveryLogModel::refresh(const QList<qint64>& changedDeliveryIds)
{
    if (m_deliveries.empty()) {
        // Nothing to keep stable: the first page (again, if it came back empty or failed) covers it.
        m_atEnd = false;
        m_pageFailed = false;
        requestPage();
        return;
    }
    if (changedDeliveryIds.isEmpty())
        m_refreshAll = true;
    for (qint64 id : changedDeliveryIds)
        m_pendingChanged.insert(id);
    m_refreshQueued = true;
    if (!m_refreshInFlight)
        startRefresh();
}

void DeliveryLogModel::startRefresh()
{
    m_refreshQueued = false;
    const qint64 newest = m_deliveries.empty() ? 0 : m_deliveries.front()->delivery.id;
    // Ids above the newest loaded row are new deliveries; only then is a look at the top worth a query.
    int newCandidates = 0;
    QList<qint64> loaded;
    QSet<qint64> withAttempts;
    for (qint64 id : std::as_const(m_pendingChanged)) {
        if (id > newest)
            ++newCandidates;
        if (DeliveryNode* node = m_byId.value(id)) {
            loaded << id;
            node->attemptsFailed = false;
            if (node->attemptsLoaded || node->attemptsInFlight)
                withAttempts.insert(id);
        }
    }
    const int probe = m_refreshAll ? kNewerProbe : (newCandidates > 0 ? std::min(kPageSize, newCandidates + 1) : 0);
    m_pendingChanged.clear();
    m_refreshAll = false;
    if (probe == 0 && loaded.isEmpty())
        return;
    m_refreshInFlight = true;
    const quint64 generation = m_generation;
    m_storage->run<std::shared_ptr<RefreshResult>>(
        this,
        [filter = m_filter, newest, probe, loaded, withAttempts](StorageContext& c) {
            auto r = std::make_shared<RefreshResult>();
            std::optional<qint64> before;
            for (int limit = probe; limit > 0; limit = kPageSize) {
                const auto page = c.log->list(filter, limit, before);
                if (!page) {
                    r->error = page.error().message;
                    return r;
                }
                bool reached = false;
                for (const Delivery& d : *page) {
                    reached = d.id <= newest;
                    if (reached)
                        break;
                    r->newer.append(d);
                }
                if (reached || page->size() < limit)
                    break;
                before = page->last().id;
            }
            for (qint64 id : loaded) {
                auto d = c.log->get(id);
                if (!d)
                    continue; // deleted with its webhook: the row stays as it was
                d.value().payload.clear();
                r->updated.append(std::move(d).value());
                if (withAttempts.contains(id)) {
                    if (auto a = c.log->attempts(id))
                        r->attempts.insert(id, *a);
                }
            }
            return r;
        },
        [this, generation](std::shared_ptr<RefreshResult> r) {
            m_refreshInFlight = false;
            if (generation == m_generation)
                applyRefresh(*r);
            if (m_refreshQueued)
                startRefresh();
        });
}

void DeliveryLogModel::applyRefresh(RefreshResult& r)
{
    if (!r.error.isEmpty()) {
        Q_EMIT loadFailed(r.error);
        return;
    }
    const qint64 newest = m_deliveries.empty() ? 0 : m_deliveries.front()->delivery.id;
    r.newer.removeIf([&](const Delivery& d) { return d.id <= newest || m_byId.contains(d.id); });
    if (!r.newer.isEmpty()) {
        // Inserting above existing rows moves them down; persistent indexes follow, so selection and
        // expansion stay on the same deliveries.
        beginInsertRows({}, 0, int(r.newer.size()) - 1);
        std::vector<std::unique_ptr<DeliveryNode>> top;
        top.reserve(r.newer.size());
        for (Delivery& d : r.newer)
            top.push_back(makeNode(std::move(d)));
        m_deliveries.insert(m_deliveries.begin(), std::make_move_iterator(top.begin()),
                            std::make_move_iterator(top.end()));
        endInsertRows();
    }
    for (Delivery& d : r.updated) {
        DeliveryNode* node = m_byId.value(d.id);
        if (!node)
            continue;
        if (!sameState(node->delivery, d)) {
            node->delivery = std::move(d);
            const QModelIndex first = indexOfDelivery(node->delivery.id);
            Q_EMIT dataChanged(first, first.siblingAtColumn(ColumnCount - 1));
        }
        const auto attempts = r.attempts.constFind(node->delivery.id);
        if (attempts != r.attempts.cend() && node->attemptsLoaded)
            appendAttempts(node, *attempts);
    }
}

DeliveryLogModel::DeliveryNode* DeliveryLogModel::deliveryNode(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    auto* node = static_cast<Node*>(index.internalPointer());
    return node->isAttempt ? nullptr : static_cast<DeliveryNode*>(node);
}

int DeliveryLogModel::rowOf(qint64 deliveryId) const
{
    // Rows are sorted by id, newest first, so the row of a delivery is a binary search away.
    const auto it = std::lower_bound(m_deliveries.begin(), m_deliveries.end(), deliveryId,
                                     [](const auto& node, qint64 id) { return node->delivery.id > id; });
    return it != m_deliveries.end() && (*it)->delivery.id == deliveryId ? int(it - m_deliveries.begin()) : -1;
}

QModelIndex DeliveryLogModel::indexOfDelivery(qint64 deliveryId, int column) const
{
    const int row = rowOf(deliveryId);
    return row < 0 ? QModelIndex() : index(row, column);
}

std::optional<Delivery> DeliveryLogModel::deliveryAt(const QModelIndex& index) const
{
    if (const DeliveryNode* node = deliveryNode(index))
        return node->delivery;
    return std::nullopt;
}

std::optional<Attempt> DeliveryLogModel::attemptAt(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this)
        return std::nullopt;
    auto* node = static_cast<Node*>(index.internalPointer());
    if (!node->isAttempt)
        return std::nullopt;
    return static_cast<AttemptNode*>(node)->attempt;
}

QModelIndex DeliveryLogModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid()) {
        if (row >= int(m_deliveries.size()))
            return {};
        return createIndex(row, column, static_cast<Node*>(m_deliveries[size_t(row)].get()));
    }
    const DeliveryNode* node = deliveryNode(parent);
    if (!node || parent.column() != 0 || row >= int(node->attempts.size()))
        return {};
    return createIndex(row, column, static_cast<Node*>(node->attempts[size_t(row)].get()));
}

QModelIndex DeliveryLogModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    auto* node = static_cast<Node*>(child.internalPointer());
    if (!node->isAttempt)
        return {};
    DeliveryNode* parentNode = static_cast<AttemptNode*>(node)->parent;
    const int row = rowOf(parentNode->delivery.id);
    return row < 0 ? QModelIndex() : createIndex(row, 0, static_cast<Node*>(parentNode));
}

int DeliveryLogModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_deliveries.size());
    const DeliveryNode* node = deliveryNode(parent);
    return node && parent.column() == 0 ? int(node->attempts.size()) : 0;
}

int DeliveryLogModel::columnCount(const QModelIndex& parent) const
{
    return !parent.isValid() || deliveryNode(parent) ? ColumnCount : 0;
}

bool DeliveryLogModel::hasChildren(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return !m_deliveries.empty();
    const DeliveryNode* node = deliveryNode(parent);
    if (!node || parent.column() != 0)
        return false;
    // Before its attempts are read, the count says whether there will be any: that draws the arrow.
    return !node->attempts.empty() || (!node->attemptsLoaded && node->delivery.attemptCount > 0);
}

Qt::ItemFlags DeliveryLogModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (static_cast<Node*>(index.internalPointer())->isAttempt)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QString DeliveryLogModel::statusText(DeliveryStatus status)
{
    static const char* const names[] = {QT_TR_NOOP("Pending"), QT_TR_NOOP("Retrying"), QT_TR_NOOP("Succeeded"),
                                        QT_TR_NOOP("Failed")};
    return tr(names[int(status)]);
}

QString DeliveryLogModel::triggerText(AttemptTrigger trigger)
{
    static const char* const names[] = {QT_TR_NOOP("Scheduled"), QT_TR_NOOP("Manual"), QT_TR_NOOP("Test")};
    return tr(names[int(trigger)]);
}

QVariant DeliveryLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char* const titles[ColumnCount] = {
        QT_TR_NOOP("ID"),       QT_TR_NOOP("Date/Time"), QT_TR_NOOP("Event"), QT_TR_NOOP("Webhook URL"),
        QT_TR_NOOP("Response"), QT_TR_NOOP("Attempts"),  QT_TR_NOOP("Status")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    return tr(titles[section]);
}

QVariant DeliveryLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    auto* node = static_cast<Node*>(index.internalPointer());
    if (node->isAttempt)
        return attemptData(*static_cast<AttemptNode*>(node), index.column(), role);
    return deliveryData(*static_cast<DeliveryNode*>(node), index.column(), role);
}

// Cell text is built here, per cell and on demand: the view only asks for what it paints.
QVariant DeliveryLogModel::deliveryData(const DeliveryNode& node, int column, int role) const
{
    const Delivery& d = node.delivery;
    const bool coloured = column == StatusColumn || column == ResponseColumn;
    switch (role) {
    case DeliveryIdRole:
        return d.id;
    case IsAttemptRole:
        return false;
    case StatusRole:
        return int(d.status);
    case Qt::ForegroundRole:
        return coloured ? QVariant(statusColor(d.status)) : QVariant();
    case Qt::DecorationRole:
        return column == StatusColumn ? QVariant(statusIcon(d.status)) : QVariant();
    case Qt::ToolTipRole:
        if (column == UrlColumn)
            return d.url;
        if (column == StatusColumn && d.status == DeliveryStatus::Retrying && d.nextAttemptAt)
            return tr("Next attempt at %1").arg(formatTime(*d.nextAttemptAt));
        if (column == ResponseColumn && !d.lastErrorClass.isEmpty())
            return tr("Last attempt failed: %1").arg(d.lastErrorClass);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case IdColumn:
        return QString::number(d.id);
    case TimeColumn:
        return formatTime(d.createdAt);
    case EventColumn:
        return d.eventType;
    case UrlColumn:
        return d.url;
    case ResponseColumn:
        if (d.lastStatusCode)
            return QString::number(*d.lastStatusCode);
        return d.lastErrorClass.isEmpty() ? tr("pending") : d.lastErrorClass;
    case AttemptsColumn:
        return QString::number(d.attemptCount);
    case StatusColumn:
        return statusText(d.status);
    default:
        return {};
    }
}

QVariant DeliveryLogModel::attemptData(const AttemptNode& node, int column, int role) const
{
    const Attempt& a = node.attempt;
    const DeliveryStatus outcome = attemptSucceeded(a) ? DeliveryStatus::Succeeded : DeliveryStatus::Failed;
    const QString error = a.errorClass.isEmpty() ? QString() : a.errorClass + QStringLiteral(": ") + a.error;
    const bool coloured = column == AttemptStatusCodeColumn || column == AttemptErrorColumn;
    switch (role) {
    case DeliveryIdRole:
        return a.deliveryId;
    case AttemptIdRole:
        return a.id;
    case IsAttemptRole:
        return true;
    case StatusRole:
        return int(outcome);
    case Qt::ForegroundRole:
        return coloured ? QVariant(statusColor(outcome)) : QVariant();
    case Qt::DecorationRole:
        return column == AttemptStatusCodeColumn ? QVariant(statusIcon(outcome)) : QVariant();
    case Qt::ToolTipRole:
        return error.isEmpty() ? QVariant() : QVariant(error);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case AttemptNumberColumn:
        return tr("Attempt %1").arg(a.number);
    case AttemptTimeColumn:
        return formatTime(a.startedAt);
    case AttemptStatusCodeColumn:
        return a.statusCode ? QString::number(*a.statusCode) : tr("no response");
    case AttemptDurationColumn:
        return tr("%1 ms").arg(a.durationMs);
    case AttemptErrorColumn:
        return error;
    case AttemptTriggerColumn:
        return triggerText(a.trigger);
    default:
        return {};
    }
}

QIcon DeliveryLogModel::statusIcon(DeliveryStatus status) const
{
    const QColor color = statusColor(status);
    const int key = int(color.rgba() & 0xffffff) ^ (int(status) << 24);
    auto it = m_icons.constFind(key);
    if (it != m_icons.cend())
        return *it;
    QPixmap dot(24, 24);
    dot.fill(Qt::transparent);
    {
        QPainter p(&dot);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawEllipse(QRectF(5, 5, 14, 14));
    }
    return *m_icons.insert(key, QIcon(dot));
}

} // namespace outhook::ui
