#include "webhooks/WebhookEditor.h"

#include "util/Time.h"
#include "webhooks/EventPicker.h"
#include "webhooks/HeaderTableEditor.h"
#include "widgets/PasswordLineEdit.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace outhook::ui {

namespace {

const QString kName = QStringLiteral("name");
const QString kUrl = QStringLiteral("url");
const QString kEvents = QStringLiteral("events");
const QString kUsername = QStringLiteral("auth.username");
const QString kPassword = QStringLiteral("auth.password");
const QString kToken = QStringLiteral("auth.token");
const QString kRetry = QStringLiteral("retry_schedule");
const QString kTimeout = QStringLiteral("timeout_seconds");

WebhookValidator::EventTypeCheck knownIn(const QList<EventType>& catalog)
{
    QSet<QString> names;
    for (const EventType& t : catalog)
        names.insert(t.name);
    return [names](const QString& name) { return names.contains(name); };
}

void setTextColor(QWidget* w, const QColor& color)
{
    QPalette pal = w->palette();
    pal.setColor(QPalette::WindowText, color);
    w->setPalette(pal);
}

QFormLayout* newForm(QWidget* parent)
{
    auto* form = new QFormLayout(parent);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    return form;
}

} // namespace

WebhookEditor::WebhookEditor(QList<EventType> catalog, QWidget* parent)
    : QDialog(parent)
    , m_catalog(std::move(catalog))
    , m_validator(knownIn(m_catalog))
{
    setWindowTitle(tr("New Webhook"));
    // Built in reading order (left column, then right), so the tab order follows the layout.
    auto* left = new QVBoxLayout;
    left->addWidget(buildGeneral());
    left->addWidget(buildEvents(), 1);
    auto* right = new QVBoxLayout;
    right->addWidget(buildAuth());
    right->addWidget(buildHeaders(), 1);
    right->addWidget(buildDelivery());
    right->addWidget(buildSecret());
    auto* columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    m_saveMessage = new QLabel(this);
    m_saveMessage->setObjectName(QStringLiteral("saveMessage"));
    m_saveMessage->setWordWrap(true);
    m_saveMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_saveMessage->setVisible(false);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    saveButton()->setObjectName(QStringLiteral("saveButton"));
    saveButton()->setAccessibleName(tr("Save webhook"));
    cancelButton()->setObjectName(QStringLiteral("cancelButton"));
    cancelButton()->setAccessibleName(tr("Cancel"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &WebhookEditor::onSaveClicked);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(m_saveMessage);
    layout->addWidget(m_buttons);

    // One label column width across every section, so the fields line up from group to group.
    QList<QWidget*> labels;
    for (QFormLayout* form : std::as_const(m_forms)) {
        for (int row = 0; row < form->rowCount(); ++row) {
            if (QLayoutItem* item = form->itemAt(row, QFormLayout::LabelRole); item && item->widget())
                labels.append(item->widget());
        }
    }
    int labelWidth = 0;
    for (QWidget* label : std::as_const(labels))
        labelWidth = std::max(labelWidth, label->sizeHint().width());
    for (QWidget* label : std::as_const(labels))
        label->setMinimumWidth(labelWidth);

    m_events->setCatalog(m_catalog);
    setWebhook(Webhook{});
    // Room for the event descriptions and header values without crowding; still inside 900x700.
    resize(sizeHint().expandedTo(QSize(880, 600)));
}

WebhookEditor::~WebhookEditor()
{
    // ~QDialog hides the window, which commits an open header cell editor; its change signal must not
    // reach this half-destroyed editor.
    disconnect(m_headers, nullptr, this, nullptr);
    disconnect(m_events, nullptr, this, nullptr);
}

QGroupBox* WebhookEditor::buildGeneral()
{
    auto* group = new QGroupBox(tr("General"), this);
    auto* form = newForm(group);
    m_name = new QLineEdit(group);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("e.g. CRM sync"));
    addField(form, tr("&Name"), m_name, kName);
    m_url = new QLineEdit(group);
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setPlaceholderText(tr("https://example.com/webhooks"));
    addField(form, tr("&URL"), m_url, kUrl);
    m_active = new QCheckBox(tr("&Active: deliver events to this endpoint"), group);
    m_active->setObjectName(QStringLiteral("activeCheck"));
    m_active->setAccessibleName(tr("Active"));
    form->addRow(QString(), m_active);
    return group;
}

