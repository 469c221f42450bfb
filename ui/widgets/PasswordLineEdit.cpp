#include "widgets/PasswordLineEdit.h"

#include <QAction>
#include <QFile>
#include <QIcon>
#include <QPainter>
#include <QPixmap>

namespace outhook::ui {

namespace {

// The SVGs ship in the ui resource; when that resource is not linked in (or the SVG plugin is missing)
// a drawn eye keeps the action visible and clickable instead of an invisible blank button.
QIcon eyeIcon(bool open)
{
    const QString path = open ? QStringLiteral(":/icons/eye.svg") : QStringLiteral(":/icons/eye-off.svg");
    if (QFile::exists(path)) {
        QIcon icon(path);
        if (!icon.pixmap(16, 16).isNull())
            return icon;
    }
    const QIcon themed = QIcon::fromTheme(open ? QStringLiteral("view-visible") : QStringLiteral("view-hidden"));
    if (!themed.isNull())
        return themed;
    QPixmap pm(24, 24);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(0x6b, 0x72, 0x80), 2));
    p.drawEllipse(QRectF(2, 6, 20, 12));
    p.drawEllipse(QRectF(9, 9, 6, 6));
    if (!open)
        p.drawLine(3, 3, 21, 21);
    return QIcon(pm);
}

} // namespace

PasswordLineEdit::PasswordLineEdit(QWidget* parent)
    : QLineEdit(parent)
    , m_reveal(new QAction(this))
{
    setEchoMode(QLineEdit::Password);
    m_reveal->setCheckable(true);
    addAction(m_reveal, QLineEdit::TrailingPosition);
    connect(m_reveal, &QAction::toggled, this, &PasswordLineEdit::setRevealed);
    updateAction();
}

void PasswordLineEdit::setRevealed(bool revealed)
{
    if (revealed == isRevealed())
        return;
    setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
    updateAction();
    Q_EMIT revealedChanged(revealed);
}

void PasswordLineEdit::updateAction()
{
    const bool revealed = isRevealed();
    const QSignalBlocker block(m_reveal);
    m_reveal->setChecked(revealed);
    // The icon shows what a click will do, as in most password fields.
    m_reveal->setIcon(eyeIcon(!revealed));
    m_reveal->setText(revealed ? tr("Hide") : tr("Show"));
    m_reveal->setToolTip(revealed ? tr("Hide the text") : tr("Show the text"));
}

} // namespace outhook::ui
