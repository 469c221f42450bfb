#include "export/HarWriter.h"

#include "export/ExportRedaction.h"
#include "util/Time.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>
#include <QUrl>
#include <QUrlQuery>

namespace outhook {

namespace {

QByteArray headerValue(const RawHeaders& headers, const QByteArray& name)
{
    for (const auto& [k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

QJsonArray harHeaders(const RawHeaders& headers)
{
    QJsonArray out;
    for (const auto& [name, value] : exporting::redactHeaders(headers))
        out.append(QJsonObject{{QStringLiteral("name"), QString::fromLatin1(name)},
                               {QStringLiteral("value"), QString::fromUtf8(value)}});
    return out;
}

QJsonArray queryString(const QString& url)
{
    QJsonArray out;
    const QUrlQuery query(QUrl(url).query(QUrl::FullyEncoded));
    for (const auto& [name, value] : query.queryItems(QUrl::FullyDecoded))
        out.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
    return out;
}

bool isUtf8(const QByteArray& bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    Q_UNUSED(text)
    return !decoder.hasError();
}

QJsonObject content(const Attempt& a)
{
    QString mime = QString::fromLatin1(headerValue(a.responseHeaders, "content-type")).trimmed();
    if (mime.isEmpty())
        mime = QStringLiteral("x-unknown");
    QJsonObject c{{QStringLiteral("size"), a.statusCode ? a.responseBodySize : 0}, {QStringLiteral("mimeType"), mime}};
    // Bodies are bytes: text when they are UTF-8, else base64 as the spec allows.
    if (isUtf8(a.responseBody)) {
        c.insert(QStringLiteral("text"), QString::fromUtf8(a.responseBody));
    } else {
        c.insert(QStringLiteral("text"), QString::fromLatin1(a.responseBody.toBase64()));
        c.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
    }
    if (a.truncated)
        c.insert(
            QStringLiteral("comment"),
            QStringLiteral("Outhook kept the first %1 of %2 bytes").arg(a.responseBody.size()).arg(a.responseBodySize));
    return c;
}

} // namespace

QString HarWriter::reasonPhrase(int status)
{
    static const QHash<int, const char*> phrases{
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {413, "Content Too Large"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    return QString::fromLatin1(phrases.value(status, ""));
}

QJsonObject HarWriter::entry(const Delivery& d, const Attempt& a)
{
    const bool answered = a.statusCode.has_value();
    QString requestMime = QString::fromLatin1(headerValue(a.requestHeaders, "content-type")).trimmed();
    if (requestMime.isEmpty())
        requestMime = QStringLiteral("application/json");
    const QJsonObject request{
        {QStringLiteral("method"), QStringLiteral("POST")},
        {QStringLiteral("url"), a.requestUrl},
        {QStringLiteral("httpVersion"), QStringLiteral("HTTP/1.1")},
        {QStringLiteral("cookies"), QJsonArray()},
        {QStringLiteral("headers"), harHeaders(a.requestHeaders)},
        {QStringLiteral("queryString"), queryString(a.requestUrl)},
        {QStringLiteral("postData"), QJsonObject{{QStringLiteral("mimeType"), requestMime},
                                                 {QStringLiteral("params"), QJsonArray()},
                                                 {QStringLiteral("text"), QString::fromUtf8(d.payload)}}},
        {QStringLiteral("headersSize"), -1},
        {QStringLiteral("bodySize"), d.payload.size()},
    };
    const QJsonObject response{
        {QStringLiteral("status"), answered ? *a.statusCode : 0},
        {QStringLiteral("statusText"), answered ? reasonPhrase(*a.statusCode) : QString()},
        {QStringLiteral("httpVersion"), answered ? QStringLiteral("HTTP/1.1") : QString()},
        {QStringLiteral("cookies"), QJsonArray()},
        {QStringLiteral("headers"), harHeaders(a.responseHeaders)},
        {QStringLiteral("content"), content(a)},
        {QStringLiteral("redirectURL"), QString::fromUtf8(headerValue(a.responseHeaders, "location"))},
        {QStringLiteral("headersSize"), -1},
        {QStringLiteral("bodySize"), answered ? a.responseBodySize : -1},
    };
    const qint64 duration = std::max<qint64>(0, a.durationMs);
    QJsonObject e{
        {QStringLiteral("startedDateTime"), time::toIso(a.startedAt)},
        {QStringLiteral("time"), duration},
        {QStringLiteral("request"), request},
        {QStringLiteral("response"), response},
        {QStringLiteral("cache"), QJsonObject()},
        {QStringLiteral("timings"), QJsonObject{{QStringLiteral("blocked"), -1},
                                                {QStringLiteral("dns"), -1},
                                                {QStringLiteral("connect"), -1},
                                                {QStringLiteral("ssl"), -1},
                                                {QStringLiteral("send"), 0},
                                                {QStringLiteral("wait"), duration},
                                                {QStringLiteral("receive"), 0}}},
        {QStringLiteral("_outhook"), QJsonObject{{QStringLiteral("deliveryId"), d.id},
                                                 {QStringLiteral("eventId"), d.eventId},
                                                 {QStringLiteral("eventType"), d.eventType},
                                                 {QStringLiteral("webhookId"), d.webhookId},
                                                 {QStringLiteral("msgId"), d.msgId},
                                                 {QStringLiteral("attempt"), a.number},
                                                 {QStringLiteral("trigger"), attemptTriggerName(a.trigger)},
                                                 {QStringLiteral("errorClass"), a.errorClass}}},
    };
    if (!a.remoteAddress.isEmpty())
        e.insert(QStringLiteral("serverIPAddress"), a.remoteAddress);
    if (!a.error.isEmpty())
        e.insert(QStringLiteral("_error"), a.error);
    return e;
}

bool HarWriter::begin()
{
    const QJsonObject creator{{QStringLiteral("name"), QStringLiteral("Outhook")},
                              {QStringLiteral("version"), QStringLiteral(OUTHOOK_VERSION)}};
    return put(QByteArrayLiteral("{\"log\":{\"version\":\"1.2\",\"creator\":") +
               QJsonDocument(creator).toJson(QJsonDocument::Compact) +
               QByteArrayLiteral(",\"pages\":[],\"entries\":["));
}

bool HarWriter::write(const Delivery& delivery, const QList<Attempt>& attempts)
{
    for (const Attempt& a : attempts) {
        const QByteArray separator = recordCount() == 0 ? QByteArrayLiteral("\n") : QByteArrayLiteral(",\n");
        if (!put(separator + QJsonDocument(entry(delivery, a)).toJson(QJsonDocument::Compact)))
            return false;
        countRecord();
    }
    return true;
}

bool HarWriter::finish()
{
    return put(QByteArrayLiteral("\n]}}\n"));
}

} // namespace outhook
