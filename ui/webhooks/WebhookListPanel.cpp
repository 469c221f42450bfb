#include "webhooks/WebhookListPanel.h"

#include "storage/EventCatalog.h"
#include "storage/SettingsStore.h"
#include "storage/StorageWorker.h"
#include "storage/WebhookStore.h"
#include "webhooks/ActiveToggleDelegate.h"
#include "webhooks/WebhookEditor.h"
#include "webhooks/WebhookListModel.h"
#include "widgets/MessageBox.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

namespace outhook::ui {

WebhookListPanel::WebhookListPanel(StorageWorker* storage, QWidget* parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_model(new WebhookListModel(this))
    , m_table(new QTableView(this))
    , m_empty(new QLabel(this))
{
    m_new = new QAction(QIcon(QStringLiteral(":/icons/add.svg")), tr("&New Webhook…"), this);
    m_new->setShortcut(QKeySequence::New);
    m_edit = new QAction(QIcon(QStringLiteral(":/icons/edit.svg")), tr("&Edit…"), this);
    m_edit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_duplicate = new QAction(QIcon(QStringLiteral(":/icons/copy.svg")), tr("D&uplicate…"), this);
    m_duplicate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_delete = new QAction(QIcon(QStringLiteral(":/icons/delete.svg")), tr("&Delete"), this);
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_testSend = new QAction(QIcon(QStringLiteral(":/icons/send.svg")), tr("&Test Send"), this);
    m_testSend->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_testSend->setToolTip(tr("Send the sample payload of the webhook's first event type now"));
    m_recover = new QAction(tr("&Recover Failed Since…"), this);

    auto* toolbar = new QToolBar(this);
    toolbar->setIconSize(QSize(16, 16));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(m_new);
    toolbar->addAction(m_edit);
    toolbar->addAction(m_testSend);
    toolbar->addAction(m_delete);

    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(WebhookListModel::Active, new ActiveToggleDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 14);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->setColumnWidth(WebhookListModel::Name, 130);
    m_table->setColumnWidth(WebhookListModel::Url, 160);
    // Wide enough for "88 events" in the current language ("88 Ereignisse", "88 événements").
    const int eventsText = m_table->fontMetrics().horizontalAdvance(WebhookListModel::tr("%1 events").arg(88));
    m_table->setColumnWidth(WebhookListModel::Events, std::max(70, eventsText + 16));
    m_table->setColumnWidth(WebhookListModel::Active, 80);
    m_table->setColumnWidth(WebhookListModel::LastResult, 150);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->setAccessibleName(tr("Webhooks"));
    for (QAction* a : {m_edit, m_duplicate, m_testSend, m_recover, m_delete})
        m_table->addAction(a);

    m_empty->setText(tr("No webhooks yet. Click <b>New Webhook</b> to add the first endpoint."));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(toolbar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_empty, 1);

    connect(m_new, &QAction::triggered, this, &WebhookListPanel::createWebhook);
    connect(m_edit, &QAction::triggered, this, [this] { editSelected(false); });
    connect(m_duplicate, &QAction::triggered, this, [this] { editSelected(true); });
    connect(m_delete, &QAction::triggered, this, &WebhookListPanel::deleteSelected);
    connect(m_testSend, &QAction::triggered, this, [this] {
        if (const auto w = selectedWebhook())
            Q_EMIT testSendRequested(w->id);
    });
    connect(m_recover, &QAction::triggered, this, [this] {
        if (const auto w = selectedWebhook())
            Q_EMIT recoverRequested(w->id);
    });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.column() != WebhookListModel::Active)
            editSelected(false);
    });
    connect(m_model, &WebhookListModel::activeToggleRequested, this, &WebhookListPanel::setActive);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &WebhookListPanel::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &WebhookListPanel::updateActions);
    updateActions();

    m_storage->run<Result<QList<EventType>>>(
        this, [](StorageContext& c) { return c.catalog->list(); },
        [this](Result<QList<EventType>> types) {
            if (types)
                m_eventTypes = *types;
            else
                Q_EMIT statusMessage(types.error().message);
        });
    reload();
}

std::optional<Webhook> WebhookListPanel::selectedWebhook() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    const Webhook* w = m_model->webhookAt(rows.first().row());
    return w ? std::optional<Webhook>(*w) : std::nullopt;
}

void WebhookListPanel::reload()
{
    // New webhooks start with the team's default retry schedule and timeout (Settings → Team).
    m_storage->run<Result<TeamSettings>>(
        this, [](StorageContext& c) { return SettingsStore(c.db, c.clock).load(); },
        [this](Result<TeamSettings> team) {
            if (team)
                m_newWebhookDefaults = team->newWebhook();
        });
    m_storage->run<Result<QList<Webhook>>>(
        this, [](StorageContext& c) { return c.webhooks->list(); },
        [this](Result<QList<Webhook>> all) {
            if (!all) {
                Q_EMIT statusMessage(all.error().message);
                return;
            }
            const auto selected = selectedWebhook();
            // Counters change on every delivery: update rows in place so selection and scroll stay put.
            QSet<qint64> ids;
            for (const Webhook& w : *all) {
                ids.insert(w.id);
                m_model->upsert(w);
            }
            for (int row = m_model->rowCount() - 1; row >= 0; --row) {
                if (!ids.contains(m_model->webhookAt(row)->id))
                    m_model->removeWebhook(m_model->webhookAt(row)->id);
            }
            m_table->setVisible(m_model->rowCount() > 0);
            m_empty->setVisible(m_model->rowCount() == 0);
            if (!selected && m_model->rowCount() > 0 && !m_table->selectionModel()->hasSelection())
                m_table->selectRow(0);
            updateActions();
            Q_EMIT webhooksChanged();
        });
}

