#include "export/ExportRedaction.h"

namespace outhook::exporting {

bool isSensitiveHeader(const QByteArray& name)
{
    const QByteArray n = name.trimmed().toLower();
    static const char* const exact[] = {"authorization", "proxy-authorization", "cookie", "set-cookie"};
    for (const char* e : exact) {
        if (n == e)
            return true;
    }
    // webhook-signature, x-hub-signature-256, x-api-key, x-auth-token, x-client-secret, ...
    static const char* const parts[] = {"signature", "secret", "token", "api-key", "apikey", "password", "auth"};
    for (const char* p : parts) {
        if (n.contains(p))
            return true;
    }
    return false;
}

RawHeaders redactHeaders(const RawHeaders& headers)
{
    const QByteArray hidden = headers::redacted().toUtf8();
    RawHeaders out;
    out.reserve(headers.size());
    for (const auto& [name, value] : headers) {
        if (!isSensitiveHeader(name)) {
            out.append({name, value});
            continue;
        }
        // "Bearer abc" -> "Bearer [redacted]": which scheme was used is useful and reveals nothing.
        const QByteArray lower = name.trimmed().toLower();
        const qsizetype space = value.indexOf(' ');
        const bool schemed = (lower == "authorization" || lower == "proxy-authorization") && space > 0;
        out.append({name, schemed ? value.left(space + 1) + hidden : hidden});
    }
    return out;
}

} // namespace outhook::exporting
