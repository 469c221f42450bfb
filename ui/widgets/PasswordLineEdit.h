#pragma once

#include <QLineEdit>

class QAction;

namespace outhook::ui {

// A line edit for secrets: masked by default, with a trailing eye action that shows and hides the text.
class PasswordLineEdit : public QLineEdit
{
    Q_OBJECT
public:
    explicit PasswordLineEdit(QWidget* parent = nullptr);

    bool isRevealed() const { return echoMode() == QLineEdit::Normal; }
    // The checkable eye action; its button is reachable through QAction::associatedObjects() in tests.
    QAction* revealAction() const { return m_reveal; }

public Q_SLOTS:
    void setRevealed(bool revealed);

Q_SIGNALS:
    void revealedChanged(bool revealed);

private:
    void updateAction();

    QAction* m_reveal;
};

} // namespace outhook::ui
