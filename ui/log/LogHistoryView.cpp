#include "log/LogHistoryView.h"

#include "delivery/CurlCommand.h"
#include "log/AttemptDetailView.h"
#include "log/DeliveryLogModel.h"
#include "log/LogFilterBar.h"
#include "storage/DeliveryQueue.h"
#include "storage/StorageWorker.h"
#include "tasks/DeliveryTasks.h"
#include "tasks/TaskProgressDialog.h"
#include "widgets/FileDialog.h"

#include <QAction>
#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QSet>
#include <QSplitter>
#include <QStandardPaths>
#include <QTreeView>
#include <QVBoxLayout>

namespace outhook::ui {

LogHistoryView::LogHistoryView(StorageWorker* storage, QWidget* parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_model(new DeliveryLogModel(storage, this))
    , m_filterBar(new LogFilterBar(this))
    , m_tree(new QTreeView(this))
    , m_detail(new AttemptDetailView(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_footer(new QLabel(this))
{
    m_resend = new QAction(QIcon(QStringLiteral(":/icons/resend.svg")), tr("&Resend"), this);
    m_resend->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_resend->setToolTip(tr("Queue the delivery again now, with the same payload"));
    m_copyCurl = new QAction(QIcon(QStringLiteral(":/icons/copy.svg")), tr("Copy as c&URL"), this);
    m_copyCurl->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyCurl->setToolTip(tr("Copy a curl command that repeats this request (secrets stay redacted)"));
    m_copyPayload = new QAction(tr("Copy &Payload"), this);
    m_copyPayload->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_refresh = new QAction(tr("Re&load Log"), this);
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_find = new QAction(tr("&Search Log"), this);
    m_find->setShortcut(QKeySequence::Find);
    m_export = new QAction(tr("&Export…"), this);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_export->setToolTip(tr("Save the selected deliveries, or all that match the filters, as HAR, CSV or "
                            "JSON Lines (secrets redacted)"));
    for (QAction* a : {m_resend, m_copyCurl, m_copyPayload, m_export, m_refresh, m_find})
        addAction(a);

    m_tree->setModel(m_model);
    m_tree->setAccessibleName(tr("Deliveries"));
    m_tree->setUniformRowHeights(true); // lets the view skip measuring every row of a long log
    // The next page only when the bottom is within a screenful: scrolling or End gets more rows, a
    // relayout alone does not.
    m_model->setFetchGate([tree = m_tree] {
        const QScrollBar* bar = tree->verticalScrollBar();
        return bar->maximum() - bar->value() <= bar->pageStep();
    });
    m_tree->setRootIsDecorated(true);
    m_tree->setItemsExpandable(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection); // Shift/Ctrl pick rows to resend or export
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAction* a : {m_resend, m_copyCurl, m_copyPayload, m_export})
        m_tree->addAction(a);
    // Fixed starting widths: measuring contents would read every loaded row.
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setHighlightSections(false);
    const std::pair<int, int> widths[] = {
        {DeliveryLogModel::IdColumn, 120},       {DeliveryLogModel::TimeColumn, 150},
        {DeliveryLogModel::EventColumn, 140},    {DeliveryLogModel::UrlColumn, 250},
        {DeliveryLogModel::ResponseColumn, 170}, {DeliveryLogModel::AttemptsColumn, 70}};
    for (const auto& [column, width] : widths)
        m_tree->setColumnWidth(column, width);

    m_footer->setForegroundRole(QPalette::PlaceholderText);
    m_footer->setAccessibleName(tr("Log status"));
    m_footer->setContentsMargins(6, 2, 6, 2);

    auto* list = new QWidget(this);
    auto* listLayout = new QVBoxLayout(list);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->setSpacing(0);
    listLayout->addWidget(m_tree, 1);
    listLayout->addWidget(m_footer);
    m_splitter->addWidget(list);
    m_splitter->addWidget(m_detail);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({440, 300}); // the log gets the room; the size hints would favour the detail pane

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_splitter, 1);

    connect(m_filterBar, &LogFilterBar::filterChanged, this, &LogHistoryView::applyFilter);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showDetails(selectedIndex());
        updateActions();
    });
    // Enter (or a double click) opens the row: details shown, focus in them, for use without a mouse.
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex& index) {
        showDetails(index);
        m_detail->focusContent();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                // A live update of the delivery on display: show its new state.
                const QModelIndex shown = m_model->indexOfDelivery(m_shownDeliveryId);
                if (shown.isValid() && !topLeft.parent().isValid() && shown.row() >= topLeft.row() &&
                    shown.row() <= bottomRight.row())
                    showDetails(shown);
                updateActions();
            });
    connect(m_model, &DeliveryLogModel::loadFailed, this, [this](const QString& message) {
        m_lastError = message;
        updateFooter();
        Q_EMIT statusMessage(tr("Could not read the delivery log: %1").arg(message));
    });
    connect(m_model, &DeliveryLogModel::loadingChanged, this, &LogHistoryView::updateFooter);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LogHistoryView::updateFooter);
    connect(m_model, &QAbstractItemModel::modelReset, this, &LogHistoryView::updateFooter);
    connect(m_resend, &QAction::triggered, this, &LogHistoryView::resendSelected);
    connect(m_copyCurl, &QAction::triggered, this, &LogHistoryView::copyCurl);
    connect(m_copyPayload, &QAction::triggered, this, &LogHistoryView::copyPayload);
    connect(m_refresh, &QAction::triggered, this, [this] { applyFilter(m_filterBar->filter()); });
    connect(m_find, &QAction::triggered, m_filterBar, &LogFilterBar::focusSearch);
    connect(m_export, &QAction::triggered, this, &LogHistoryView::exportDeliveries);

    updateActions();
    applyFilter(m_filterBar->filter());
}

