#pragma once

#include "model/AuthConfig.h"
#include "model/HeaderList.h"
#include "util/Result.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QPalette;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;

namespace outhook::ui {

// The colour of inline validation messages: a red that stays readable on light and dark palettes
// (Qt 6.4's QPalette has no role for it). Shared by the webhook editor's widgets.
QColor errorTextColor(const QPalette& palette);

// Custom request headers as a Name / Value / Secret table with Add and Remove. Every row is checked with
// WebhookValidator as it changes; a bad cell is tinted, carries the message as its tooltip, and the
// first problem is spelled out under the table. Secret values are masked unless "Show secret values".
class HeaderTableEditor : public QWidget
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        ValueColumn,
        SecretColumn,
        ColumnCount
    };

    explicit HeaderTableEditor(QWidget* parent = nullptr);

    void setHeaders(const HeaderList& headers);
    // Every row in order, empty ones included, so row i is headers[i] in validation messages.
    HeaderList headers() const;
    // "authorization" is reserved unless auth is None.
    void setAuthType(AuthConfig::Type type);
    // Problems found in the rows, with WebhookValidator's field names ("headers[1].name").
    FieldErrors errors() const { return m_errors; }
    bool secretsRevealed() const;

    QTableWidget* table() const { return m_table; }
    QPushButton* addButton() const { return m_add; }
    QPushButton* removeButton() const { return m_remove; }
    QCheckBox* revealCheck() const { return m_reveal; }
    QLabel* messageLabel() const { return m_message; }
    // The value as the table shows it: masked for a secret row unless secrets are revealed.
    QString displayedValue(int row) const;
    // The message shown on a cell, empty when it is fine.
    QString cellError(int row, int column) const;

public Q_SLOTS:
    // Appends an empty row and starts editing its name.
    void addRow();
    void removeSelectedRows();

Q_SIGNALS:
    void changed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void insertRow(int row, const Header& h);
    void onItemChanged(QTableWidgetItem* item);
    void revalidate();
    void showErrors();

    QTableWidget* m_table;
    QPushButton* m_add;
    QPushButton* m_remove;
    QCheckBox* m_reveal;
    QLabel* m_message;
    AuthConfig::Type m_authType = AuthConfig::Type::None;
    FieldErrors m_errors;
    bool m_updating = false;
};

} // namespace outhook::ui