QGroupBox* WebhookEditor::buildEvents()
{
    auto* group = new QGroupBox(tr("Events"), this);
    auto* layout = new QVBoxLayout(group);
    m_events = new EventPicker(group);
    m_events->setObjectName(QStringLiteral("eventPicker"));
    m_events->setAccessibleName(tr("Events"));
    auto* message = new QLabel(group);
    message->setWordWrap(true);
    message->setVisible(false);
    layout->addWidget(m_events, 1);
    layout->addWidget(message);
    m_messages.insert(kEvents, {message, m_events, nullptr});
    connect(m_events, &EventPicker::selectionChanged, this, [this] { touch(kEvents); });
    return group;
}

QGroupBox* WebhookEditor::buildAuth()
{
    auto* group = new QGroupBox(tr("Authentication"), this);
    auto* form = newForm(group);
    m_authCombo = new QComboBox(group);
    m_authCombo->setObjectName(QStringLiteral("authCombo"));
    m_authCombo->setAccessibleName(tr("Authentication type"));
    m_authCombo->addItem(tr("None"), int(AuthConfig::Type::None));
    m_authCombo->addItem(tr("Basic (user name and password)"), int(AuthConfig::Type::Basic));
    m_authCombo->addItem(tr("Bearer token"), int(AuthConfig::Type::Bearer));
    form->addRow(tr("&Type"), m_authCombo);
    m_forms.append(form);

    m_authStack = new QStackedWidget(group);
    form->addRow(m_authStack);
    auto page = [this](QWidget* stack) {
        auto* w = new QWidget(stack);
        auto* pageForm = newForm(w);
        pageForm->setContentsMargins(0, 0, 0, 0);
        m_forms.append(pageForm);
        return std::pair{w, pageForm};
    };

    auto [none, noneForm] = page(m_authStack);
    auto* note = new QLabel(tr("Requests carry only the signature headers."), none);
    note->setWordWrap(true);
    note->setEnabled(false);
    noneForm->addRow(new QLabel(none), note);

    auto [basic, basicForm] = page(m_authStack);
    m_username = new QLineEdit(basic);
    m_username->setObjectName(QStringLiteral("usernameEdit"));
    addField(basicForm, tr("User na&me"), m_username, kUsername);
    m_password = new PasswordLineEdit(basic);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    addField(basicForm, tr("&Password"), m_password, kPassword);

    auto [bearer, bearerForm] = page(m_authStack);
    m_token = new PasswordLineEdit(bearer);
    m_token->setObjectName(QStringLiteral("tokenEdit"));
    addField(bearerForm, tr("To&ken"), m_token, kToken);

    for (QWidget* w : {none, basic, bearer})
        m_authStack->addWidget(w);
    connect(m_authCombo, &QComboBox::currentIndexChanged, this, &WebhookEditor::onAuthTypeChanged);
    return group;
}

QGroupBox* WebhookEditor::buildHeaders()
{
    auto* group = new QGroupBox(tr("Custom headers"), this);
    auto* layout = new QVBoxLayout(group);
    m_headers = new HeaderTableEditor(group);
    m_headers->setObjectName(QStringLiteral("headerEditor"));
    layout->addWidget(m_headers);
    connect(m_headers, &HeaderTableEditor::changed, this, &WebhookEditor::revalidate);
    return group;
}

QGroupBox* WebhookEditor::buildDelivery()
{
    auto* group = new QGroupBox(tr("Delivery"), this);
    auto* form = newForm(group);
    m_retry = new QLineEdit(group);
    m_retry->setObjectName(QStringLiteral("retryEdit"));
    m_retry->setPlaceholderText(tr("No retries"));
    m_retry->setToolTip(tr("Delays before each retry, separated by commas: 30s, 5m, 2h or 1d. "
                           "Default: %1")
                            .arg(RetrySchedule::defaultSchedule().toString()));
    addField(form, tr("&Retry delays"), m_retry, kRetry);
    m_timeout = new QSpinBox(group);
    m_timeout->setObjectName(QStringLiteral("timeoutSpin"));
    m_timeout->setRange(1, WebhookValidator::kMaxTimeoutSeconds);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setToolTip(tr("How long to wait for the endpoint to answer each attempt"));
    addField(form, tr("T&imeout"), m_timeout, kTimeout);
    m_timeout->setMaximumWidth(m_timeout->sizeHint().width() * 2);
    connect(m_timeout, &QSpinBox::valueChanged, this, &WebhookEditor::revalidate);
    return group;
}

