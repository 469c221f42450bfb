#pragma once

#include "model/Delivery.h"
#include "storage/DeliveryLog.h"

#include <QAbstractItemModel>
#include <QColor>
#include <QHash>
#include <QIcon>
#include <QSet>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace outhook {
class StorageWorker;
}

namespace outhook::ui {

// Deliveries (newest first) with their attempts as children. Nothing is read up front: deliveries page
// in from SQL 200 at a time through canFetchMore/fetchMore, and a delivery's attempts load when it is
// expanded. Every read goes through the StorageWorker, so rows arrive later, by beginInsertRows.
//
// Each row is a node with a stable address (the proto_tree_model shape): an index's internalPointer is
// its node, and the node says whether it is a delivery or an attempt. Nodes are only ever added while
// the filter stays the same, so persistent indexes (selection, expansion) survive live refreshes.
class DeliveryLogModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    static constexpr int kPageSize = 200;

    enum Column
    {
        IdColumn,
        TimeColumn,
        EventColumn,
        UrlColumn,
        ResponseColumn,
        AttemptsColumn,
        StatusColumn,
        ColumnCount
    };
    // Attempt rows use the same columns for their own fields.
    enum AttemptColumn
    {
        AttemptNumberColumn = IdColumn,
        AttemptTimeColumn = TimeColumn,
        AttemptStatusCodeColumn = EventColumn,
        AttemptDurationColumn = UrlColumn,
        AttemptErrorColumn = ResponseColumn,
        AttemptTriggerColumn = AttemptsColumn
    };
    enum Role
    {
        DeliveryIdRole = Qt::UserRole + 1, // both row kinds: the delivery's id
        AttemptIdRole,                     // attempt rows only
        IsAttemptRole,
        StatusRole // int(DeliveryStatus); for attempts Succeeded or Failed
    };

    explicit DeliveryLogModel(StorageWorker* storage, QObject* parent = nullptr);
    ~DeliveryLogModel() override;

    // Drops everything (a model reset) and loads the first page matching `filter`.
    void setFilter(const DeliveryFilter& filter);
    const DeliveryFilter& filter() const { return m_filter; }

    // Live updates without a reset: inserts deliveries newer than the newest loaded at the top, re-reads
    // the loaded ones among `changedDeliveryIds` (dataChanged for rows that really changed) and appends
    // their new attempts when those are loaded. Calls made while one is running are merged into the next.
    void refresh(const QList<qint64>& changedDeliveryIds = {});

    std::optional<Delivery> deliveryAt(const QModelIndex& index) const;
    std::optional<Attempt> attemptAt(const QModelIndex& index) const;
    QModelIndex indexOfDelivery(qint64 deliveryId, int column = 0) const;
    bool isLoading() const { return m_pageInFlight; }
    // Asked before each next page: a view says whether it needs more rows now. QTreeView calls
    // fetchMore() on every full relayout, and every page it gets causes one, so without a gate one
    // page pulls in the next until the whole history is in memory.
    void setFetchGate(std::function<bool()> wantsMore) { m_wantsMore = std::move(wantsMore); }

    static QString statusText(DeliveryStatus status);
    // The colour of an outcome wherever it is shown (log rows, health charts); suits the current palette.
    static QColor statusColor(DeliveryStatus status);
    static QString triggerText(AttemptTrigger trigger);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    void loadFailed(const QString& message);
    void pageLoaded();

private:
    struct Node
    {
        bool isAttempt = false;
    };
    struct DeliveryNode;
    struct AttemptNode : Node
    {
        Attempt attempt;
        DeliveryNode* parent = nullptr;
    };
    struct DeliveryNode : Node
    {
        Delivery delivery; // without its payload: the list never holds payloads
        std::vector<std::unique_ptr<AttemptNode>> attempts;
        bool attemptsLoaded = false;
        bool attemptsInFlight = false;
        bool attemptsFailed = false; // keeps views from re-asking in a loop; a refresh clears it
    };
    struct RefreshResult
    {
        QList<Delivery> newer; // id descending, only ids above the newest loaded when asked
        QList<Delivery> updated;
        QHash<qint64, QList<Attempt>> attempts;
        QString error;
    };

    std::unique_ptr<DeliveryNode> makeNode(Delivery delivery); // also indexes it by id

    void requestPage();
    void sendPageRequest();
    void requestAttempts(DeliveryNode* node);
    void startRefresh();
    void applyPage(QList<Delivery> page);
    void applyRefresh(RefreshResult& result);
    void appendAttempts(DeliveryNode* node, const QList<Attempt>& attempts);

    DeliveryNode* deliveryNode(const QModelIndex& index) const;
    int rowOf(qint64 deliveryId) const;
    QVariant deliveryData(const DeliveryNode& node, int column, int role) const;
    QVariant attemptData(const AttemptNode& node, int column, int role) const;
    QIcon statusIcon(DeliveryStatus status) const;

    StorageWorker* m_storage;
    DeliveryFilter m_filter;
    std::vector<std::unique_ptr<DeliveryNode>> m_deliveries; // id descending, like the SQL pages
    QHash<qint64, DeliveryNode*> m_byId;
    // Results of requests made for an older filter carry an older generation and are dropped.
    quint64 m_generation = 0;
    bool m_pageInFlight = false;
    std::function<bool()> m_wantsMore;
    bool m_atEnd = false;
    bool m_pageFailed = false; // stops views from retrying a failing query in a loop
    bool m_refreshInFlight = false;
    bool m_refreshQueued = false; // refresh() was called while one was running
    bool m_refreshAll = false;    // someone asked for new rows without saying which ids changed
    QSet<qint64> m_pendingChanged;
    mutable QHash<int, QIcon> m_icons;
};

} // namespace outhook::ui
