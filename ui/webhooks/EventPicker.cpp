#include "webhooks/EventPicker.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace outhook::ui {

namespace {

QStandardItem* readOnlyItem(const QString& text)
{
    auto* item = new QStandardItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(text);
    return item;
}

QStandardItem* checkableItem(const QString& text)
{
    auto* item = readOnlyItem(text);
    // Not ItemIsUserTristate: a click on a partial kind must check it, not step through three states.
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    return item;
}

} // namespace

EventPicker::EventPicker(QWidget* parent)
    : QWidget(parent)
    , m_search(new QLineEdit(this))
    , m_view(new QTreeView(this))
    , m_all(new QPushButton(tr("Select all"), this))
    , m_none(new QPushButton(tr("Select none"), this))
    , m_model(new QStandardItemModel(0, ColumnCount, this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_search->setObjectName(QStringLiteral("eventSearchEdit"));
    m_search->setPlaceholderText(tr("Search event types"));
    m_search->setAccessibleName(tr("Search event types"));
    m_search->setClearButtonEnabled(true);

    m_model->setHorizontalHeaderLabels({tr("Event type"), tr("Description")});
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    // A matching type keeps its kind visible; a matching kind shows all its types.
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true);

    m_view->setObjectName(QStringLiteral("eventTree"));
    m_view->setAccessibleName(tr("Event types"));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);

    const QString kindHint = tr("Acts on the kind of the selected row, or on every kind when no row is selected");
    m_all->setObjectName(QStringLiteral("eventSelectAllButton"));
    m_all->setAccessibleName(tr("Select all event types of the kind"));
    m_all->setToolTip(kindHint);
    m_none->setObjectName(QStringLiteral("eventSelectNoneButton"));
    m_none->setAccessibleName(tr("Select no event types of the kind"));
    m_none->setToolTip(kindHint);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_all);
    buttons->addWidget(m_none);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);

    connect(m_model, &QStandardItemModel::itemChanged, this, &EventPicker::onItemChanged);
    connect(m_search, &QLineEdit::textChanged, this, &EventPicker::onFilterChanged);
    connect(m_all, &QPushButton::clicked, this, [this] { checkCurrentKind(true); });
    connect(m_none, &QPushButton::clicked, this, [this] { checkCurrentKind(false); });
    connect(m_view, &QWidget::customContextMenuRequested, this, &EventPicker::showContextMenu);
}

void EventPicker::setCatalog(QList<EventType> catalog)
{
    const QStringList previous = selected();
    m_updating = true;
    m_catalog = std::move(catalog);
    m_typeItems.clear();
    m_unknown.clear();
    m_model->removeRows(0, m_model->rowCount());
    for (const EventType& t : std::as_const(m_catalog)) {
        const QString kind = t.kind.isEmpty() ? t.name.section(QLatin1Char('.'), 0, 0) : t.kind;
        if (!m_typeItems.contains(t.name))
            addType(kindItem(kind, true), t.name, t.description);
    }
    m_updating = false;
    m_view->expandAll();
    setSelected(previous);
}

void EventPicker::setSelected(const QStringList& names)
{
    const QStringList before = selected();
    m_updating = true;
    for (const QString& name : names) {
        if (!m_typeItems.contains(name)) {
            m_unknown.append(name);
            addType(kindItem(tr("Not in catalog"), true), name, tr("This event type is not in the catalog"));
        }
    }
    for (auto it = m_typeItems.cbegin(); it != m_typeItems.cend(); ++it)
        it.value()->setCheckState(names.contains(it.key()) ? Qt::Checked : Qt::Unchecked);
    m_updating = false;
    for (int row = 0; row < m_model->rowCount(); ++row)
        updateKindState(m_model->item(row));
    m_view->expandAll();
    if (selected() != before)
        Q_EMIT selectionChanged();
}