void LogHistoryView::setWebhookFilterChoices(const QList<QPair<qint64, QString>>& webhooks)
{
    m_filterBar->setWebhooks(webhooks);
}

void LogHistoryView::setEventTypes(const QStringList& types)
{
    m_filterBar->setEventTypes(types);
}

void LogHistoryView::refresh(const QList<qint64>& changed)
{
    m_model->refresh(changed);
}

void LogHistoryView::applyFilter(const DeliveryFilter& filter)
{
    ++m_detailRequest;
    m_shownDeliveryId = 0;
    m_lastError.clear();
    m_detail->clear();
    m_model->setFilter(filter);
    updateActions();
}

QModelIndex LogHistoryView::selectedIndex() const
{
    // With several rows selected, the one the user last clicked is the one the detail pane shows.
    const QModelIndex current = m_tree->currentIndex().siblingAtColumn(0);
    if (current.isValid() && m_tree->selectionModel()->isRowSelected(current.row(), current.parent()))
        return current;
    return m_tree->selectionModel()->selectedRows().value(0);
}

void LogHistoryView::showDetails(const QModelIndex& index)
{
    const quint64 request = ++m_detailRequest;
    m_shownDeliveryId = 0;
    if (const auto attempt = m_model->attemptAt(index)) {
        m_detail->showAttempt(*attempt);
        return;
    }
    const auto delivery = m_model->deliveryAt(index);
    if (!delivery) {
        m_detail->clear();
        return;
    }
    m_shownDeliveryId = delivery->id;
    // The list holds no payloads (they can be 256 KiB each); the selected one is read on demand.
    m_storage->run<Result<Delivery>>(
        this, [id = delivery->id](StorageContext& c) { return c.log->get(id); },
        [this, request](Result<Delivery> d) {
            if (request != m_detailRequest)
                return;
            if (!d) {
                m_detail->clear();
                Q_EMIT statusMessage(d.error().message);
                return;
            }
            m_detail->showDelivery(*d);
        });
}

QList<qint64> LogHistoryView::selectedDeliveryIds() const
{
    QSet<qint64> unique;
    for (const QModelIndex& index : m_tree->selectionModel()->selectedRows()) {
        if (const qint64 id = index.data(DeliveryLogModel::DeliveryIdRole).toLongLong(); id > 0)
            unique.insert(id);
    }
    QList<qint64> ids(unique.begin(), unique.end());
    std::sort(ids.begin(), ids.end(), std::greater<>());
    return ids;
}

TaskProgressDialog* LogHistoryView::taskDialog() const
{
    return m_taskDialog;
}

void LogHistoryView::resendSelected()
{
    const QList<qint64> ids = selectedDeliveryIds();
    if (ids.size() == 1)
        resendOne(ids.first());
    else if (ids.size() > 1)
        resendMany(ids);
}

void LogHistoryView::resendOne(qint64 id)
{
    m_storage->run<Status>(
        this, [id](StorageContext& c) { return c.queue->resend(id); },
        [this, id](Status s) {
            if (!s) {
                Q_EMIT statusMessage(tr("Could not resend delivery %1: %2").arg(id).arg(s.error().message));
                return;
            }
            Q_EMIT statusMessage(tr("Delivery %1 queued for resend").arg(id));
            Q_EMIT resendRequested(id);
            m_model->refresh({id});
        });
}

void LogHistoryView::resendMany(const QList<qint64>& ids)
{
    auto* task = new BackgroundTask(m_storage->database(),
                                    DeliveryTasks::resend(m_storage->database(), m_storage->clock(), ids));
    TaskProgressDialog* dialog =
        startTask(task, tr("Resend %1 Deliveries").arg(ids.size()), &DeliveryTasks::requeueProgress);
    connect(dialog, &TaskProgressDialog::taskFinished, this, [this, ids](const TaskOutcome& outcome) {
        Q_EMIT statusMessage(outcome.message);
        Q_EMIT deliveriesRequeued();
        m_model->refresh(ids);
    });
}

TaskProgressDialog* LogHistoryView::startTask(BackgroundTask* task, const QString& title,
                                              std::function<QString(qint64, qint64)> progressText)
{
    m_taskDialog = TaskProgressDialog::start(task, title, std::move(progressText), this);
    return m_taskDialog;
}

