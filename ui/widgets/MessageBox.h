#pragma once

#include <QMessageBox>
#include <optional>

namespace outhook::ui {

// Every question the UI asks goes through here, so tests can give the next answer instead of a modal
// dialog nobody can click (see keepassxc's MessageBox seam).
class MessageBox
{
public:
    static QMessageBox::StandardButton question(QWidget* parent, const QString& title, const QString& text,
                                                QMessageBox::StandardButtons buttons,
                                                QMessageBox::StandardButton defaultButton);
    static void warning(QWidget* parent, const QString& title, const QString& text);
    // The answer the next question() returns without showing anything (tests only).
    static void setNextAnswer(QMessageBox::StandardButton answer);
    // The last text shown or answered, for tests.
    static QString lastText();

private:
    static std::optional<QMessageBox::StandardButton> s_nextAnswer;
    static QString s_lastText;
};

} // namespace outhook::ui
