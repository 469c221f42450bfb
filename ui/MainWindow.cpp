#include "MainWindow.h"

#include "AboutDialog.h"
#include "AutoDisableNotifier.h"
#include "SettingsDialog.h"
#include "health/HealthDashboard.h"
#include "log/LogFilterBar.h"
#include "log/LogHistoryView.h"
#include "storage/DeliveryLog.h"
#include "storage/DeliveryQueue.h"
#include "storage/Roles.h"
#include "storage/WebhookStore.h"
#include "tasks/DeliveryTasks.h"
#include "tasks/TaskProgressDialog.h"
#include "webhooks/TestSendDialog.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"
#include "widgets/MessageBox.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>

namespace outhook::ui {

MainWindow::MainWindow(AppContext context, QWidget* parent)
    : QMainWindow(parent)
    , m_ctx(std::move(context))
    , m_webhooks(new WebhookListPanel(m_ctx.storage, this))
    , m_log(new LogHistoryView(m_ctx.storage, this))
    , m_health(new HealthDashboard(m_ctx.storage, *m_ctx.clock, this))
    , m_tabs(new QTabWidget(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_engineLabel(new QLabel(this))
    , m_queueLabel(new QLabel(this))
    , m_notifier(new AutoDisableNotifier(this))
{
    setWindowTitle(tr("Outhook — %1").arg(m_ctx.databaseName));
    setWindowIcon(QIcon(QStringLiteral(":/outhook.svg")));
    m_splitter->addWidget(m_webhooks);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_log, tr("Log History"));
    m_tabs->addTab(m_health, tr("Health"));
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);
    statusBar()->addPermanentWidget(m_queueLabel);
    statusBar()->addPermanentWidget(m_engineLabel);
    m_engineLabel->setAccessibleName(tr("Engine state"));
    m_engineLabel->setContentsMargins(12, 0, 6, 0);
    m_queueLabel->setContentsMargins(6, 0, 12, 0);
    m_queueLabel->setAccessibleName(tr("Queue"));

    buildMenus();

    connect(m_webhooks, &WebhookListPanel::statusMessage, this,
            [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    connect(m_log, &LogHistoryView::statusMessage, this,
            [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    connect(m_webhooks, &WebhookListPanel::testSendRequested, this, [this](qint64 id) { testSend(id); });
    connect(m_webhooks, &WebhookListPanel::recoverRequested, this, &MainWindow::recoverFailed);
    connect(m_notifier, &AutoDisableNotifier::notified, this,
            [this](const QString& m) { statusBar()->showMessage(m, 30000); });
    connect(m_webhooks, &WebhookListPanel::webhooksChanged, this, [this] {
        QList<QPair<qint64, QString>> choices;
        QList<Webhook> all;
        for (int row = 0; row < m_webhooks->model()->rowCount(); ++row) {
            const Webhook* w = m_webhooks->model()->webhookAt(row);
            choices.append({w->id, w->name});
            all.append(*w);
        }
        m_notifier->update(all);
        m_log->setWebhookFilterChoices(choices);
        m_health->setWebhooks(choices);
        QStringList types;
        for (const EventType& t : m_webhooks->eventTypes())
            types << t.name;
        m_log->setEventTypes(types);
        wakeEngine(); // an activated webhook's queued deliveries go out at once
    });
    connect(m_log, &LogHistoryView::resendRequested, this, &MainWindow::wakeEngine);
    // A click on a dashboard bar shows exactly those deliveries in the Log History.
    connect(m_health, &HealthDashboard::filterRequested, this, [this](const DeliveryFilter& f) {
        m_log->filterBar()->setFilter(f);
        m_tabs->setCurrentWidget(m_log);
    });
    connect(m_log, &LogHistoryView::deliveriesRequeued, this, &MainWindow::wakeEngine);

    // Live view: the in-process engine says what it wrote; the poll sees other processes' writes.
    m_reloadWebhooks.setSingleShot(true);
    m_reloadWebhooks.setInterval(500);
    connect(&m_reloadWebhooks, &QTimer::timeout, m_webhooks, &WebhookListPanel::reload);
    m_poll.setInterval(m_ctx.pollIntervalMs);
    connect(&m_poll, &QTimer::timeout, this, &MainWindow::poll);
    m_poll.start();
    m_lastChange = m_ctx.clock->nowMs();

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1280, 780);
    if (!m_splitter->restoreState(settings.value(QStringLiteral("mainWindow/splitter")).toByteArray()))
        m_splitter->setSizes({520, 760});

    if (m_ctx.makeEngine)
        startEngine();
    else
        refreshStatus();

    // On PostgreSQL, other machines' writes arrive as NOTIFY at once: new events on the queue channel,
    // attempts and webhook changes on the changes channel. The poll stays as the SQLite path and as a
    // safety net.
    m_notified.setSingleShot(true);
    m_notified.setInterval(50);
    connect(&m_notified, &QTimer::timeout, this, &MainWindow::poll);
    QPointer<MainWindow> self(this);
    m_ctx.storage->run<bool>(
        this,
        [self](StorageContext& c) {
            const auto onNotify = [self] {
                if (self && !self->m_notified.isActive())
                    self->m_notified.start();
            };
            return c.db->subscribe(QLatin1String(Database::kChangesChannel), self.data(), onNotify) &&
                   c.db->subscribe(QLatin1String(Database::kQueueChannel), self.data(), onNotify);
        },
        [](bool) {});

    // Ask the database what this user may do, so edit controls are off (with the reason) before anyone
    // tries, instead of failing afterwards.
    m_ctx.storage->run<Result<roles::Permissions>>(
        this, [](StorageContext& c) { return roles::current(*c.db); },
        [this](Result<roles::Permissions> p) {
            if (p && !p->canEditWebhooks)
                m_webhooks->setEditingAllowed(
                    false, tr("Your database role (support) may read, resend and test, but not change webhooks"));
        });
}

MainWindow::~MainWindow()
{
    if (m_engine)
        m_engine->stopAndWait(2000);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_webhooks->newAction());
    file->addSeparator();
    file->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::showSettings);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* webhook = menuBar()->addMenu(tr("&Webhook"));
    for (QAction* a : {m_webhooks->editAction(), m_webhooks->duplicateAction(), m_webhooks->testSendAction(),
                       m_webhooks->recoverAction(), m_webhooks->deleteAction()})
        webhook->addAction(a);

    QMenu* log = menuBar()->addMenu(tr("&Log"));
    for (QAction* a : m_log->actions())
        log->addAction(a);

    QMenu* engine = menuBar()->addMenu(tr("&Engine"));
    m_engineToggle = engine->addAction(QIcon(QStringLiteral(":/icons/play.svg")), tr("&Run Engine"));
    m_engineToggle->setToolTip(tr("Send due deliveries from this app (Ctrl+P pauses and resumes)"));
    m_engineToggle->setCheckable(true);
    m_engineToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_engineToggle->setEnabled(bool(m_ctx.makeEngine));
    if (!m_ctx.makeEngine)
        m_engineToggle->setToolTip(tr("Viewer mode: another process (outhookd serve) sends the deliveries"));
    connect(m_engineToggle, &QAction::triggered, this, [this](bool on) { on ? startEngine() : pauseEngine(); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Outhook"), this, &MainWindow::showAbout);

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(18, 18));
    toolbar->addAction(m_engineToggle);
}

QString MainWindow::engineStatusText() const
{
    return m_engineLabel->text() + QLatin1Char(' ') + m_queueLabel->text();
}

void MainWindow::startEngine()
{
    if (m_engine || !m_ctx.makeEngine)
        return;
    m_engine = m_ctx.makeEngine();
    connect(m_engine.get(), &Engine::attemptsRecorded, this, [this](const QList<qint64>& ids) {
        m_log->refresh(ids);
        if (!m_reloadWebhooks.isActive())
            m_reloadWebhooks.start();
    });
    connect(m_engine.get(), &Engine::inFlightChanged, this, [this](int n) {
        m_inFlight = n;
        refreshStatus();
    });
    // The reload lets the AutoDisableNotifier name the webhooks that were turned off.
    connect(m_engine.get(), &Engine::webhooksDisabled, m_webhooks, &WebhookListPanel::reload);
    connect(m_engine.get(), &Engine::storageError, this,
            [this](const QString& m) { statusBar()->showMessage(tr("Engine: %1").arg(m), 10000); });
    m_ctx.storage->setOnQueued([e = QPointer<Engine>(m_engine.get())] {
        if (e)
            e->wake();
    });
    m_engine->start();
    m_engineToggle->setChecked(true);
    refreshStatus();
}

void MainWindow::pauseEngine()
{
    if (!m_engine)
        return;
    m_ctx.storage->setOnQueued({});
    // Stopping waits at most briefly: requests in flight are handed back for the next run.
    m_engine->stopAndWait(2000);
    m_engine.reset();
    m_inFlight = 0;
    m_engineToggle->setChecked(false);
    refreshStatus();
}

void MainWindow::wakeEngine()
{
    if (m_engine)
        m_engine->wake();
}

void MainWindow::refreshStatus()
{
    if (!m_ctx.makeEngine)
        m_engineLabel->setText(tr("Viewer mode: another engine sends"));
    else if (m_engine)
        m_engineLabel->setText(tr("Engine running · %n in flight", nullptr, m_inFlight));
    else
        m_engineLabel->setText(tr("Engine paused"));
    m_queueLabel->setText(m_queueText);
}

void MainWindow::poll()
{
    const qint64 since = m_lastChange;
    struct Snapshot
    {
        Result<DeliveryLog::Changes> changes;
        Result<QueueCounts> counts;
    };
    m_ctx.storage->run<std::shared_ptr<Snapshot>>(
        this,
        [since](StorageContext& c) {
            return std::make_shared<Snapshot>(Snapshot{c.log->changedSince(since), c.queue->counts()});
        },
        [this](std::shared_ptr<Snapshot> s) {
            if (s->changes) {
                const bool webhooksChanged = s->changes->webhooksFingerprint != m_webhooksFingerprint;
                m_webhooksFingerprint = s->changes->webhooksFingerprint;
                if (!s->changes->ids.isEmpty()) {
                    m_lastChange = s->changes->newestUpdatedAt;
                    m_log->refresh(s->changes->ids);
                }
                // Counters and states of webhooks move with their deliveries.
                if ((webhooksChanged || !s->changes->ids.isEmpty()) && !m_reloadWebhooks.isActive())
                    m_reloadWebhooks.start();
            }
            if (s->counts) {
                m_queueText = tr("%1 due · %2 retrying later · %3 failed")
                                  .arg(s->counts->due)
                                  .arg(s->counts->scheduled)
                                  .arg(s->counts->failed);
            }
            refreshStatus();
        });
}

void MainWindow::testSend(qint64 webhookId, const QString& eventType)
{
    const int row = m_webhooks->model()->rowOf(webhookId);
    const Webhook* w = m_webhooks->model()->webhookAt(row);
    if (!w)
        return;
    if (!m_testDialog) {
        m_testDialog = new TestSendDialog(this);
        m_testDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_testDialog->showPending(w->name, w->url);
    m_testDialog->show();
    m_testDialog->raise();
    QPointer<TestSendDialog> dialog = m_testDialog;
    m_ctx.storage->run<std::pair<Result<quint64>, TestSender*>>(
        this,
        [webhookId, eventType](StorageContext& c) {
            TestSender* sender = c.testSender();
            if (!sender)
                return std::pair<Result<quint64>, TestSender*>(Error::usage(QStringLiteral("no transport")), nullptr);
            return std::pair<Result<quint64>, TestSender*>(sender->send(webhookId, eventType), sender);
        },
        [this, dialog](std::pair<Result<quint64>, TestSender*> started) {
            if (started.second && !m_testSenderConnected) {
                m_testSenderConnected = true;
                connect(started.second, &TestSender::failed, this, [this](quint64, const QString& message) {
                    if (m_testDialog)
                        m_testDialog->showError(message);
                });
                connect(started.second, &TestSender::finished, this, [this](quint64, const TestSendResult& r) {
                    if (m_testDialog)
                        m_testDialog->showResult(r);
                    m_log->refresh({r.deliveryId});
                    m_webhooks->reload();
                });
            }
            if (!started.first && dialog)
                dialog->showError(started.first.error().message);
        });
}

void MainWindow::recoverFailed(qint64 webhookId)
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Recover Failed Deliveries"));
    auto* since = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-1), &dialog);
    since->setCalendarPopup(true);
    since->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    auto* form = new QFormLayout(&dialog);
    form->addRow(new QLabel(tr("Send every failed delivery of this webhook again, created since:"), &dialog));
    form->addRow(tr("Since"), since);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Recover"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const qint64 sinceMs = since->dateTime().toMSecsSinceEpoch();
    // Thousands of failed deliveries go in batches on a thread of their own, with progress and Cancel.
    auto* task = new BackgroundTask(
        m_ctx.storage->database(),
        DeliveryTasks::recoverFailed(m_ctx.storage->database(), m_ctx.storage->clock(), webhookId, sinceMs));
    TaskProgressDialog* progress =
        TaskProgressDialog::start(task, tr("Recover Failed Deliveries"), &DeliveryTasks::requeueProgress, this);
    connect(progress, &TaskProgressDialog::taskFinished, this, [this](const TaskOutcome& outcome) {
        statusBar()->showMessage(outcome.message, 8000);
        m_log->refresh();
        wakeEngine();
    });
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_ctx.storage, this);
    connect(&dialog, &SettingsDialog::teamSettingsSaved, this, [this] {
        if (m_engine)
            m_engine->reloadSettings();
        m_webhooks->reload(); // new webhooks get the new defaults
    });
    if (dialog.exec() == QDialog::Accepted)
        statusBar()->showMessage(tr("Settings saved. Team settings apply now; personal ones at the next start."), 8000);
}

void MainWindow::showAbout()
{
    AboutDialog dialog(m_ctx.databaseName, this);
    dialog.exec();
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        showNormal();
    show();
    raise();
    activateWindow();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/splitter"), m_splitter->saveState());
    event->accept();
}

} // namespace outhook::ui
