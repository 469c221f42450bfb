#include "webhooks/WebhookListModel.h"

#include <QColor>
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

void WebhookListModel::upsert(const Webhook& webhook)
{
    const int row = rowOf(webhook.id);
    if (row < 0) {
        beginInsertRows({}, int(m_webhooks.size()), int(m_webhooks.size()));
        m_webhooks.append(webhook);
        endInsertRows();
        return;
    }
    m_webhooks[row] = webhook;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void WebhookListModel::removeWebhook(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_webhooks.removeAt(row);
    endRemoveRows();
}

int WebhookListModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_webhooks.size(); ++i) {
        if (m_webhooks.at(i).id == id)
            return i;
    }
    return -1;
}

Qt::ItemFlags WebhookListModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Active)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool WebhookListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    const Webhook* w = webhookAt(index.row());
    if (!w || index.column() != Active || role != Qt::CheckStateRole)
        return false;
    Q_EMIT activeToggleRequested(w->id, value.toInt() == Qt::Checked);
    return true;
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
        if ((index.column() == Active || index.column() == LastResult) && !w->disabledReason.isEmpty())
            return tr("Disabled: %1").arg(w->disabledReason);
        if (index.column() == Active)
            return w->isActive ? tr("Active: click to deactivate") : tr("Inactive: click to activate");
        if (index.column() == Url || index.column() == Name)
            return w->url;
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == LastResult &&
        ((!w->isActive && !w->disabledReason.isEmpty()) ||
         (w->lastFailureAt && (!w->lastSuccessAt || *w->lastFailureAt > *w->lastSuccessAt))))
        return QColor(0xc6, 0x28, 0x28);
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
        return w->events.size() == 1 ? tr("1 event") : tr("%1 events").arg(w->events.size());
    case Active:
        return w->isActive ? tr("On") : tr("Off");
    case LastResult: {
        // Why a webhook was turned off matters more than when it last ran.
        if (!w->isActive && !w->disabledReason.isEmpty())
            return tr("Turned off: %1").arg(w->disabledReason);
        if (!w->lastSuccessAt && !w->lastFailureAt)
            return tr("Never sent");
        const bool ok = w->lastSuccessAt && (!w->lastFailureAt || *w->lastSuccessAt >= *w->lastFailureAt);
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(ok ? *w->lastSuccessAt : *w->lastFailureAt).toLocalTime();
        // Today's results need only the time; older ones the date too.
        const QString at = when.date() == QDate::currentDate() ? QLocale().toString(when.time(), QLocale::ShortFormat)
                                                               : QLocale().toString(when, QLocale::ShortFormat);
        return (ok ? tr("OK %1") : tr("Failed %1")).arg(at);
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
