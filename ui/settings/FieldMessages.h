#pragma once

#include "util/Result.h"

#include <QHash>
#include <QString>

class QFormLayout;
class QLayout;
class QLabel;
class QWidget;

namespace outhook::ui {

// Form rows with an inline error line under each field. The label is the field's buddy and its text
// (without the mnemonic) is the field's accessible name, so the error and the screen reader name the
// same field.
class FieldMessages
{
public:
    // Adds "label: field" and a hidden message row below it. `key` matches FieldError::field.
    void addRow(QFormLayout* form, const QString& label, QWidget* field, const QString& key);
    // The same, for a field that sits in a layout with its own buttons (`row` holds `field`).
    void addRow(QFormLayout* form, const QString& label, QLayout* row, QWidget* field, const QString& key);
    // Hides every message, then shows the ones in `errors` it knows. Returns the errors it showed.
    int show(const FieldErrors& errors);
    void clear();
    QLabel* message(const QString& key) const;
    bool has(const QString& key) const { return m_rows.contains(key); }

private:
    struct Row
    {
        QString label;
        QWidget* field = nullptr;
        QLabel* message = nullptr;
        QFormLayout* form = nullptr;
    };
    QHash<QString, Row> m_rows;
};

} // namespace outhook::ui