void LogHistoryView::exportDeliveries()
{
    const QList<qint64> ids = selectedDeliveryIds();
    const DeliveryFilter filter = m_model->filter();
    const QString har = tr("HAR archive (*.har)");
    const QString csv = tr("CSV spreadsheet (*.csv)");
    const QString jsonl = tr("JSON Lines (*.jsonl)");
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString suggested =
        QDir(dir).filePath(QStringLiteral("outhook-deliveries-%1.har")
                               .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))));
    QString chosenFilter = har;
    QString path =
        FileDialog::getSaveFileName(this,
                                    ids.isEmpty()     ? tr("Export Deliveries Matching the Filters")
                                    : ids.size() == 1 ? tr("Export Delivery %1").arg(ids.first())
                                                      : tr("Export %1 Selected Deliveries").arg(ids.size()),
                                    suggested, QStringList{har, csv, jsonl}.join(QStringLiteral(";;")), &chosenFilter);
    if (path.isEmpty())
        return;
    // The file name's suffix decides; without a known one, the chosen filter does (and adds the suffix).
    std::optional<ExportFormat> format = exportFormatForFileName(path);
    if (!format) {
        format = chosenFilter == csv     ? ExportFormat::Csv
                 : chosenFilter == jsonl ? ExportFormat::Jsonl
                                         : ExportFormat::Har;
        path += QLatin1Char('.') + exportFormatSuffix(*format);
    }
    auto* task = new BackgroundTask(m_storage->database(),
                                    DeliveryTasks::exportDeliveries(m_storage->database(), path, *format, ids, filter));
    TaskProgressDialog* dialog = startTask(task, tr("Export Deliveries"), &DeliveryTasks::exportProgress);
    connect(dialog, &TaskProgressDialog::taskFinished, this,
            [this](const TaskOutcome& outcome) { Q_EMIT statusMessage(outcome.message); });
}

void LogHistoryView::copyCurl()
{
    const QModelIndex index = selectedIndex();
    if (!index.isValid())
        return;
    const qint64 id = index.data(DeliveryLogModel::DeliveryIdRole).toLongLong();
    std::optional<Attempt> attempt = m_model->attemptAt(index);
    if (!attempt) {
        // The latest attempt, when the delivery's attempts are already loaded.
        const int loaded = m_model->rowCount(index);
        if (loaded > 0)
            attempt = m_model->attemptAt(m_model->index(loaded - 1, 0, index));
    }
    m_storage->run<Result<QString>>(
        this,
        [id, attempt](StorageContext& c) -> Result<QString> {
            const auto delivery = c.log->get(id);
            if (!delivery)
                return delivery.error();
            if (attempt)
                return curlCommand(*attempt, delivery->payload);
            const auto attempts = c.log->attempts(id);
            if (!attempts)
                return attempts.error();
            if (attempts->isEmpty())
                return Error::notFound(tr("Delivery %1 has no attempts yet: nothing to copy").arg(id));
            return curlCommand(attempts->last(), delivery->payload);
        },
        [this](Result<QString> command) {
            if (!command) {
                Q_EMIT statusMessage(command.error().message);
                return;
            }
            QGuiApplication::clipboard()->setText(*command);
            Q_EMIT statusMessage(tr("Copied a cURL command; redacted secrets must be filled in before running it"));
        });
}

void LogHistoryView::copyPayload()
{
    const QModelIndex index = selectedIndex();
    if (!index.isValid())
        return;
    const qint64 id = index.data(DeliveryLogModel::DeliveryIdRole).toLongLong();
    m_storage->run<Result<Delivery>>(
        this, [id](StorageContext& c) { return c.log->get(id); },
        [this, id](Result<Delivery> d) {
            if (!d) {
                Q_EMIT statusMessage(d.error().message);
                return;
            }
            // The exact bytes that were signed and sent, not the indented view.
            QGuiApplication::clipboard()->setText(QString::fromUtf8(d->payload));
            Q_EMIT statusMessage(tr("Copied the payload of delivery %1").arg(id));
        });
}

void LogHistoryView::updateActions()
{
    const QModelIndex index = selectedIndex();
    const bool has = index.isValid();
    const auto delivery = m_model->deliveryAt(index);
    const qsizetype selected = has ? selectedDeliveryIds().size() : 0;
    m_resend->setEnabled(has);
    m_resend->setText(selected > 1 ? tr("&Resend %1 Selected").arg(selected) : tr("&Resend"));
    m_copyCurl->setEnabled(has && (!delivery || delivery->attemptCount > 0));
    m_copyPayload->setEnabled(has);
}

void LogHistoryView::updateFooter()
{
    const int rows = m_model->rowCount();
    QString text;
    if (!m_lastError.isEmpty())
        text = tr("Could not read the log: %1").arg(m_lastError);
    else if (m_model->isLoading())
        text = rows == 0 ? tr("Loading…") : tr("Deliveries shown: %1 · loading more…").arg(rows);
    else if (rows == 0)
        text = tr("No deliveries match these filters.");
    else if (m_model->canFetchMore({}))
        text = tr("Deliveries shown: %1 · scroll down for older ones").arg(rows);
    else
        text = tr("Deliveries shown: %1").arg(rows);
    m_footer->setText(text);
}

} // namespace outhook::ui
