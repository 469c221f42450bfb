#pragma once

#include "model/Webhook.h"

#include <QAbstractTableModel>

namespace outhook::ui {

// Webhooks as a table: name, URL, events, active, last result, failures. Holds a snapshot handed in
// by its owner; it never reads storage itself.
class WebhookListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Url,
        Events,
        Active,
        LastResult,
        Failures,
        ColumnCount
    };
    enum Role
    {
        WebhookIdRole = Qt::UserRole + 1
    };

    explicit WebhookListModel(QObject* parent = nullptr);

    void setWebhooks(QList<Webhook> webhooks);
    // Replaces one webhook in place (same id), or appends it when new. Keeps selection stable.
    void upsert(const Webhook& webhook);
    void removeWebhook(qint64 id);
    const Webhook* webhookAt(int row) const;
    int rowOf(qint64 id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // Toggling the Active cell does not change the model: it asks the owner, who saves and then upserts.
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

Q_SIGNALS:
    void activeToggleRequested(qint64 webhookId, bool active);

private:
    QList<Webhook> m_webhooks;
};

} // namespace outhook::ui
