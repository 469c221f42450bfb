#pragma once

#include "delivery/TestSender.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace outhook::ui {

// The result of a one-click test send: status, time, whether it was signed, response headers and body.
// Opens at once with "Sending…" and fills in when the reply arrives.
class TestSendDialog : public QDialog
{
    Q_OBJECT
public:
    explicit TestSendDialog(QWidget* parent = nullptr);

    void showPending(const QString& webhookName, const QString& url);
    void showResult(const TestSendResult& result);
    void showError(const QString& message);

    QString statusText() const;
    QString bodyText() const;
    QTableWidget* headersTable() const { return m_headers; }
    bool hasResult() const { return m_hasResult; }

private:
    QLabel* m_title;
    QLabel* m_status;
    QLabel* m_details;
    QTableWidget* m_headers;
    QPlainTextEdit* m_body;
    bool m_hasResult = false;
};

} // namespace outhook::ui
