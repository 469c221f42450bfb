#pragma once

#include <QString>
#include <optional>

class QWidget;

namespace outhook::ui {

// Every file the UI asks the user for goes through here, so tests can name the file instead of facing
// a native dialog nobody can click (the same seam as MessageBox).
class FileDialog
{
public:
    // The chosen path, or empty when the user cancelled. `selectedFilter` in: the filter to preselect;
    // out: the filter the user chose.
    static QString getSaveFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter,
                                   QString* selectedFilter = nullptr);
    // What the next getSaveFileName returns without showing anything (tests only; empty = cancel).
    static void setNextSaveFileName(const QString& path);

private:
    static std::optional<QString> s_nextSaveFileName;
};

} // namespace outhook::ui
