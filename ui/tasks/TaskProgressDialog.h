#pragma once

#include "tasks/BackgroundTask.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QPointer>
#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;

namespace outhook::ui {

// Shows a BackgroundTask: "Requeued 400 of 1,000 deliveries", a bar, the time left, and Cancel. Cancel
// asks the task to stop at its next batch boundary and says so; the dialog then shows how the task
// ended (exactly how many were done) and its button becomes Close. Modeless: the rest of the window
// keeps working while it runs.
class TaskProgressDialog : public QDialog
{
    Q_OBJECT
public:
    // `progressText(done, total)` words the count, e.g. tr("Requeued %1 of %2 deliveries").
    TaskProgressDialog(BackgroundTask* task, const QString& title,
                       std::function<QString(qint64 done, qint64 total)> progressText, QWidget* parent = nullptr);

    // Shows a dialog for `task` over `parent`'s window and starts the task. The dialog deletes itself
    // (and the task, which it takes over) when closed after the end.
    static TaskProgressDialog* start(BackgroundTask* task, const QString& title,
                                     std::function<QString(qint64 done, qint64 total)> progressText, QWidget* parent);

    QPushButton* cancelButton() const { return m_button; }
    QProgressBar* progressBar() const { return m_bar; }
    QString countText() const;
    QString etaText() const;
    bool isFinished() const { return m_finished; }
    const TaskOutcome& outcome() const { return m_outcome; }

    // "About 2 min left" from what was done in `elapsedMs`; empty until there is something to go by.
    static QString estimate(qint64 done, qint64 total, qint64 elapsedMs);

Q_SIGNALS:
    void taskFinished(const outhook::ui::TaskOutcome& outcome);

protected:
    void reject() override; // Esc and the window's close button cancel first, like the Cancel button

private:
    void onProgress(qint64 done, qint64 total);
    void onFinished(const TaskOutcome& outcome);
    void onButton();

    QPointer<BackgroundTask> m_task;
    std::function<QString(qint64, qint64)> m_progressText;
    QLabel* m_count;
    QLabel* m_eta;
    QProgressBar* m_bar;
    QPushButton* m_button;
    QElapsedTimer m_elapsed;
    bool m_finished = false;
    TaskOutcome m_outcome;
};

} // namespace outhook::ui
