#pragma once

#include <QStyledItemDelegate>

namespace outhook::ui {

// Draws the Active column as an on/off switch and flips it with one click (or Space), through the
// model's CheckStateRole. The text next to the switch says "On", "Off" or why it was turned off.
class ActiveToggleDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                     const QModelIndex& index) override;

    static QRect switchRect(const QRect& cell);
};

} // namespace outhook::ui
