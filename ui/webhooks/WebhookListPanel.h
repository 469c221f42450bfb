#pragma once

#include "model/EventType.h"
#include "model/Webhook.h"

#include <QPointer>
#include <QWidget>

class QTableView;
class QToolButton;
class QLabel;
class QAction;

namespace outhook {
class StorageWorker;
}

namespace outhook::ui {

class WebhookListModel;
class WebhookEditor;

// The left side: the webhook list with its one-click activation toggle, and New / Edit / Duplicate /
// Delete / Test send. Every read and write goes through the StorageWorker; the GUI never waits.
class WebhookListPanel : public QWidget
{
    Q_OBJECT
public:
    explicit WebhookListPanel(StorageWorker* storage, QWidget* parent = nullptr);

    WebhookListModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    std::optional<Webhook> selectedWebhook() const;
    WebhookEditor* openEditor() const; // the editor currently shown, for tests

    QAction* newAction() const { return m_new; }
    QAction* editAction() const { return m_edit; }
    QAction* duplicateAction() const { return m_duplicate; }
    QAction* deleteAction() const { return m_delete; }
    QAction* testSendAction() const { return m_testSend; }
    QAction* recoverAction() const { return m_recover; }

    // Re-reads every webhook (counters move as deliveries are recorded).
    void reload();
    void setEditingAllowed(bool allowed, const QString& why);
    const QList<EventType>& eventTypes() const { return m_eventTypes; }

Q_SIGNALS:
    void webhooksChanged();                   // after any successful write, and after reload
    void testSendRequested(qint64 webhookId); // the main window runs it and shows the result
    void recoverRequested(qint64 webhookId);
    void statusMessage(const QString& message);

private:
    void createWebhook();
    void editSelected(bool duplicate);
    void deleteSelected();
    void setActive(qint64 id, bool active);
    void showEditor(const Webhook& w);
    void updateActions();

    StorageWorker* m_storage;
    WebhookListModel* m_model;
    QTableView* m_table;
    QLabel* m_empty;
    QAction* m_new;
    QAction* m_edit;
    QAction* m_duplicate;
    QAction* m_delete;
    QAction* m_testSend;
    QAction* m_recover;
    QPointer<WebhookEditor> m_editor; // nulls itself when the editor closes
    QList<EventType> m_eventTypes;
    Webhook m_newWebhookDefaults;
    bool m_editingAllowed = true;
};

} // namespace outhook::ui