QGroupBox* WebhookEditor::buildSecret()
{
    m_secretGroup = new QGroupBox(tr("Signing secret"), this);
    auto* form = newForm(m_secretGroup);
    auto* row = new QWidget(m_secretGroup);
    auto* rowLayout = new QHBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    m_secret = new PasswordLineEdit(row);
    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setAccessibleName(tr("Signing secret"));
    m_secret->setReadOnly(true);
    m_copySecret = new QPushButton(tr("&Copy"), row);
    m_copySecret->setAccessibleName(tr("Copy signing secret"));
    m_rotate = new QPushButton(tr("R&otate…"), row);
    m_rotate->setAccessibleName(tr("Rotate signing secret"));
    m_rotate->setToolTip(tr("Make a new secret; the old one keeps signing for a grace period"));
    rowLayout->addWidget(m_secret, 1);
    rowLayout->addWidget(m_copySecret);
    rowLayout->addWidget(m_rotate);
    form->addRow(tr("Secret"), row);
    m_forms.append(form);

    m_rotatePrompt = new QWidget(m_secretGroup);
    auto* prompt = new QHBoxLayout(m_rotatePrompt);
    prompt->setContentsMargins(0, 0, 0, 0);
    auto* graceLabel = new QLabel(tr("Old secret valid for"), m_rotatePrompt);
    m_grace = new QLineEdit(QStringLiteral("24h"), m_rotatePrompt);
    m_grace->setObjectName(QStringLiteral("graceEdit"));
    m_grace->setAccessibleName(tr("Grace period"));
    m_grace->setToolTip(tr("A duration such as 24h, 30m or 0 to drop the old secret at once"));
    m_grace->setFixedWidth(m_grace->fontMetrics().horizontalAdvance(QStringLiteral("00000m")) + 24);
    graceLabel->setBuddy(m_grace);
    m_confirmRotate = new QPushButton(tr("Rotate"), m_rotatePrompt);
    m_confirmRotate->setAccessibleName(tr("Rotate now"));
    auto* cancelRotate = new QPushButton(tr("Cancel"), m_rotatePrompt);
    cancelRotate->setAccessibleName(tr("Cancel rotation"));
    prompt->addWidget(graceLabel);
    prompt->addWidget(m_grace);
    prompt->addWidget(m_confirmRotate);
    prompt->addWidget(cancelRotate);
    prompt->addStretch(1);
    form->addRow(QString(), m_rotatePrompt);
    form->setRowVisible(m_rotatePrompt, false);

    m_secretStatus = new QLabel(m_secretGroup);
    m_secretStatus->setWordWrap(true);
    form->addRow(QString(), m_secretStatus);
    form->setRowVisible(m_secretStatus, false);

    connect(m_copySecret, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_original.secret);
        showStatus(m_secretStatus, tr("Copied to the clipboard."), false);
    });
    connect(m_rotate, &QPushButton::clicked, this, [this] { showRotatePrompt(true); });
    connect(cancelRotate, &QPushButton::clicked, this, [this] { showRotatePrompt(false); });
    connect(m_confirmRotate, &QPushButton::clicked, this, &WebhookEditor::confirmRotate);
    return m_secretGroup;
}

void WebhookEditor::addField(QFormLayout* form, const QString& label, QWidget* field, const QString& key)
{
    form->addRow(label, field);
    field->setAccessibleName(QString(label).remove(QLatin1Char('&')));
    auto* message = new QLabel(field->parentWidget());
    message->setObjectName(key + QStringLiteral("Message"));
    message->setWordWrap(true);
    form->addRow(QString(), message);
    form->setRowVisible(message, false);
    m_messages.insert(key, {message, field, form});
    if (!m_forms.contains(form))
        m_forms.append(form);
    // Messages wait for the first edit of a field; validity is rechecked on every change.
    if (auto* edit = qobject_cast<QLineEdit*>(field)) {
        connect(edit, &QLineEdit::textEdited, this, [this, key] { touch(key); });
        connect(edit, &QLineEdit::textChanged, this, &WebhookEditor::revalidate);
    }
}

