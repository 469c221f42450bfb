#include "api/ApiTypes.h"

#include "util/Json.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace outhook::api {

QByteArray ApiRequest::header(const QByteArray& name) const
{
    for (const auto& [k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

ApiResponse jsonResponse(int status, const QJsonValue& data, const QString& requestId, const QJsonObject& extraMeta)
{
    QJsonObject meta = extraMeta;
    meta.insert(QStringLiteral("request_id"), requestId);
    const QJsonObject envelope{{QStringLiteral("data"), data}, {QStringLiteral("meta"), meta}};
    return {status, {{"Content-Type", "application/json"}}, QJsonDocument(envelope).toJson(QJsonDocument::Compact)};
}

ApiResponse jsonResponseRaw(int status, const QByteArray& dataJson, const QString& requestId)
{
    QByteArray body;
    body.reserve(dataJson.size() + requestId.size() + 32);
    body += "{\"data\":";
    body += dataJson;
    body += ",\"meta\":{\"request_id\":";
    json::appendString(body, requestId.toUtf8());
    body += "}}";
    return {status, {{"Content-Type", "application/json"}}, body};
}

QByteArray ingestAnswerJson(qint64 eventId, const QList<qint64>& deliveryIds, bool duplicate)
{
    QByteArray out;
    out.reserve(48 + deliveryIds.size() * 12);
    out += "{\"deliveries\":[";
    for (qsizetype i = 0; i < deliveryIds.size(); ++i) {
        if (i > 0)
            out += ',';
        out += QByteArray::number(deliveryIds[i]);
    }
    out += "],\"duplicate\":";
    out += duplicate ? "true" : "false";
    out += ",\"event_id\":";
    out += QByteArray::number(eventId);
    out += '}';
    return out;
}

ApiResponse errorResponse(int status, const QString& code, const QString& message, const QString& requestId,
                          const FieldErrors& fields)
{
    QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!fields.isEmpty()) {
        QJsonObject f;
        for (const FieldError& e : fields)
            f.insert(e.field, e.message);
        error.insert(QStringLiteral("fields"), f);
    }
    const QJsonObject body{{QStringLiteral("error"), error},
                           {QStringLiteral("meta"), QJsonObject{{QStringLiteral("request_id"), requestId}}}};
    return {status, {{"Content-Type", "application/json"}}, QJsonDocument(body).toJson(QJsonDocument::Compact)};
}

ApiResponse errorResponse(const Error& e, const QString& requestId)
{
    switch (e.kind) {
    case Error::Kind::Validation:
        return errorResponse(422, QStringLiteral("validation_failed"), e.message, requestId, e.fields);
    case Error::Kind::NotFound:
        return errorResponse(404, QStringLiteral("not_found"), e.message, requestId);
    case Error::Kind::Conflict:
        return errorResponse(409, QStringLiteral("conflict"), e.message, requestId);
    case Error::Kind::Usage:
        return errorResponse(400, QStringLiteral("bad_request"), e.message, requestId);
    case Error::Kind::Network:
        return errorResponse(502, QStringLiteral("network_error"), e.message, requestId);
    case Error::Kind::Storage:
        break;
    }
    return errorResponse(503, QStringLiteral("storage_error"), e.message, requestId);
}

} // namespace outhook::api
