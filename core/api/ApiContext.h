#pragma once

// Private to the API: the per-request state shared by ApiRouter.cpp and ApiEndpoints.cpp.
#include "api/ApiRouter.h"
#include "events/Emitter.h"
#include "storage/ApiKeyStore.h"

namespace outhook::api {

struct ApiRouter::Context
{
    const ApiRequest& request;
    Reply reply;
    QString requestId;
    QStringList args;
    ApiKey key;

    void respond(ApiResponse r)
    {
        r.headers.append({"X-Request-Id", requestId.toLatin1()});
        reply(std::move(r));
    }
    void ok(int status, const QJsonValue& data, const QJsonObject& meta = {})
    {
        respond(jsonResponse(status, data, requestId, meta));
    }
    void okRaw(int status, const QByteArray& dataJson) { respond(jsonResponseRaw(status, dataJson, requestId)); }
    void fail(const Error& e) { respond(errorResponse(e, requestId)); }
    void fail(int status, const QString& code, const QString& message, const FieldErrors& fields = {})
    {
        respond(errorResponse(status, code, message, requestId, fields));
    }
};

struct ApiRouter::PendingIngest
{
    EmitRequest event;
    Reply reply;
    QString requestId;

    // A context for answering only: the request itself is gone by the time the batch commits.
    Context answer() const
    {
        static const ApiRequest gone;
        return Context{gone, reply, requestId, {}, {}};
    }
};

} // namespace outhook::api
