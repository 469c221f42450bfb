#include "AutoDisableNotifier.h"

#include <QMenu>
#include <QSystemTrayIcon>
#include <QWidget>

namespace outhook::ui {

AutoDisableNotifier::AutoDisableNotifier(QWidget* window)
    : QObject(window)
    , m_window(window)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/outhook.svg")), this);
    m_tray->setToolTip(tr("Outhook"));
    auto* menu = new QMenu(window);
    menu->addAction(tr("&Show Outhook"), window, [window] {
        window->showNormal();
        window->raise();
        window->activateWindow();
    });
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, window, [window](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            window->showNormal();
            window->raise();
            window->activateWindow();
        }
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, window, [window] {
        window->showNormal();
        window->raise();
    });
    m_tray->show();
}

void AutoDisableNotifier::update(const QList<Webhook>& webhooks)
{
    QStringList lines;
    QHash<qint64, QString> now;
    for (const Webhook& w : webhooks) {
        const QString reason = w.isActive ? QString() : w.disabledReason;
        now.insert(w.id, reason);
        const auto before = m_reasons.constFind(w.id);
        const bool wasOn = before != m_reasons.constEnd() && before->isEmpty();
        if (m_seeded && wasOn && !reason.isEmpty())
            lines << tr("\"%1\" was turned off: %2").arg(w.name, reason);
    }
    m_reasons = now;
    m_seeded = true;
    if (lines.isEmpty())
        return;
    const QString message = lines.join(QLatin1Char('\n'));
    if (m_tray)
        m_tray->showMessage(tr("Webhook turned off automatically"), message, QSystemTrayIcon::Warning, 15000);
    Q_EMIT notified(message);
}

} // namespace outhook::ui
