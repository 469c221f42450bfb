#include "MainWindow.h"

#include "storage/WebhookStore.h"
#include "webhooks/WebhookListModel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>

namespace outhook::ui {

MainWindow::MainWindow(WebhookStore& webhooks, const QString& databaseName, QWidget* parent)
    : QMainWindow(parent)
    , m_webhooks(webhooks)
    , m_model(new WebhookListModel(this))
    , m_table(new QTableView(this))
{
    setWindowTitle(tr("Outhook"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Webhooks"));
    setCentralWidget(m_table);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Reload"), QKeySequence::Refresh, this, &MainWindow::reload);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);

    statusBar()->showMessage(tr("Database: %1").arg(databaseName));

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1100, 680);
    reload();
}

MainWindow::~MainWindow() = default;

void MainWindow::reload()
{
    const auto all = m_webhooks.list();
    if (!all) {
        statusBar()->showMessage(all.error().message);
        return;
    }
    m_model->setWebhooks(*all);
    m_table->resizeColumnToContents(WebhookListModel::Name);
    m_table->setColumnWidth(WebhookListModel::Url, 320);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings().setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    event->accept();
}

} // namespace outhook::ui
