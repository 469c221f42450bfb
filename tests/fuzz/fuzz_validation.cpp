// Header and URL validation: the rules every webhook passes before it is stored and later sent. The
// first byte picks the check, the rest is the input (UTF-8). Accepted input must be safe to send.
#include "FuzzSupport.h"

#include "model/HeaderList.h"
#include "model/WebhookValidator.h"

#include <QUrl>

using namespace outhook;

namespace {

void url(const QString& text)
{
    if (!WebhookValidator::checkUrl(text).isEmpty())
        return;
    const QUrl u(text, QUrl::StrictMode);
    FUZZ_CHECK(u.isValid(), text);
    FUZZ_CHECK(u.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0, text);
    FUZZ_CHECK(!u.host().isEmpty(), text);
    FUZZ_CHECK(u.userInfo().isEmpty() && !u.hasFragment(), text);
    FUZZ_CHECK(text.size() <= WebhookValidator::kMaxUrlLength, text);
    const QByteArray wire = u.toEncoded();
    FUZZ_CHECK(!wire.contains('\r') && !wire.contains('\n') && !wire.contains(' ') && !wire.contains('\0'), text);
}

void headerLine(const QString& text)
{
    Header h;
    if (!headers::parseLine(text, &h))
        return;
    for (const auto authType : {AuthConfig::Type::None, AuthConfig::Type::Basic, AuthConfig::Type::Bearer}) {
        if (!WebhookValidator::checkHeaderName(h.name, authType).isEmpty())
            continue;
        FUZZ_CHECK(headers::isToken(h.name), h.name);
        FUZZ_CHECK(!WebhookValidator::isReservedHeader(h.name, authType), h.name);
        FUZZ_CHECK(h.name.toLatin1().size() == h.name.size(), h.name);
    }
    if (WebhookValidator::checkHeaderValue(h.value).isEmpty()) {
        // The bytes curl would put on the wire: no header injection.
        const QByteArray wire = h.value.toUtf8();
        FUZZ_CHECK(!wire.contains('\r') && !wire.contains('\n') && !wire.contains('\0'), h.value);
        FUZZ_CHECK(h.value.size() <= WebhookValidator::kMaxHeaderValueLength, QString());
    }
}

void rawJson(const QString& text)
{
    const RawHeaders parsed = headers::rawFromJson(text);
    const RawHeaders again = headers::rawFromJson(headers::rawToJson(parsed));
    FUZZ_CHECK(again.size() == parsed.size(), text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 3) {
    case 0:
        url(text);
        break;
    case 1:
        headerLine(text);
        break;
    default:
        rawJson(text);
        break;
    }
    return 0;
}
