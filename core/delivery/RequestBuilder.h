#pragma once

#include "delivery/Transport.h"
#include "model/Webhook.h"

namespace outhook {

struct BuiltRequest
{
    HttpRequest request;
    RawHeaders redactedHeaders; // what the attempt log stores: auth and secret header values hidden
};

// Turns a webhook and a frozen payload into the exact POST to send: content-type, user-agent, the
// three Standard Webhooks headers (a fresh timestamp per attempt, one v1 signature per live secret),
// then the webhook's auth and custom headers.
class RequestBuilder
{
public:
    static QByteArray userAgent();
    static BuiltRequest build(const Webhook& webhook, const QByteArray& msgId, const QByteArray& payload, qint64 nowMs,
                              quint64 tag, qint64 maxResponseBodyBytes = 64 * 1024);
};

} // namespace outhook
