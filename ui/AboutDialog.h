#pragma once

#include <QDialog>

class QTextBrowser;

namespace outhook::ui {

// Help → About: the version (OUTHOOK_VERSION), the database in use, the library versions and the
// licences of Outhook and of what it ships with (Qt, OpenSSL, libcurl).
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(const QString& databaseName, QWidget* parent = nullptr);

    QTextBrowser* licences() const { return m_licences; }
    static QString versionText(); // "Outhook 0.1.0"

private:
    QTextBrowser* m_licences;
};

} // namespace outhook::ui
