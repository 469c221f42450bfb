#include "widgets/FileDialog.h"

#include <QFileDialog>

namespace outhook::ui {

std::optional<QString> FileDialog::s_nextSaveFileName;

QString FileDialog::getSaveFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter,
                                    QString* selectedFilter)
{
    if (s_nextSaveFileName) {
        const QString path = *s_nextSaveFileName;
        s_nextSaveFileName.reset();
        return path;
    }
    return QFileDialog::getSaveFileName(parent, caption, dir, filter, selectedFilter);
}

void FileDialog::setNextSaveFileName(const QString& path)
{
    s_nextSaveFileName = path;
}

} // namespace outhook::ui