void WebhookEditor::setWebhook(const Webhook& w)
{
    m_loading = true;
    m_original = w;
    const bool edit = isEditMode();
    m_name->setText(w.name);
    m_url->setText(w.url);
    m_active->setChecked(w.isActive);
    m_events->setSelected(w.events);
    m_authCombo->setCurrentIndex(m_authCombo->findData(int(w.auth.type)));
    m_username->setText(w.auth.username);
    // A stored secret is write-only in edit mode: a blank field keeps it (WebhookStore::update).
    const bool keepBasic = edit && w.auth.type == AuthConfig::Type::Basic;
    const bool keepBearer = edit && w.auth.type == AuthConfig::Type::Bearer;
    m_password->setText(keepBasic ? QString() : w.auth.password);
    m_password->setPlaceholderText(keepBasic ? tr("unchanged") : QString());
    m_token->setText(keepBearer ? QString() : w.auth.token);
    m_token->setPlaceholderText(keepBearer ? tr("unchanged") : QString());
    m_headers->setAuthType(w.auth.type);
    m_headers->setHeaders(w.headers);
    m_retry->setText(w.retrySchedule.toString());
    m_timeout->setValue(w.timeoutSeconds);
    m_secret->setText(w.secret);
    m_secret->setCursorPosition(0);
    m_secretGroup->setVisible(edit);
    showRotatePrompt(false);
    showStatus(m_secretStatus, QString(), false);
    showStatus(m_saveMessage, QString(), false);
    m_saving = false;
    m_touched.clear();
    // An existing or copied webhook shows its problems at once; a blank form waits for input.
    if (edit || !w.name.isEmpty()) {
        for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it)
            m_touched.insert(it.key());
    }
    m_loading = false;
    onAuthTypeChanged();
}

Webhook WebhookEditor::webhook() const
{
    Webhook w = m_original;
    w.name = m_name->text().trimmed();
    w.url = m_url->text().trimmed();
    w.isActive = m_active->isChecked();
    w.events = m_events->selected();
    w.auth = AuthConfig{};
    w.auth.type = authType();
    if (w.auth.type == AuthConfig::Type::Basic) {
        w.auth.username = m_username->text();
        w.auth.password = m_password->text();
    } else if (w.auth.type == AuthConfig::Type::Bearer) {
        w.auth.token = m_token->text();
    }
    w.headers = m_headers->headers();
    if (const auto schedule = RetrySchedule::parse(m_retry->text()))
        w.retrySchedule = *schedule;
    w.timeoutSeconds = m_timeout->value();
    return w;
}

bool WebhookEditor::isValid() const
{
    return currentErrors().isEmpty();
}

QString WebhookEditor::fieldMessage(const QString& field) const
{
    const Message m = m_messages.value(field);
    return m.label && !m.label->text().isEmpty() ? m.label->text() : QString();
}

QPushButton* WebhookEditor::saveButton() const
{
    return m_buttons->button(QDialogButtonBox::Save);
}

QPushButton* WebhookEditor::cancelButton() const
{
    return m_buttons->button(QDialogButtonBox::Cancel);
}

void WebhookEditor::onSaveFinished(bool ok, const QString& message)
{
    m_saving = false;
    if (ok) {
        accept();
        return;
    }
    showStatus(m_saveMessage, message.isEmpty() ? tr("Could not save the webhook.") : message, true);
    revalidate();
}

void WebhookEditor::setSecret(const QString& secret)
{
    m_original.secret = secret;
    m_secret->setText(secret);
    m_secret->setCursorPosition(0);
    showStatus(m_secretStatus, tr("New secret in place. Update the endpoint before the old one expires."), false);
}

void WebhookEditor::changeEvent(QEvent* event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_name)
        revalidate();
}