QStringList EventPicker::selected() const
{
    QStringList out;
    auto isChecked = [this](const QString& name) {
        const QStandardItem* item = m_typeItems.value(name);
        return item && item->checkState() == Qt::Checked;
    };
    for (const EventType& t : m_catalog) {
        if (isChecked(t.name) && !out.contains(t.name))
            out.append(t.name);
    }
    for (const QString& name : m_unknown) {
        if (isChecked(name))
            out.append(name);
    }
    return out;
}

QModelIndex EventPicker::viewIndexOfType(const QString& name) const
{
    const QStandardItem* item = m_typeItems.value(name);
    return item ? m_proxy->mapFromSource(item->index()) : QModelIndex();
}

QModelIndex EventPicker::viewIndexOfKind(const QString& kind) const
{
    const QList<QStandardItem*> found = m_model->findItems(kind, Qt::MatchExactly, NameColumn);
    return found.isEmpty() ? QModelIndex() : m_proxy->mapFromSource(found.first()->index());
}

QStandardItem* EventPicker::kindItem(const QString& kind, bool create)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        QStandardItem* item = m_model->item(row);
        if (item->data(KindRole).toString() == kind)
            return item;
    }
    if (!create)
        return nullptr;
    auto* item = checkableItem(kind);
    item->setData(kind, KindRole);
    item->setAccessibleText(tr("Kind %1").arg(kind));
    m_model->appendRow({item, readOnlyItem(QString())});
    return item;
}

QStandardItem* EventPicker::addType(QStandardItem* kind, const QString& name, const QString& description)
{
    auto* item = checkableItem(name);
    item->setToolTip(description.isEmpty() ? name : description);
    kind->appendRow({item, readOnlyItem(description)});
    m_typeItems.insert(name, item);
    return item;
}

void EventPicker::onItemChanged(QStandardItem* item)
{
    if (m_updating || item->column() != NameColumn)
        return;
    if (!item->data(KindRole).toString().isEmpty())
        setKindChecked(item, item->checkState() != Qt::Unchecked);
    else if (item->parent())
        updateKindState(item->parent());
    Q_EMIT selectionChanged();
}

void EventPicker::updateKindState(QStandardItem* kind)
{
    int checked = 0;
    for (int row = 0; row < kind->rowCount(); ++row)
        checked += kind->child(row)->checkState() == Qt::Checked ? 1 : 0;
    const Qt::CheckState state = checked == 0                  ? Qt::Unchecked
                                 : checked == kind->rowCount() ? Qt::Checked
                                                               : Qt::PartiallyChecked;
    const bool wasUpdating = std::exchange(m_updating, true);
    kind->setCheckState(state);
    m_updating = wasUpdating;
}

void EventPicker::setKindChecked(QStandardItem* kind, bool checked)
{
    const bool wasUpdating = std::exchange(m_updating, true);
    for (int row = 0; row < kind->rowCount(); ++row)
        kind->child(row)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    m_updating = wasUpdating;
    updateKindState(kind);
}

QStandardItem* EventPicker::currentKind() const
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    if (!current.isValid())
        return nullptr;
    const QModelIndex first = current.siblingAtColumn(NameColumn);
    return m_model->itemFromIndex(first.parent().isValid() ? first.parent() : first);
}

void EventPicker::checkCurrentKind(bool checked)
{
    const QStringList before = selected();
    if (QStandardItem* kind = currentKind()) {
        setKindChecked(kind, checked);
    } else {
        for (int row = 0; row < m_model->rowCount(); ++row)
            setKindChecked(m_model->item(row), checked);
    }
    if (selected() != before)
        Q_EMIT selectionChanged();
}

void EventPicker::showContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    const QString kind = currentKind()->text();
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Select all of \"%1\"").arg(kind), this, [this] { checkCurrentKind(true); });
    menu->addAction(tr("Select none of \"%1\"").arg(kind), this, [this] { checkCurrentKind(false); });
    menu->popup(m_view->viewport()->mapToGlobal(pos));
}

void EventPicker::onFilterChanged(const QString& text)
{
    m_proxy->setFilterFixedString(text.trimmed());
    m_view->expandAll();
}

} // namespace outhook::ui
