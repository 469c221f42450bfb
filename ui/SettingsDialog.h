#pragma once

#include "settings/PersonalSettings.h"
#include "storage/SettingsStore.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QPushButton;
class QTabWidget;

namespace outhook {
class StorageWorker;
}

namespace outhook::ui {

class DatabasePage;
class GeneralPage;
class NetworkPage;
class TeamPage;

// Settings, in four tabs. General, Database and Network are personal (QSettings, next start); Team is
// stored in the database for everyone (SettingsStore, at once). Save validates every page first: any bad
// value gets an inline message naming its field, its tab comes to the front, and nothing is saved.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    // `storage` may be null (no database open): the Team tab then stays disabled.
    explicit SettingsDialog(StorageWorker* storage, QWidget* parent = nullptr);

    static QString databaseUrl(); // empty: the default file
    static bool runEngineInProcess();

    QTabWidget* tabs() const { return m_tabs; }
    GeneralPage* generalPage() const { return m_general; }
    DatabasePage* databasePage() const { return m_database; }
    NetworkPage* networkPage() const { return m_network; }
    TeamPage* teamPage() const { return m_team; }
    QPushButton* saveButton() const;
    QLabel* errorLabel() const { return m_error; }

Q_SIGNALS:
    // The database now holds these team settings (emitted before the dialog closes).
    void teamSettingsSaved(const outhook::TeamSettings& settings);

private:
    void save();
    void finishSave(const PersonalSettings& personal);
    void showError(const QString& message);

    StorageWorker* m_storage;
    QTabWidget* m_tabs;
    GeneralPage* m_general;
    DatabasePage* m_database;
    NetworkPage* m_network;
    TeamPage* m_team;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
    bool m_saving = false;
};

} // namespace outhook::ui
