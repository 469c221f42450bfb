#pragma once

#include "settings/FieldMessages.h"
#include "settings/PersonalSettings.h"

#include <QWidget>
#include <functional>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace outhook::ui {

// Settings → Network: extra trusted CA files and the private ranges this app's engine may send to.
// Personal (QSettings): file paths belong to this machine. Applies at the next start; the --ca-file and
// --allow-destination flags add to these.
class NetworkPage : public QWidget
{
    Q_OBJECT
public:
    explicit NetworkPage(QWidget* parent = nullptr);

    void load(const PersonalSettings& s);
    void store(PersonalSettings& s) const;
    FieldMessages& messages() { return m_messages; }

    // The file picker; tests replace it. Returns the chosen files (empty: cancelled).
    using FilePicker = std::function<QStringList(QWidget*)>;
    void setFilePicker(FilePicker picker) { m_picker = std::move(picker); }

    QListWidget* caList() const { return m_caFiles; }
    QPushButton* addCaButton() const { return m_addCa; }
    QPushButton* removeCaButton() const { return m_removeCa; }
    QListWidget* destinationList() const { return m_destinations; }
    QLineEdit* destinationEdit() const { return m_destinationEdit; }
    QPushButton* addDestinationButton() const { return m_addDestination; }
    QPushButton* removeDestinationButton() const { return m_removeDestination; }
    QLabel* warning() const { return m_warning; }

private:
    void addCaFiles();
    void addDestination();
    void updateButtons();

    QListWidget* m_caFiles;
    QPushButton* m_addCa;
    QPushButton* m_removeCa;
    QListWidget* m_destinations;
    QLineEdit* m_destinationEdit;
    QPushButton* m_addDestination;
    QPushButton* m_removeDestination;
    QLabel* m_warning;
    FieldMessages m_messages;
    FilePicker m_picker;
};

} // namespace outhook::ui
