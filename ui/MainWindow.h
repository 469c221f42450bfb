#pragma once

#include "AppContext.h"
#include "webhooks/TestSendDialog.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QSplitter;
class QTabWidget;

namespace outhook::ui {

class HealthDashboard;
class AutoDisableNotifier;
class LogHistoryView;
class TestSendDialog;
class WebhookListPanel;

// Webhooks on the left, the Log History on the right, the engine's state in the status bar. Owns the
// in-process engine (unless in viewer mode) and keeps both panes live.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(AppContext context, QWidget* parent = nullptr);
    ~MainWindow() override;

    WebhookListPanel* webhookPanel() const { return m_webhooks; }
    LogHistoryView* logView() const { return m_log; }
    HealthDashboard* healthDashboard() const { return m_health; }
    QTabWidget* tabs() const { return m_tabs; }
    TestSendDialog* testSendDialog() const { return m_testDialog; }
    QAction* engineAction() const { return m_engineToggle; }
    QString engineStatusText() const;
    Engine* engine() const { return m_engine.get(); }

    void startEngine();
    void pauseEngine();
    void testSend(qint64 webhookId, const QString& eventType = {});
    // Shows, raises and focuses the window (a second `outhook` was started on this database).
    void bringToFront();
    AutoDisableNotifier* autoDisableNotifier() const { return m_notifier; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void poll();
    void refreshStatus();
    void recoverFailed(qint64 webhookId);
    void showSettings();
    void showAbout();
    void wakeEngine();

    AppContext m_ctx;
    WebhookListPanel* m_webhooks;
    LogHistoryView* m_log;
    HealthDashboard* m_health;
    QTabWidget* m_tabs;
    QSplitter* m_splitter;
    QLabel* m_engineLabel;
    QLabel* m_queueLabel;
    QAction* m_engineToggle = nullptr;
    AutoDisableNotifier* m_notifier;
    std::unique_ptr<Engine> m_engine;
    QPointer<TestSendDialog> m_testDialog;
    QTimer m_poll;
    QTimer m_reloadWebhooks;
    QTimer m_notified; // coalesces a burst of NOTIFYs into one poll
    qint64 m_lastChange = 0;
    QString m_webhooksFingerprint;
    int m_inFlight = 0;
    QString m_queueText;
    bool m_testSenderConnected = false;
};

} // namespace outhook::ui
