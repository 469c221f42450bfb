#include "model/WebhookJson.h"

#include "util/Time.h"

#include <QJsonArray>

namespace outhook::json {

namespace {
QJsonValue timeOrNull(std::optional<qint64> ms)
{
    return ms ? QJsonValue(time::toIso(ms)) : QJsonValue(QJsonValue::Null);
}
} // namespace

QJsonObject webhookToJson(const Webhook& w, SecretVisibility secret)
{
    QJsonObject auth{{QStringLiteral("type"), AuthConfig::typeName(w.auth.type)}};
    if (w.auth.type == AuthConfig::Type::Basic)
        auth.insert(QStringLiteral("username"), w.auth.username);

    QJsonObject headers;
    for (const Header& h : w.headers)
        headers.insert(h.name, h.secret ? headers::redacted() : h.value);

    QJsonArray schedule;
    for (qint64 d : w.retrySchedule.delaysSeconds())
        schedule.append(d);

    QJsonObject o{
        {QStringLiteral("id"), w.id},
        {QStringLiteral("name"), w.name},
        {QStringLiteral("url"), w.url},
        {QStringLiteral("events"), QJsonArray::fromStringList(w.events)},
        {QStringLiteral("is_active"), w.isActive},
        {QStringLiteral("auth"), auth},
        {QStringLiteral("headers"), headers},
        {QStringLiteral("retry_schedule"), schedule},
        {QStringLiteral("retry_count"), w.retrySchedule.retryCount()},
        {QStringLiteral("timeout_seconds"), w.timeoutSeconds},
        {QStringLiteral("disabled_reason"), w.disabledReason.isEmpty() ? QJsonValue() : QJsonValue(w.disabledReason)},
        {QStringLiteral("last_triggered_at"), timeOrNull(w.lastTriggeredAt)},
        {QStringLiteral("last_success_at"), timeOrNull(w.lastSuccessAt)},
        {QStringLiteral("last_failure_at"), timeOrNull(w.lastFailureAt)},
        {QStringLiteral("failure_count"), w.failureCount},
        {QStringLiteral("created_at"), time::toIso(w.createdAt)},
        {QStringLiteral("updated_at"), time::toIso(w.updatedAt)},
    };
    if (secret == SecretVisibility::Shown)
        o.insert(QStringLiteral("secret"), w.secret);
    return o;
}

} // namespace outhook::json
