#pragma once

#include "model/HeaderList.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QUrlQuery>
#include <functional>

namespace outhook::api {

// One HTTP request as the router sees it: no sockets, so routing is testable with plain values.
struct ApiRequest
{
    QByteArray method; // upper case
    QString path;      // decoded, without the query
    QUrlQuery query;
    RawHeaders headers;
    QByteArray body;
    QByteArray header(const QByteArray& name) const;
};

struct ApiResponse
{
    int status = 200;
    RawHeaders headers;
    QByteArray body;
};

using Reply = std::function<void(ApiResponse)>;

// JSON bodies and errors in the API's envelope.
ApiResponse jsonResponse(int status, const QJsonValue& data, const QString& requestId,
                         const QJsonObject& extraMeta = {});
// The same envelope around `dataJson`, JSON already written: for the ingest path, where building the answer
// through QJsonObject and QJsonDocument took about 50 allocations per event.
ApiResponse jsonResponseRaw(int status, const QByteArray& dataJson, const QString& requestId);
// The ingest answer's data, {"deliveries":[ids],"duplicate":b,"event_id":n}: the bytes QJsonDocument writes
// for that object (keys in its sorted order).
QByteArray ingestAnswerJson(qint64 eventId, const QList<qint64>& deliveryIds, bool duplicate);
ApiResponse errorResponse(int status, const QString& code, const QString& message, const QString& requestId,
                          const FieldErrors& fields = {});
// Maps a core Error onto its HTTP status and error code.
ApiResponse errorResponse(const Error& e, const QString& requestId);

} // namespace outhook::api
