#include "webhooks/HeaderTableEditor.h"

#include "model/WebhookValidator.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>

namespace outhook::ui {

QColor errorTextColor(const QPalette& palette)
{
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28);
}

namespace {

bool isSecretRow(const QModelIndex& index)
{
    return index.siblingAtColumn(HeaderTableEditor::SecretColumn).data(Qt::CheckStateRole).toInt() == Qt::Checked;
}

QString shownValue(const QModelIndex& index, bool revealed)
{
    const QString text = index.data().toString();
    return isSecretRow(index) && !revealed && !text.isEmpty() ? QString(4, QChar(0x2022)) : text;
}

// Masks the values of secret rows, both shown and while typed, unless the user chose to see them.
class SecretValueDelegate : public QStyledItemDelegate
{
public:
    SecretValueDelegate(const QCheckBox* reveal, QObject* parent)
        : QStyledItemDelegate(parent)
        , m_reveal(reveal)
    {}

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QWidget* editor = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto* line = qobject_cast<QLineEdit*>(editor); line && masked(index))
            line->setEchoMode(QLineEdit::Password);
        return editor;
    }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->text = shownValue(index, m_reveal->isChecked());
    }

private:
    bool masked(const QModelIndex& index) const { return isSecretRow(index) && !m_reveal->isChecked(); }

    const QCheckBox* m_reveal;
};

} // namespace

HeaderTableEditor::HeaderTableEditor(QWidget* parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_add(new QPushButton(tr("Add"), this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_reveal(new QCheckBox(tr("Show secret values"), this))
    , m_message(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("headerTable"));
    m_table->setAccessibleName(tr("Custom headers"));
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Value"), tr("Secret")});
    m_table->horizontalHeaderItem(SecretColumn)->setToolTip(tr("Secret values are encrypted at rest and redacted"));
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    m_table->setItemDelegateForColumn(ValueColumn, new SecretValueDelegate(m_reveal, m_table));
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(SecretColumn, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(NameColumn, 150);
    m_table->setMinimumHeight(m_table->verticalHeader()->defaultSectionSize() * 3 + header->sizeHint().height() + 4);

    m_add->setObjectName(QStringLiteral("addHeaderButton"));
    m_add->setAccessibleName(tr("Add header"));
    m_remove->setObjectName(QStringLiteral("removeHeaderButton"));
    m_remove->setAccessibleName(tr("Remove selected headers"));
    m_remove->setEnabled(false);
    m_reveal->setObjectName(QStringLiteral("revealHeadersCheck"));
    m_reveal->setAccessibleName(tr("Show secret header values"));
    m_message->setObjectName(QStringLiteral("headerMessage"));
    m_message->setWordWrap(true);
    m_message->setVisible(false);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    buttons->addWidget(m_reveal);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message);
    layout->addLayout(buttons);

    connect(m_add, &QPushButton::clicked, this, &HeaderTableEditor::addRow);
    connect(m_remove, &QPushButton::clicked, this, &HeaderTableEditor::removeSelectedRows);
    connect(m_reveal, &QCheckBox::toggled, m_table->viewport(), qOverload<>(&QWidget::update));
    connect(m_table, &QTableWidget::itemChanged, this, &HeaderTableEditor::onItemChanged);
    connect(m_table, &QTableWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!m_table->selectedItems().isEmpty()); });
    showErrors();
}

void HeaderTableEditor::setHeaders(const HeaderList& headers)
{
    m_updating = true;
    m_table->setRowCount(0);
    for (const Header& h : headers)
        insertRow(m_table->rowCount(), h);
    m_updating = false;
    revalidate();
}

HeaderList HeaderTableEditor::headers() const
{
    HeaderList out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        out.append({m_table->item(row, NameColumn)->text().trimmed(), m_table->item(row, ValueColumn)->text(),
                    m_table->item(row, SecretColumn)->checkState() == Qt::Checked});
    }
    return out;
}

void HeaderTableEditor::setAuthType(AuthConfig::Type type)
{
    if (type == m_authType)
        return;
    m_authType = type;
    revalidate();
}

bool HeaderTableEditor::secretsRevealed() const
{
    return m_reveal->isChecked();
}

