#include "settings/FieldMessages.h"

#include <QFormLayout>
#include <QLabel>

namespace outhook::ui {

void FieldMessages::addRow(QFormLayout* form, const QString& label, QWidget* field, const QString& key)
{
    addRow(form, label, nullptr, field, key);
}

void FieldMessages::addRow(QFormLayout* form, const QString& label, QLayout* row, QWidget* field, const QString& key)
{
    auto* name = new QLabel(label, field->parentWidget());
    name->setBuddy(field);
    if (row)
        form->addRow(name, row);
    else
        form->addRow(name, field);
    const QString plain = QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':'));
    field->setAccessibleName(plain);
    auto* message = new QLabel(field->parentWidget());
    message->setObjectName(key + QStringLiteral("Message"));
    message->setWordWrap(true);
    message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette pal = message->palette();
    pal.setColor(QPalette::WindowText, QColor(0xb4, 0x1c, 0x1c));
    message->setPalette(pal);
    form->addRow(QString(), message);
    form->setRowVisible(message, false);
    m_rows.insert(key, {plain, field, message, form});
}

int FieldMessages::show(const FieldErrors& errors)
{
    clear();
    int shown = 0;
    for (const FieldError& e : errors) {
        const auto it = m_rows.constFind(e.field);
        if (it == m_rows.constEnd())
            continue;
        // The message names the field, so it still makes sense read on its own (screen readers, logs).
        it->message->setText(it->label + QStringLiteral(": ") + e.message);
        it->message->setAccessibleName(it->message->text());
        it->form->setRowVisible(it->message, true);
        it->field->setAccessibleDescription(e.message);
        ++shown;
    }
    return shown;
}

void FieldMessages::clear()
{
    for (const Row& row : std::as_const(m_rows)) {
        row.message->clear();
        row.form->setRowVisible(row.message, false);
        row.field->setAccessibleDescription(QString());
    }
}

QLabel* FieldMessages::message(const QString& key) const
{
    const auto it = m_rows.constFind(key);
    return it == m_rows.constEnd() ? nullptr : it->message;
}

} // namespace outhook::ui
