#include "model/HeaderList.h"

#include "util/Json.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace outhook::headers {

bool parseLine(const QString& line, Header* out)
{
    const qsizetype colon = line.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return false;
    out->name = line.left(colon).trimmed();
    // Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
    QString value = line.mid(colon + 1);
    while (!value.isEmpty() && (value.front() == QLatin1Char(' ') || value.front() == QLatin1Char('\t')))
        value.remove(0, 1);
    while (!value.isEmpty() && (value.back() == QLatin1Char(' ') || value.back() == QLatin1Char('\t')))
        value.chop(1);
    out->value = value;
    return true;
}

bool isToken(const QString& name)
{
    if (name.isEmpty())
        return false;
    static const QLatin1String specials("!#$%&'*+-.^_`|~");
    for (QChar c : name) {
        const char16_t u = c.unicode();
        const bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
        if (!alnum && !QLatin1String(specials).contains(c))
            return false;
    }
    return true;
}

QString redacted()
{
    return QStringLiteral("[redacted]");
}

namespace {

bool isAscii(const QByteArray& bytes)
{
    for (char c : bytes) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    }
    return true;
}

} // namespace

// Written by hand: this runs twice for every attempt recorded, and building a QJsonArray of QJsonArrays
// was 7% of the dispatcher's CPU. The text is the same JSON QJsonDocument writes (names as Latin-1,
// values as UTF-8 with invalid sequences replaced), and rawFromJson reads both.
QString rawToJson(const RawHeaders& headers)
{
    return QString::fromUtf8(rawToJsonUtf8(headers));
}

QByteArray rawToJsonUtf8(const RawHeaders& headers)
{
    QByteArray out;
    out.reserve(2 + headers.size() * 48);
    out += '[';
    for (const auto& [name, value] : headers) {
        if (out.size() > 1)
            out += ',';
        out += '[';
        json::appendString(out, isAscii(name) ? name : QString::fromLatin1(name).toUtf8());
        out += ',';
        json::appendString(out, isAscii(value) ? value : QString::fromUtf8(value).toUtf8());
        out += ']';
    }
    out += ']';
    return out;
}

RawHeaders rawFromJson(const QString& json)
{
    RawHeaders out;
    for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array()) {
        const QJsonArray pair = v.toArray();
        out.append({pair.at(0).toString().toLatin1(), pair.at(1).toString().toUtf8()});
    }
    return out;
}

} // namespace outhook::headers
