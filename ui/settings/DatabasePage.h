#pragma once

#include "settings/FieldMessages.h"
#include "settings/PersonalSettings.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace outhook::ui {

class ConnectionTester;

// Settings → Database: where the database is, "Test connection", and the SQLite durability mode.
// Personal (QSettings); applies at the next start.
class DatabasePage : public QWidget
{
    Q_OBJECT
public:
    explicit DatabasePage(QWidget* parent = nullptr);

    void load(const PersonalSettings& s);
    void store(PersonalSettings& s) const;
    FieldMessages& messages() { return m_messages; }

    QLineEdit* urlEdit() const { return m_url; }
    QPushButton* testButton() const { return m_test; }
    QLabel* testResult() const { return m_result; }
    QComboBox* durabilityCombo() const { return m_durability; }
    ConnectionTester* tester() const { return m_tester; }

private:
    void startTest();
    void showResult(bool ok, const QString& message);

    QLineEdit* m_url;
    QPushButton* m_test;
    QLabel* m_result;
    QComboBox* m_durability;
    ConnectionTester* m_tester;
    FieldMessages m_messages;
};

} // namespace outhook::ui
