#include "tasks/TaskProgressDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace outhook::ui {

TaskProgressDialog::TaskProgressDialog(BackgroundTask* task, const QString& title,
                                       std::function<QString(qint64, qint64)> progressText, QWidget* parent)
    : QDialog(parent)
    , m_task(task)
    , m_progressText(std::move(progressText))
    , m_count(new QLabel(this))
    , m_eta(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_button(new QPushButton(tr("Cancel"), this))
{
    setWindowTitle(title);
    // Modeless: the user keeps reading (and filtering) the log while a long task runs.
    setWindowModality(Qt::NonModal);
    setMinimumWidth(460);
    m_count->setText(tr("Starting…"));
    m_count->setAccessibleName(tr("Progress"));
    m_count->setWordWrap(true);
    m_eta->setForegroundRole(QPalette::PlaceholderText);
    m_eta->setAccessibleName(tr("Time left"));
    m_bar->setRange(0, 0); // busy until the first count arrives
    m_bar->setAccessibleName(title);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_button, QDialogButtonBox::RejectRole);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_count);
    layout->addWidget(m_bar);
    layout->addWidget(m_eta);
    layout->addWidget(buttons);
    connect(m_button, &QPushButton::clicked, this, &TaskProgressDialog::onButton);
    connect(task, &BackgroundTask::progressed, this, &TaskProgressDialog::onProgress);
    connect(task, &BackgroundTask::finished, this, &TaskProgressDialog::onFinished);
    m_elapsed.start();
}

TaskProgressDialog* TaskProgressDialog::start(BackgroundTask* task, const QString& title,
                                              std::function<QString(qint64, qint64)> progressText, QWidget* parent)
{
    auto* dialog = new TaskProgressDialog(task, title, std::move(progressText), parent ? parent->window() : nullptr);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    task->setParent(dialog); // while the task runs the dialog only cancels, it does not close
    dialog->show();
    task->start();
    return dialog;
}

QString TaskProgressDialog::countText() const
{
    return m_count->text();
}

QString TaskProgressDialog::etaText() const
{
    return m_eta->text();
}

QString TaskProgressDialog::estimate(qint64 done, qint64 total, qint64 elapsedMs)
{
    if (done <= 0 || total <= done || elapsedMs < 500)
        return {};
    const qint64 leftSeconds = (elapsedMs * (total - done) / done + 999) / 1000;
    if (leftSeconds < 60)
        return leftSeconds == 1 ? tr("About 1 second left") : tr("About %1 seconds left").arg(leftSeconds);
    if (leftSeconds < 3600)
        return tr("About %1 min left").arg((leftSeconds + 30) / 60);
    return tr("About %1 h left").arg((leftSeconds + 1800) / 3600);
}

void TaskProgressDialog::onProgress(qint64 done, qint64 total)
{
    if (m_finished)
        return;
    // QProgressBar holds ints; scale large counts down to per-mille.
    m_bar->setRange(0, 1000);
    m_bar->setValue(total > 0 ? int(done * 1000 / total) : 0);
    if (m_task && m_task->isCancelRequested())
        return; // keep saying "Cancelling…"
    m_count->setText(m_progressText(done, total));
    m_eta->setText(estimate(done, total, m_elapsed.elapsed()));
}

void TaskProgressDialog::onFinished(const TaskOutcome& outcome)
{
    m_finished = true;
    m_outcome = outcome;
    m_bar->setRange(0, 1000);
    m_bar->setValue(outcome.total > 0 ? int(outcome.done * 1000 / outcome.total) : 1000);
    m_count->setText(outcome.message);
    m_eta->clear();
    m_button->setText(tr("Close"));
    m_button->setEnabled(true);
    m_button->setDefault(true);
    adjustSize(); // the outcome may wrap onto more lines than the counts did
    Q_EMIT taskFinished(outcome);
}

void TaskProgressDialog::onButton()
{
    if (m_finished) {
        accept();
        return;
    }
    if (m_task)
        m_task->cancel();
    m_button->setEnabled(false);
    m_count->setText(tr("Cancelling after the current batch…"));
    m_eta->clear();
}

void TaskProgressDialog::reject()
{
    if (m_finished)
        QDialog::reject();
    else
        onButton();
}

} // namespace outhook::ui
