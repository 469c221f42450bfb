#pragma once

#include "settings/FieldMessages.h"
#include "storage/SettingsStore.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace outhook::ui {

// Settings → Team: values stored in the database and used by every app and engine on it: the default
// retry schedule and timeout of new webhooks, the auto-disable period and the response body cap.
// They apply at once (engines re-read them within 30 s; this app's own engine at once).
class TeamPage : public QWidget
{
    Q_OBJECT
public:
    explicit TeamPage(QWidget* parent = nullptr);

    // Shows the values in force (defaults where unset) and enables the fields.
    void load(const TeamSettings& s);
    void showLoadError(const QString& message);
    bool isLoaded() const { return m_loaded; }
    // What the fields say. Fields that do not parse come back in `errors`, named like SettingsStore's.
    TeamSettings values(FieldErrors* errors) const;
    // True when the fields differ from what was loaded (only then does saving write the database).
    bool isChanged() const;
    FieldMessages& messages() { return m_messages; }

    QLineEdit* retryEdit() const { return m_retry; }
    QSpinBox* timeoutSpin() const { return m_timeout; }
    QLineEdit* autoDisableEdit() const { return m_autoDisable; }
    QSpinBox* bodyCapSpin() const { return m_bodyCap; }
    QPushButton* defaultsButton() const { return m_defaults; }

private:
    void display(const TeamSettings& s);

    QLineEdit* m_retry;
    QSpinBox* m_timeout;
    QLineEdit* m_autoDisable;
    QSpinBox* m_bodyCap;
    QPushButton* m_defaults;
    QLabel* m_status;
    TeamSettings m_loadedValues;
    bool m_loaded = false;
    FieldMessages m_messages;
};

} // namespace outhook::ui
