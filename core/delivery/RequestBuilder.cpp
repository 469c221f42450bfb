#include "delivery/RequestBuilder.h"

#include "signing/Signer.h"

namespace outhook {

QByteArray RequestBuilder::userAgent()
{
    return QByteArrayLiteral("Outhook/" OUTHOOK_VERSION);
}

BuiltRequest RequestBuilder::build(const Webhook& w, const QByteArray& msgId, const QByteArray& payload, qint64 nowMs,
                                   quint64 tag, qint64 maxResponseBodyBytes)
{
    BuiltRequest out;
    HttpRequest& r = out.request;
    r.tag = tag;
    r.url = w.url.toUtf8();
    r.body = payload;
    r.connectTimeoutMs = std::min(10000, w.timeoutSeconds * 1000);
    r.totalTimeoutMs = w.timeoutSeconds * 1000;
    r.maxResponseBodyBytes = maxResponseBodyBytes;

    const qint64 timestamp = nowMs / 1000;
    const auto add = [&](const QByteArray& name, const QByteArray& value, const QByteArray& shown) {
        r.headers.append({name, value});
        out.redactedHeaders.append({name, shown});
    };
    const auto addPlain = [&](const QByteArray& name, const QByteArray& value) { add(name, value, value); };

    addPlain("content-type", "application/json");
    addPlain("user-agent", userAgent());
    addPlain("webhook-id", msgId);
    addPlain("webhook-timestamp", QByteArray::number(timestamp));
    addPlain("webhook-signature", signing::sign(msgId, timestamp, payload, w.liveSecrets(nowMs)));

    const QByteArray redacted = headers::redacted().toUtf8();
    switch (w.auth.type) {
    case AuthConfig::Type::Basic:
        add("authorization", "Basic " + (w.auth.username + QLatin1Char(':') + w.auth.password).toUtf8().toBase64(),
            "Basic " + redacted);
        break;
    case AuthConfig::Type::Bearer:
        add("authorization", "Bearer " + w.auth.token.toUtf8(), "Bearer " + redacted);
        break;
    case AuthConfig::Type::None:
        break;
    }
    for (const Header& h : w.headers)
        add(h.name.toLatin1(), h.value.toUtf8(), h.secret ? redacted : h.value.toUtf8());
    return out;
}

} // namespace outhook