void WebhookEditor::showStatus(QLabel* label, const QString& text, bool error)
{
    setTextColor(label, error ? errorTextColor(palette()) : palette().color(QPalette::WindowText));
    label->setText(text);
    if (label == m_secretStatus)
        static_cast<QFormLayout*>(m_secretGroup->layout())->setRowVisible(label, !text.isEmpty());
    else
        label->setVisible(!text.isEmpty());
}

void WebhookEditor::touch(const QString& key)
{
    if (m_loading)
        return;
    m_touched.insert(key);
    revalidate();
}

AuthConfig::Type WebhookEditor::authType() const
{
    return AuthConfig::Type(m_authCombo->currentData().toInt());
}

void WebhookEditor::onAuthTypeChanged()
{
    m_authStack->setCurrentIndex(std::max(0, m_authCombo->currentIndex()));
    m_headers->setAuthType(authType());
    revalidate();
}

FieldErrors WebhookEditor::currentErrors() const
{
    Webhook w = webhook();
    // Blank secrets in edit mode stand for the stored ones, which the store validated when they were set.
    if (isEditMode() && w.auth.type == m_original.auth.type) {
        if (w.auth.type == AuthConfig::Type::Basic && w.auth.password.isEmpty())
            w.auth.password = QStringLiteral("unchanged");
        if (w.auth.type == AuthConfig::Type::Bearer && w.auth.token.isEmpty())
            w.auth.token = QStringLiteral("unchanged");
    }
    FieldErrors errors = m_validator.validate(w);
    if (!RetrySchedule::parse(m_retry->text()))
        errors.append({kRetry, tr("Use durations separated by commas, like 5m,10m,20m (empty for no retries)")});
    return errors;
}

void WebhookEditor::revalidate()
{
    if (m_loading || !m_buttons)
        return;
    const FieldErrors errors = currentErrors();
    QHash<QString, QString> shown;
    QStringList all;
    for (const FieldError& e : errors) {
        const QString key = e.field.startsWith(kEvents) ? kEvents : e.field;
        if (!shown.contains(key))
            shown.insert(key, e.message);
        all.append(e.message);
    }
    const QColor color = errorTextColor(palette());
    for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it) {
        const QString text = m_touched.contains(it.key()) ? shown.value(it.key()) : QString();
        const Message& m = it.value();
        setTextColor(m.label, color);
        m.label->setText(text);
        m.field->setAccessibleDescription(text);
        if (m.form)
            m.form->setRowVisible(m.label, !text.isEmpty());
        else
            m.label->setVisible(!text.isEmpty());
    }
    all.removeDuplicates();
    saveButton()->setEnabled(errors.isEmpty() && !m_saving);
    saveButton()->setToolTip(errors.isEmpty()
                                 ? QString()
                                 : tr("Fix these first:") + QStringLiteral("\n• ") + all.join(QStringLiteral("\n• ")));
}

void WebhookEditor::showRotatePrompt(bool show)
{
    auto* form = static_cast<QFormLayout*>(m_secretGroup->layout());
    form->setRowVisible(m_rotatePrompt, show);
    m_rotate->setEnabled(!show);
    // Enter in the grace field must rotate, not save the whole form: QDialog clicks its default button.
    m_confirmRotate->setDefault(show);
    saveButton()->setDefault(!show);
    if (show) {
        m_grace->setText(QStringLiteral("24h"));
        m_grace->setFocus();
        m_grace->selectAll();
    }
}

void WebhookEditor::confirmRotate()
{
    const auto grace = time::parseDurationSeconds(m_grace->text());
    if (!grace) {
        showStatus(m_secretStatus, tr("Enter a duration such as 24h, 30m or 0."), true);
        return;
    }
    showRotatePrompt(false);
    showStatus(m_secretStatus,
               *grace > 0 ? tr("Rotating; the old secret stays valid for %1.").arg(time::formatDuration(*grace))
                          : tr("Rotating; the old secret stops working at once."),
               false);
    Q_EMIT rotateRequested(m_original.id, *grace);
}

void WebhookEditor::onSaveClicked()
{
    if (m_saving || !isValid())
        return;
    m_saving = true;
    showStatus(m_saveMessage, tr("Saving…"), false);
    saveButton()->setEnabled(false);
    Q_EMIT saveRequested(webhook());
}

} // namespace outhook::ui
