#pragma once

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QLabel;

namespace outhook::ui {

// Personal settings kept in QSettings: which database to open and whether this app runs the engine.
// Both apply at the next start; --db and --no-engine override them.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    static QString databaseUrl(); // empty: the default file
    static bool runEngineInProcess();

private:
    void save();

    QLineEdit* m_url;
    QCheckBox* m_engine;
    QLabel* m_error;
};

} // namespace outhook::ui