void WebhookListPanel::setEditingAllowed(bool allowed, const QString& why)
{
    m_editingAllowed = allowed;
    for (QAction* a : {m_new, m_edit, m_duplicate, m_delete})
        a->setToolTip(allowed ? QString() : why);
    updateActions();
}

void WebhookListPanel::updateActions()
{
    const bool has = selectedWebhook().has_value();
    m_new->setEnabled(m_editingAllowed);
    m_edit->setEnabled(has && m_editingAllowed);
    m_duplicate->setEnabled(has && m_editingAllowed);
    m_delete->setEnabled(has && m_editingAllowed);
    m_testSend->setEnabled(has);
    m_recover->setEnabled(has);
}

void WebhookListPanel::createWebhook()
{
    Webhook w = m_newWebhookDefaults;
    w.events.clear();
    showEditor(w);
}

void WebhookListPanel::editSelected(bool duplicate)
{
    auto w = selectedWebhook();
    if (!w || !m_editingAllowed)
        return;
    if (duplicate) {
        w->id = 0;
        w->name = tr("Copy of %1").arg(w->name);
        w->isActive = false;
        w->secret.clear();
    }
    showEditor(*w);
}

WebhookEditor* WebhookListPanel::openEditor() const
{
    return m_editor.data();
}

void WebhookListPanel::showEditor(const Webhook& w)
{
    auto* editor = new WebhookEditor(m_eventTypes, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    editor->setWindowTitle(w.id ? tr("Edit Webhook") : tr("New Webhook"));
    editor->setWebhook(w);
    // A QPointer, not a destroyed() handler: the editor is also destroyed as a child while this panel
    // is half destroyed itself, when a handler touching the panel would be undefined behaviour.
    m_editor = editor;
    connect(editor, &WebhookEditor::saveRequested, this, [this, editor](const Webhook& edited) {
        m_storage->run<Result<Webhook>>(
            editor,
            [edited](StorageContext& c) { return edited.id ? c.webhooks->update(edited) : c.webhooks->create(edited); },
            [this, editor](Result<Webhook> saved) {
                if (!saved) {
                    QString message = saved.error().message;
                    for (const FieldError& f : saved.error().fields)
                        message += QLatin1Char('\n') + f.field + QStringLiteral(": ") + f.message;
                    editor->onSaveFinished(false, message);
                    return;
                }
                m_model->upsert(*saved);
                m_table->selectRow(m_model->rowOf(saved->id));
                m_table->setVisible(true);
                m_empty->setVisible(false);
                editor->onSaveFinished(true, {});
                Q_EMIT statusMessage(tr("Saved webhook \"%1\"").arg(saved->name));
                Q_EMIT webhooksChanged();
            });
    });
    connect(editor, &WebhookEditor::rotateRequested, this, [this, editor](qint64 id, qint64 grace) {
        m_storage->run<Result<Webhook>>(
            editor, [id, grace](StorageContext& c) { return c.webhooks->rotateSecret(id, grace); },
            [this, editor](Result<Webhook> rotated) {
                if (!rotated) {
                    MessageBox::warning(editor, tr("Rotate Secret"), rotated.error().message);
                    return;
                }
                editor->setSecret(rotated->secret);
                m_model->upsert(*rotated);
                Q_EMIT statusMessage(
                    tr("New signing secret for \"%1\"; the old one stays valid during the grace period")
                        .arg(rotated->name));
            });
    });
    editor->open();
}

void WebhookListPanel::deleteSelected()
{
    const auto w = selectedWebhook();
    if (!w || !m_editingAllowed)
        return;
    const auto answer = MessageBox::question(
        this, tr("Delete Webhook"),
        tr("Delete \"%1\"?\n\nIts delivery history is deleted too. This cannot be undone.").arg(w->name),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    const qint64 id = w->id;
    const QString name = w->name;
    m_storage->run<Status>(
        this, [id](StorageContext& c) { return c.webhooks->remove(id); },
        [this, id, name](Status s) {
            if (!s) {
                MessageBox::warning(this, tr("Delete Webhook"), s.error().message);
                return;
            }
            m_model->removeWebhook(id);
            m_table->setVisible(m_model->rowCount() > 0);
            m_empty->setVisible(m_model->rowCount() == 0);
            Q_EMIT statusMessage(tr("Deleted webhook \"%1\"").arg(name));
            Q_EMIT webhooksChanged();
        });
}

void WebhookListPanel::setActive(qint64 id, bool active)
{
    if (!m_editingAllowed) {
        Q_EMIT statusMessage(tr("You may not change webhooks with this database account"));
        return;
    }
    m_storage->run<Result<Webhook>>(
        this, [id, active](StorageContext& c) { return c.webhooks->setActive(id, active); },
        [this](Result<Webhook> w) {
            if (!w) {
                MessageBox::warning(this, tr("Change Webhook"), w.error().message);
                return;
            }
            m_model->upsert(*w);
            Q_EMIT statusMessage(w->isActive ? tr("\"%1\" is on").arg(w->name) : tr("\"%1\" is off").arg(w->name));
            Q_EMIT webhooksChanged();
        });
}

} // namespace outhook::ui
