#pragma once

#include "model/Webhook.h"

#include <QHash>
#include <QObject>

class QSystemTrayIcon;
class QWidget;

namespace outhook::ui {

// Tells the user when a webhook was turned off automatically (failing too long, or 410 Gone), whichever
// process did it: it compares each reload of the webhook list (engine writes, the poll, PostgreSQL
// NOTIFY) with the one before. Shows a tray notification when the desktop has a tray; notified() is
// emitted either way, for the status bar.
class AutoDisableNotifier : public QObject
{
    Q_OBJECT
public:
    explicit AutoDisableNotifier(QWidget* window);

    // The current list. The first call only records; later calls report webhooks that were active (or
    // unknown) before and are now inactive with a disable reason.
    void update(const QList<Webhook>& webhooks);
    bool hasTray() const { return m_tray != nullptr; }
    QSystemTrayIcon* tray() const { return m_tray; }

Q_SIGNALS:
    void notified(const QString& message);

private:
    QWidget* m_window;
    QSystemTrayIcon* m_tray = nullptr;
    QHash<qint64, QString> m_reasons; // webhook id -> disabled reason ("" while active)
    bool m_seeded = false;
};

} // namespace outhook::ui
