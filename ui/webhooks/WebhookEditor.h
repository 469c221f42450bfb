#pragma once

#include "model/EventType.h"
#include "model/Webhook.h"
#include "model/WebhookValidator.h"

#include <QDialog>
#include <QHash>
#include <QSet>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace outhook::ui {

class EventPicker;
class HeaderTableEditor;
class PasswordLineEdit;

// Creates or edits one webhook. Every change is run through WebhookValidator and each problem is shown
// under its field (once the user has touched it); Save is enabled only for a valid form. Saving is the
// caller's job: Save emits saveRequested and the dialog waits for onSaveFinished.
class WebhookEditor : public QDialog
{
    Q_OBJECT
public:
    // catalog: every event type (built-ins and registered), grouped by kind via EventType::kind.
    explicit WebhookEditor(QList<EventType> catalog, QWidget* parent = nullptr);
    ~WebhookEditor() override;

    // Edit mode when w.id != 0: shows the signing secret, and blank password/token fields mean "keep".
    void setWebhook(const Webhook& w);
    // The form's current value; id, secret and counters are kept from setWebhook.
    Webhook webhook() const;
    bool isValid() const;
    bool isEditMode() const { return m_original.id != 0; }
    // The inline message shown for a validator field name ("url", "auth.password"), empty when none.
    QString fieldMessage(const QString& field) const;

    QLineEdit* nameEdit() const { return m_name; }
    QLineEdit* urlEdit() const { return m_url; }
    QCheckBox* activeCheck() const { return m_active; }
    EventPicker* eventPicker() const { return m_events; }
    QComboBox* authCombo() const { return m_authCombo; }
    QLineEdit* usernameEdit() const { return m_username; }
    PasswordLineEdit* passwordEdit() const { return m_password; }
    PasswordLineEdit* tokenEdit() const { return m_token; }
    HeaderTableEditor* headerEditor() const { return m_headers; }
    QLineEdit* retryEdit() const { return m_retry; }
    QSpinBox* timeoutSpin() const { return m_timeout; }
    QGroupBox* secretGroup() const { return m_secretGroup; }
    // Masked and read-only; its eye action reveals the secret.
    PasswordLineEdit* secretEdit() const { return m_secret; }
    QPushButton* copySecretButton() const { return m_copySecret; }
    QPushButton* rotateButton() const { return m_rotate; }
    QLineEdit* graceEdit() const { return m_grace; }
    QPushButton* confirmRotateButton() const { return m_confirmRotate; }
    QLabel* secretStatusLabel() const { return m_secretStatus; }
    QPushButton* saveButton() const;
    QPushButton* cancelButton() const;
    QLabel* saveMessageLabel() const { return m_saveMessage; }

public Q_SLOTS:
    // ok → accept(); otherwise the message is shown in the dialog, which stays open.
    void onSaveFinished(bool ok, const QString& message);
    // After a rotation done by the caller.
    void setSecret(const QString& secret);

Q_SIGNALS:
    void saveRequested(const outhook::Webhook& webhook);
    void rotateRequested(qint64 webhookId, qint64 graceSeconds);

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Message
    {
        QLabel* label = nullptr;
        QWidget* field = nullptr;
        QFormLayout* form = nullptr;
    };

    QGroupBox* buildGeneral();
    QGroupBox* buildEvents();
    QGroupBox* buildAuth();
    QGroupBox* buildHeaders();
    QGroupBox* buildDelivery();
    QGroupBox* buildSecret();
    // Adds `field` under `label` with a hidden message row below it, keyed by the validator's field name.
    void addField(QFormLayout* form, const QString& label, QWidget* field, const QString& key);
    // A status line in the normal or the error colour; hidden while empty.
    void showStatus(QLabel* label, const QString& text, bool error);
    void touch(const QString& key);
    AuthConfig::Type authType() const;
    void onAuthTypeChanged();
    // The validator's findings plus what it cannot see: a retry schedule that does not parse.
    FieldErrors currentErrors() const;
    void revalidate();
    void showRotatePrompt(bool show);
    void confirmRotate();
    void onSaveClicked();

    QList<EventType> m_catalog;
    WebhookValidator m_validator;
    Webhook m_original;

    QLineEdit* m_name = nullptr;
    QLineEdit* m_url = nullptr;
    QCheckBox* m_active = nullptr;
    EventPicker* m_events = nullptr;
    QComboBox* m_authCombo = nullptr;
    QStackedWidget* m_authStack = nullptr;
    QLineEdit* m_username = nullptr;
    PasswordLineEdit* m_password = nullptr;
    PasswordLineEdit* m_token = nullptr;
    HeaderTableEditor* m_headers = nullptr;
    QLineEdit* m_retry = nullptr;
    QSpinBox* m_timeout = nullptr;
    QGroupBox* m_secretGroup = nullptr;
    PasswordLineEdit* m_secret = nullptr;
    QPushButton* m_copySecret = nullptr;
    QPushButton* m_rotate = nullptr;
    QWidget* m_rotatePrompt = nullptr;
    QLineEdit* m_grace = nullptr;
    QPushButton* m_confirmRotate = nullptr;
    QLabel* m_secretStatus = nullptr;
    QLabel* m_saveMessage = nullptr;
    QDialogButtonBox* m_buttons = nullptr;

    QHash<QString, Message> m_messages;
    QSet<QString> m_touched;
    QList<QFormLayout*> m_forms;
    bool m_loading = false;
    bool m_saving = false;
};

} // namespace outhook::ui
