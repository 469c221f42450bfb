#include "settings/TeamPage.h"

#include "model/WebhookValidator.h"
#include "util/Time.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace outhook::ui {

namespace {

// The effective values, so "unchanged" compares what the user sees rather than set/unset.
TeamSettings effective(const TeamSettings& s)
{
    TeamSettings e;
    e.defaultRetrySchedule = s.retryScheduleOrDefault();
    e.defaultTimeoutSeconds = s.timeoutOrDefault();
    e.autoDisableAfterSeconds = s.autoDisableAfterMsOr(TeamSettings::kDefaultAutoDisableAfterSeconds * 1000) / 1000;
    e.maxResponseBodyBytes = s.maxResponseBodyBytesOr(TeamSettings::kDefaultMaxResponseBodyBytes);
    return e;
}

} // namespace

TeamPage::TeamPage(QWidget* parent)
    : QWidget(parent)
    , m_retry(new QLineEdit(this))
    , m_timeout(new QSpinBox(this))
    , m_autoDisable(new QLineEdit(this))
    , m_bodyCap(new QSpinBox(this))
    , m_defaults(new QPushButton(tr("Restore &Defaults"), this))
    , m_status(new QLabel(this))
{
    m_retry->setPlaceholderText(tr("No retries"));
    m_retry->setToolTip(tr("Delays before each retry, separated by commas: 30s, 5m, 2h or 1d"));
    m_timeout->setRange(1, WebhookValidator::kMaxTimeoutSeconds);
    m_timeout->setSuffix(tr(" s"));
    m_autoDisable->setToolTip(tr("A webhook whose deliveries keep failing this long is turned off: 12h, 5d, …"));
    m_bodyCap->setRange(int(TeamSettings::kMinResponseBodyBytes / 1024),
                        int(TeamSettings::kMaxResponseBodyBytes / 1024));
    m_bodyCap->setSuffix(tr(" KiB"));
    m_bodyCap->setToolTip(tr("Response bodies are stored up to this size; the rest is cut off"));
    m_defaults->setAccessibleName(tr("Restore defaults"));
    m_status->setWordWrap(true);

    auto* intro = new QLabel(tr("These settings are stored in the database and apply to everyone who uses it, "
                                "including outhookd engines. They take effect at once."),
                             this);
    intro->setWordWrap(true);
    intro->setAlignment(Qt::AlignLeft | Qt::AlignTop); // wrapped text sits under its field, not centred
    intro->setForegroundRole(QPalette::PlaceholderText);

    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(intro);
    m_messages.addRow(form, tr("Default &retry delays:"), m_retry, QStringLiteral("default_retry_schedule"));
    m_messages.addRow(form, tr("Default &timeout:"), m_timeout, QStringLiteral("default_timeout"));
    m_messages.addRow(form, tr("&Auto-disable after:"), m_autoDisable, QStringLiteral("auto_disable_after"));
    m_messages.addRow(form, tr("Response &body cap:"), m_bodyCap, QStringLiteral("max_response_body"));
    form->addRow(QString(), m_defaults);
    form->addRow(m_status);
    // Both numbers get the same, modest width; the duration fields keep the full width for long lists.
    const int numberWidth = std::max(m_timeout->sizeHint().width(), m_bodyCap->sizeHint().width()) + 40;
    m_timeout->setFixedWidth(numberWidth);
    m_bodyCap->setFixedWidth(numberWidth);
    m_defaults->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);

    connect(m_defaults, &QPushButton::clicked, this, [this] { display(TeamSettings()); });
    setEnabled(false);
    m_status->setText(tr("Loading…"));
}

void TeamPage::display(const TeamSettings& s)
{
    const TeamSettings e = effective(s);
    m_retry->setText(e.defaultRetrySchedule->toString());
    m_timeout->setValue(*e.defaultTimeoutSeconds);
    m_autoDisable->setText(time::formatDuration(*e.autoDisableAfterSeconds));
    m_bodyCap->setValue(int(*e.maxResponseBodyBytes / 1024));
}

void TeamPage::load(const TeamSettings& s)
{
    m_loadedValues = effective(s);
    m_loaded = true;
    display(s);
    setEnabled(true);
    m_status->clear();
    m_status->hide();
}

void TeamPage::showLoadError(const QString& message)
{
    m_status->setText(tr("Could not read the team settings: %1").arg(message));
    m_status->show();
}

TeamSettings TeamPage::values(FieldErrors* errors) const
{
    TeamSettings s;
    if (const auto schedule = RetrySchedule::parse(m_retry->text()))
        s.defaultRetrySchedule = *schedule;
    else
        errors->append(
            {QStringLiteral("default_retry_schedule"), tr("Write delays separated by commas, like 30s, 5m, 2h or 1d")});
    s.defaultTimeoutSeconds = m_timeout->value();
    if (const auto seconds = time::parseDurationSeconds(m_autoDisable->text().trimmed()))
        s.autoDisableAfterSeconds = *seconds;
    else
        errors->append({QStringLiteral("auto_disable_after"), tr("Write a duration like 12h or 5d")});
    s.maxResponseBodyBytes = qint64(m_bodyCap->value()) * 1024;
    return s;
}

bool TeamPage::isChanged() const
{
    if (!m_loaded)
        return false;
    FieldErrors errors;
    const TeamSettings now = values(&errors);
    return !errors.isEmpty() || !(effective(now) == m_loadedValues);
}

} // namespace outhook::ui