QString HeaderTableEditor::displayedValue(int row) const
{
    return shownValue(m_table->model()->index(row, ValueColumn), m_reveal->isChecked());
}

QString HeaderTableEditor::cellError(int row, int column) const
{
    const QTableWidgetItem* item = m_table->item(row, column);
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void HeaderTableEditor::addRow()
{
    const int row = m_table->rowCount();
    m_updating = true;
    insertRow(row, {});
    m_updating = false;
    revalidate();
    Q_EMIT changed();
    m_table->setCurrentCell(row, NameColumn);
    m_table->setFocus();
    m_table->editItem(m_table->item(row, NameColumn));
}

void HeaderTableEditor::removeSelectedRows()
{
    QList<int> rows;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        rows.append(index.row());
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int row : rows)
        m_table->removeRow(row);
    revalidate();
    Q_EMIT changed();
}

void HeaderTableEditor::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        showErrors();
}

void HeaderTableEditor::insertRow(int row, const Header& h)
{
    m_table->insertRow(row);
    auto* name = new QTableWidgetItem(h.name);
    name->setData(Qt::AccessibleTextRole, tr("Header name"));
    auto* value = new QTableWidgetItem(h.value);
    value->setData(Qt::AccessibleTextRole, tr("Header value"));
    auto* secret = new QTableWidgetItem;
    secret->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    secret->setCheckState(h.secret ? Qt::Checked : Qt::Unchecked);
    secret->setData(Qt::AccessibleTextRole, tr("Secret"));
    m_table->setItem(row, NameColumn, name);
    m_table->setItem(row, ValueColumn, value);
    m_table->setItem(row, SecretColumn, secret);
}

void HeaderTableEditor::onItemChanged(QTableWidgetItem* item)
{
    if (m_updating)
        return;
    if (item->column() == SecretColumn)
        m_table->viewport()->update();
    revalidate();
    Q_EMIT changed();
}

void HeaderTableEditor::revalidate()
{
    // The whole validator runs over a webhook holding only these headers, so duplicate and count rules
    // come from the same place as everywhere else; only the header fields are kept.
    Webhook probe;
    probe.auth.type = m_authType;
    probe.headers = headers();
    m_errors.clear();
    for (const FieldError& e : WebhookValidator(nullptr).validate(probe)) {
        if (e.field.startsWith(QLatin1String("headers")))
            m_errors.append(e);
    }
    showErrors();
}

void HeaderTableEditor::showErrors()
{
    static const QRegularExpression cellField(QStringLiteral("^headers\\[(\\d+)\\]\\.(name|value)$"));
    const QColor color = errorTextColor(palette());
    QColor tint = color;
    tint.setAlpha(48);

    m_updating = true;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        for (int column : {int(NameColumn), int(ValueColumn)}) {
            QTableWidgetItem* item = m_table->item(row, column);
            item->setData(Qt::UserRole, QVariant());
            item->setToolTip(QString());
            item->setBackground(QBrush());
        }
    }
    QStringList lines;
    for (const FieldError& e : std::as_const(m_errors)) {
        const QRegularExpressionMatch m = cellField.match(e.field);
        if (!m.hasMatch()) {
            lines.append(e.message);
            continue;
        }
        const int row = m.captured(1).toInt();
        const int column = m.captured(2) == QLatin1String("name") ? NameColumn : ValueColumn;
        if (QTableWidgetItem* item = m_table->item(row, column)) {
            item->setData(Qt::UserRole, e.message);
            item->setToolTip(e.message);
            item->setBackground(tint);
        }
        lines.append(tr("Row %1: %2").arg(row + 1).arg(e.message));
    }
    m_updating = false;

    QPalette pal = m_message->palette();
    pal.setColor(QPalette::WindowText, color);
    m_message->setPalette(pal);
    if (lines.size() > 2)
        lines = lines.mid(0, 2) << tr("and %n more problem(s)", nullptr, int(lines.size() - 2));
    m_message->setText(lines.join(QLatin1Char('\n')));
    m_message->setVisible(!lines.isEmpty());
}

} // namespace outhook::ui
