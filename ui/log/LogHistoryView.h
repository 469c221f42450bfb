#pragma once

#include <QPair>
#include <QPointer>
#include <QWidget>
#include <functional>

class QAction;
class QLabel;
class QModelIndex;
class QSplitter;
class QTreeView;

namespace outhook {
class StorageWorker;
struct DeliveryFilter;
} // namespace outhook

namespace outhook::ui {

class AttemptDetailView;
class BackgroundTask;
class DeliveryLogModel;
class LogFilterBar;
class TaskProgressDialog;

// The Log History: filters on top, deliveries (expandable into their attempts) in the middle, the
// selected row's details below. Reads and writes go through the StorageWorker; the GUI never waits.
// Its actions (QWidget::actions()) are what the main window puts in its Log menu.
class LogHistoryView : public QWidget
{
    Q_OBJECT
public:
    explicit LogHistoryView(StorageWorker* storage, QWidget* parent = nullptr);

    DeliveryLogModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    AttemptDetailView* detail() const { return m_detail; }
    LogFilterBar* filterBar() const { return m_filterBar; }

    QAction* resendAction() const { return m_resend; }
    QAction* copyCurlAction() const { return m_copyCurl; }
    QAction* copyPayloadAction() const { return m_copyPayload; }
    QAction* refreshAction() const { return m_refresh; }
    QAction* findAction() const { return m_find; }
    QAction* exportAction() const { return m_export; }
    // The progress dialog of the latest export or bulk resend (null once closed).
    TaskProgressDialog* taskDialog() const;

    // The deliveries of the selected rows (an attempt row stands for its delivery), newest first.
    QList<qint64> selectedDeliveryIds() const;
    // Resends the selected deliveries: one at once, several as a background task with progress.
    void resendSelected();
    // Asks for a file and exports the selected deliveries, or everything the filters match.
    void exportDeliveries();

    void setWebhookFilterChoices(const QList<QPair<qint64, QString>>& webhooks);
    void setEventTypes(const QStringList& types);
    // Live update after deliveries changed (see DeliveryLogModel::refresh); keeps selection and expansion.
    void refresh(const QList<qint64>& changed = {});

Q_SIGNALS:
    void resendRequested(qint64 deliveryId); // after the resend is queued, so the engine can be woken
    void deliveriesRequeued();               // after a bulk resend requeued some, for the same reason
    void statusMessage(const QString& message);

private:
    void applyFilter(const DeliveryFilter& filter);
    QModelIndex selectedIndex() const;
    void showDetails(const QModelIndex& index);
    void resendOne(qint64 id);
    void resendMany(const QList<qint64>& ids);
    TaskProgressDialog* startTask(BackgroundTask* task, const QString& title,
                                  std::function<QString(qint64, qint64)> progressText);
    void copyCurl();
    void copyPayload();
    void updateActions();
    void updateFooter();

    StorageWorker* m_storage;
    DeliveryLogModel* m_model;
    LogFilterBar* m_filterBar;
    QTreeView* m_tree;
    AttemptDetailView* m_detail;
    QSplitter* m_splitter;
    QLabel* m_footer;
    QAction* m_resend;
    QAction* m_copyCurl;
    QAction* m_copyPayload;
    QAction* m_refresh;
    QAction* m_find;
    QAction* m_export;
    QPointer<TaskProgressDialog> m_taskDialog;
    // The user may have moved on before a detail load answers: only the latest request's answer is shown.
    quint64 m_detailRequest = 0;
    qint64 m_shownDeliveryId = 0; // the delivery the detail pane shows (or is loading), else 0
    QString m_lastError;
};

} // namespace outhook::ui
