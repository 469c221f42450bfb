#include "model/DeliveryJson.h"

#include "util/Time.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace outhook::json {

namespace {
QJsonValue optionalInt(std::optional<int> v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}
} // namespace

QJsonObject headersToJson(const RawHeaders& headers)
{
    QJsonObject o;
    for (const auto& [k, v] : headers) {
        const QString name = QString::fromLatin1(k).toLower();
        const QString value = QString::fromUtf8(v);
        o.insert(name, o.contains(name) ? o.value(name).toString() + QStringLiteral(", ") + value : value);
    }
    return o;
}

QJsonObject deliveryToJson(const Delivery& d)
{
    return QJsonObject{
        {QStringLiteral("id"), d.id},
        {QStringLiteral("event_id"), d.eventId},
        {QStringLiteral("event_type"), d.eventType},
        {QStringLiteral("webhook_id"), d.webhookId},
        {QStringLiteral("url"), d.url},
        {QStringLiteral("msg_id"), d.msgId},
        {QStringLiteral("status"), deliveryStatusName(d.status)},
        {QStringLiteral("attempt_count"), d.attemptCount},
        {QStringLiteral("next_attempt_at"),
         d.nextAttemptAt ? QJsonValue(time::toIso(d.nextAttemptAt)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("last_status_code"), optionalInt(d.lastStatusCode)},
        {QStringLiteral("last_error_class"), d.lastErrorClass},
        {QStringLiteral("created_at"), time::toIso(d.createdAt)},
        {QStringLiteral("updated_at"), time::toIso(d.updatedAt)},
    };
}

QJsonObject attemptToJson(const Attempt& a)
{
    return QJsonObject{
        {QStringLiteral("number"), a.number},
        {QStringLiteral("trigger"), attemptTriggerName(a.trigger)},
        {QStringLiteral("started_at"), time::toIso(a.startedAt)},
        {QStringLiteral("duration_ms"), a.durationMs},
        {QStringLiteral("request_url"), a.requestUrl},
        {QStringLiteral("request_headers"), headersToJson(a.requestHeaders)},
        {QStringLiteral("status_code"), optionalInt(a.statusCode)},
        {QStringLiteral("response_headers"), headersToJson(a.responseHeaders)},
        {QStringLiteral("response_body"), QString::fromUtf8(a.responseBody)},
        {QStringLiteral("response_body_size"), a.responseBodySize},
        {QStringLiteral("truncated"), a.truncated},
        {QStringLiteral("error_class"), a.errorClass},
        {QStringLiteral("error"), a.error},
        {QStringLiteral("remote_address"), a.remoteAddress},
    };
}

QJsonObject deliveryDetailToJson(const Delivery& d, const QList<Attempt>& attempts)
{
    QJsonObject o = deliveryToJson(d);
    o.insert(QStringLiteral("payload"), QJsonDocument::fromJson(d.payload).object());
    QJsonArray list;
    for (const Attempt& a : attempts)
        list.append(attemptToJson(a));
    o.insert(QStringLiteral("attempts"), list);
    return o;
}

} // namespace outhook::json
