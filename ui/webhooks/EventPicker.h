#pragma once

#include "model/EventType.h"

#include <QHash>
#include <QWidget>

class QLineEdit;
class QModelIndex;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace outhook::ui {

// Chooses event types: kinds → types in a tree, with a tri-state box per kind, a search field that
// filters on name and description, and All / None for the current kind. Names that are selected but
// not in the catalog stay listed (under "Not in catalog") so they can be seen and unchecked.
class EventPicker : public QWidget
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        DescriptionColumn,
        ColumnCount
    };
    // On kind rows, the kind's name; empty on type rows.
    static constexpr int KindRole = Qt::UserRole + 1;

    explicit EventPicker(QWidget* parent = nullptr);

    void setCatalog(QList<EventType> catalog);
    void setSelected(const QStringList& names);
    // Catalog order, then names not in the catalog.
    QStringList selected() const;

    QLineEdit* searchEdit() const { return m_search; }
    QTreeView* view() const { return m_view; }
    QStandardItemModel* sourceModel() const { return m_model; }
    QSortFilterProxyModel* proxyModel() const { return m_proxy; }
    QPushButton* selectAllButton() const { return m_all; }
    QPushButton* selectNoneButton() const { return m_none; }
    // The view (proxy) index of a type or kind row, invalid when filtered out or unknown.
    QModelIndex viewIndexOfType(const QString& name) const;
    QModelIndex viewIndexOfKind(const QString& kind) const;

Q_SIGNALS:
    void selectionChanged();

private:
    QStandardItem* kindItem(const QString& kind, bool create);
    QStandardItem* addType(QStandardItem* kind, const QString& name, const QString& description);
    void onItemChanged(QStandardItem* item);
    void updateKindState(QStandardItem* kind);
    void setKindChecked(QStandardItem* kind, bool checked);
    // The kind the current row belongs to, or nullptr.
    QStandardItem* currentKind() const;
    void checkCurrentKind(bool checked);
    void showContextMenu(const QPoint& pos);
    void onFilterChanged(const QString& text);

    QLineEdit* m_search;
    QTreeView* m_view;
    QPushButton* m_all;
    QPushButton* m_none;
    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QList<EventType> m_catalog;
    QHash<QString, QStandardItem*> m_typeItems;
    QStringList m_unknown; // selected names missing from the catalog, in the order given
    bool m_updating = false;
};

} // namespace outhook::ui
