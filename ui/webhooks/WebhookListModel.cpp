#include "webhooks/WebhookListModel.h"

#include <QLocale>

namespace outhook::ui {

WebhookListModel::WebhookListModel(QObject* parent)
    : QAbstractTableModel(parent)
{}

void WebhookListModel::setWebhooks(QList<Webhook> webhooks)
{
    beginResetModel();
    m_webhooks = std::move(webhooks);
    endResetModel();
}

const Webhook* WebhookListModel::webhookAt(int row) const
{
    return row >= 0 && row < m_webhooks.size() ? &m_webhooks.at(row) : nullptr;
}

int WebhookListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_webhooks.size());
}

int WebhookListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WebhookListModel::data(const QModelIndex& index, int role) const
{
    const Webhook* w = webhookAt(index.row());
    if (!w || index.column() >= ColumnCount)
        return {};
    if (role == WebhookIdRole)
        return w->id;
    if (role == Qt::ToolTipRole) {
        if (index.column() == Events)
            return w->events.join(QLatin1Char('\n'));
        if (index.column() == Active && !w->disabledReason.isEmpty())
            return tr("Disabled: %1").arg(w->disabledReason);
        return {};
    }
    if (role == Qt::CheckStateRole && index.column() == Active)
        return w->isActive ? Qt::Checked : Qt::Unchecked;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return w->name;
    case Url:
        return w->url;
    case Events:
        return tr("%n event(s)", nullptr, int(w->events.size()));
    case Active:
        return w->isActive ? tr("Active") : tr("Inactive");
    case LastResult: {
        if (!w->lastSuccessAt && !w->lastFailureAt)
            return tr("Never sent");
        const bool ok = w->lastSuccessAt && (!w->lastFailureAt || *w->lastSuccessAt >= *w->lastFailureAt);
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(ok ? *w->lastSuccessAt : *w->lastFailureAt).toLocalTime();
        return (ok ? tr("Succeeded %1") : tr("Failed %1")).arg(QLocale().toString(when, QLocale::ShortFormat));
    }
    case Failures:
        return w->failureCount;
    default:
        return {};
    }
}

QVariant WebhookListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Url:
        return tr("URL");
    case Events:
        return tr("Events");
    case Active:
        return tr("Active");
    case LastResult:
        return tr("Last result");
    case Failures:
        return tr("Failures");
    default:
        return {};
    }
}

} // namespace outhook::ui
