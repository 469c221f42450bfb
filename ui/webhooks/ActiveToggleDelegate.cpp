#include "webhooks/ActiveToggleDelegate.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

namespace outhook::ui {

namespace {
constexpr int kSwitchWidth = 34;
constexpr int kSwitchHeight = 18;
constexpr int kMargin = 6;
} // namespace

QRect ActiveToggleDelegate::switchRect(const QRect& cell)
{
    return QRect(cell.left() + kMargin, cell.center().y() - kSwitchHeight / 2 + 1, kSwitchWidth, kSwitchHeight);
}

void ActiveToggleDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const bool on = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    const QString text = index.data(Qt::DisplayRole).toString();

    // Background and selection as the style draws them, without the check box or text.
    opt.text.clear();
    opt.features &= ~QStyleOptionViewItem::HasCheckIndicator;
    QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect r = switchRect(option.rect);
    const QPalette& pal = option.palette;
    // A fixed green reads as "on" in light and dark palettes, and stays visible on a selected row
    // (the highlight colour would not).
    const QColor track = on ? QColor(0x2e, 0x9d, 0x4f) : pal.color(QPalette::Mid);
    painter->setPen(Qt::NoPen);
    painter->setBrush(track);
    painter->drawRoundedRect(r, r.height() / 2.0, r.height() / 2.0);
    const int knob = r.height() - 4;
    const QRect knobRect(on ? r.right() - knob - 1 : r.left() + 2, r.top() + 2, knob, knob);
    painter->setBrush(QColor(Qt::white));
    painter->drawEllipse(knobRect);

    const QRect textRect(r.right() + kMargin, option.rect.top(), option.rect.right() - r.right() - kMargin,
                         option.rect.height());
    painter->setPen(option.state & QStyle::State_Selected ? pal.color(QPalette::HighlightedText)
                                                          : pal.color(QPalette::Text));
    painter->drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
                      option.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width()));
    painter->restore();
}

QSize ActiveToggleDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QString text = index.data(Qt::DisplayRole).toString();
    const int w = kMargin * 3 + kSwitchWidth + std::min(option.fontMetrics.horizontalAdvance(text), 160);
    return QSize(w, std::max(kSwitchHeight + 8, QStyledItemDelegate::sizeHint(option, index).height()));
}

bool ActiveToggleDelegate::editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                                       const QModelIndex& index)
{
    if (!(index.flags() & Qt::ItemIsUserCheckable) || !(index.flags() & Qt::ItemIsEnabled))
        return false;
    bool toggle = false;
    if (event->type() == QEvent::MouseButtonRelease) {
        const auto* me = static_cast<QMouseEvent*>(event);
        // The whole cell is the target: a switch is small, and the cell has nothing else to click.
        toggle = me->button() == Qt::LeftButton && option.rect.contains(me->position().toPoint());
    } else if (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonDblClick) {
        return static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton; // swallow, act on release
    } else if (event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        toggle = key == Qt::Key_Space || key == Qt::Key_Select;
    }
    if (!toggle)
        return false;
    const bool on = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    return model->setData(index, on ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
}

} // namespace outhook::ui
