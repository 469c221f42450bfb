#include "storage/SettingsStore.h"

#include "model/WebhookValidator.h"

#include <QCoreApplication>

#include <algorithm>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("SettingsStore", text);
}

const QString kRetryKey = QStringLiteral("default_retry_schedule");
const QString kTimeoutKey = QStringLiteral("default_timeout");
const QString kAutoDisableKey = QStringLiteral("auto_disable_after");
const QString kBodyCapKey = QStringLiteral("max_response_body");

std::optional<qint64> toInteger(const QString& text)
{
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

} // namespace

Webhook TeamSettings::newWebhook() const
{
    Webhook w;
    w.retrySchedule = retryScheduleOrDefault();
    w.timeoutSeconds = timeoutOrDefault();
    return w;
}

FieldErrors TeamSettings::validate() const
{
    FieldErrors errors;
    if (defaultRetrySchedule) {
        if (const QString m = WebhookValidator::checkRetrySchedule(*defaultRetrySchedule); !m.isEmpty())
            errors.append({kRetryKey, m});
    }
    if (defaultTimeoutSeconds) {
        if (const QString m = WebhookValidator::checkTimeout(*defaultTimeoutSeconds); !m.isEmpty())
            errors.append({kTimeoutKey, m});
    }
    if (autoDisableAfterSeconds && (*autoDisableAfterSeconds < kMinAutoDisableAfterSeconds ||
                                    *autoDisableAfterSeconds > kMaxAutoDisableAfterSeconds))
        errors.append({kAutoDisableKey, tr("Auto-disable period must be between 1m and 365d")});
    if (maxResponseBodyBytes &&
        (*maxResponseBodyBytes < kMinResponseBodyBytes || *maxResponseBodyBytes > kMaxResponseBodyBytes))
        errors.append({kBodyCapKey, tr("Response body cap must be between 1 KiB and 16 MiB")});
    return errors;
}

// A value that does not parse (written by hand into the table) is treated as unset, so a typo never
// stops the engine; the Settings dialog shows the default and saving writes a good value back.
Result<TeamSettings> SettingsStore::load() const
{
    QSqlQuery q = m_db->prepare(QStringLiteral("SELECT key, value FROM settings"));
    if (!q.exec())
        return Database::queryError(q, tr("reading settings"));
    TeamSettings s;
    while (q.next()) {
        const QString key = q.value(0).toString();
        const QString value = q.value(1).toString();
        if (key == kRetryKey)
            s.defaultRetrySchedule = RetrySchedule::fromStorageString(value);
        else if (key == kTimeoutKey) {
            if (const auto v = toInteger(value))
                s.defaultTimeoutSeconds = int(std::clamp<qint64>(*v, 0, 1'000'000));
        } else if (key == kAutoDisableKey)
            s.autoDisableAfterSeconds = toInteger(value);
        else if (key == kBodyCapKey)
            s.maxResponseBodyBytes = toInteger(value);
    }
    // Out-of-range values from the table are dropped the same way.
    for (const FieldError& e : s.validate()) {
        if (e.field == kRetryKey)
            s.defaultRetrySchedule.reset();
        else if (e.field == kTimeoutKey)
            s.defaultTimeoutSeconds.reset();
        else if (e.field == kAutoDisableKey)
            s.autoDisableAfterSeconds.reset();
        else if (e.field == kBodyCapKey)
            s.maxResponseBodyBytes.reset();
    }
    return s;
}

Status SettingsStore::save(const TeamSettings& settings)
{
    if (FieldErrors errors = settings.validate(); !errors.isEmpty())
        return Error::validation(errors);
    const QList<QPair<QString, std::optional<QString>>> rows{
        {kRetryKey, settings.defaultRetrySchedule
                        ? std::optional<QString>(settings.defaultRetrySchedule->toStorageString())
                        : std::nullopt},
        {kTimeoutKey, settings.defaultTimeoutSeconds
                          ? std::optional<QString>(QString::number(*settings.defaultTimeoutSeconds))
                          : std::nullopt},
        {kAutoDisableKey, settings.autoDisableAfterSeconds
                              ? std::optional<QString>(QString::number(*settings.autoDisableAfterSeconds))
                              : std::nullopt},
        {kBodyCapKey, settings.maxResponseBodyBytes
                          ? std::optional<QString>(QString::number(*settings.maxResponseBodyBytes))
                          : std::nullopt},
    };
    const qint64 now = m_clock.nowMs();
    return m_db->transaction([&](QSqlDatabase& db) -> Status {
        for (const auto& [key, value] : rows) {
            QSqlQuery q(db);
            if (value) {
                q.prepare(QStringLiteral("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                                         "updated_at = excluded.updated_at"));
                q.addBindValue(key);
                q.addBindValue(*value);
                q.addBindValue(now);
            } else {
                q.prepare(QStringLiteral("DELETE FROM settings WHERE key = ?"));
                q.addBindValue(key);
            }
            if (!q.exec())
                return Database::queryError(q, tr("saving setting %1").arg(key));
        }
        return m_db->notify(QLatin1String(Database::kChangesChannel));
    });
}

} // namespace outhook
