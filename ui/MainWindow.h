#pragma once

#include <QMainWindow>
#include <memory>

class QTableView;

namespace outhook {
class WebhookStore;
}

namespace outhook::ui {

class WebhookListModel;

// The top-level window: webhooks on the left. Storage is handed in; the window owns no engine.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(WebhookStore& webhooks, const QString& databaseName, QWidget* parent = nullptr);
    ~MainWindow() override;

    WebhookListModel* webhookModel() const { return m_model; }
    void reload();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    WebhookStore& m_webhooks;
    WebhookListModel* m_model;
    QTableView* m_table;
};

} // namespace outhook::ui
