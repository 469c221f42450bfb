#pragma once

#include "model/Delivery.h"

#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTableWidget;

namespace outhook::ui {

// The detail pane under the log: a delivery's frozen payload, or one attempt's request and response as
// they were recorded. Read-only; it never touches storage (the Log History hands it what to show).
class AttemptDetailView : public QWidget
{
    Q_OBJECT
public:
    explicit AttemptDetailView(QWidget* parent = nullptr);

    // `delivery` must carry its payload (DeliveryLog::get).
    void showDelivery(const Delivery& delivery);
    void showAttempt(const Attempt& attempt);
    void clear();
    // Moves keyboard focus to what is shown (payload or response body), e.g. after Enter in the log.
    void focusContent();

    // What is shown, for tests and for copying.
    QString summaryText() const;
    QString bodyText() const;       // the payload of a delivery, or the response body of an attempt
    QString truncationText() const; // empty unless the shown body was cut off
    QAbstractItemModel* requestHeadersModel() const;
    QAbstractItemModel* responseHeadersModel() const;
    bool isShowingAttempt() const;
    bool isShowingDelivery() const;

private:
    QWidget* buildDeliveryPage();
    QWidget* buildAttemptPage();
    QTableWidget* makeHeaderTable(const QString& accessibleName);
    static void fillHeaders(QTableWidget* table, const RawHeaders& headers);

    QLabel* m_summary;
    QStackedWidget* m_pages;
    QWidget* m_emptyPage;
    QWidget* m_deliveryPage;
    QWidget* m_attemptPage;
    QPlainTextEdit* m_payload;
    QTableWidget* m_requestHeaders;
    QTableWidget* m_responseHeaders;
    QLabel* m_truncated;
    QPlainTextEdit* m_body;
};

} // namespace outhook::ui
