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
    const Webhook* webhookAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Webhook> m_webhooks;
};

} // namespace outhook::ui
