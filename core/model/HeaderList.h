#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace outhook {

// One custom request header. `secret` values are encrypted at rest and redacted wherever they are shown.
struct Header
{
    QString name;
    QString value;
    bool secret = false;
    bool operator==(const Header&) const = default;
};
using HeaderList = QList<Header>;

// Headers on the wire, in order, as raw bytes (requests sent, responses received).
using RawHeaders = QList<QPair<QByteArray, QByteArray>>;

namespace headers {
// Parses "Name: value" as given on the command line. Returns false when there is no colon.
bool parseLine(const QString& line, Header* out);
// RFC 9110 token: 1*tchar.
bool isToken(const QString& name);
QString redacted();
// RawHeaders as stored in the attempt log: a JSON array of [name, value] pairs, order kept.
QString rawToJson(const RawHeaders& headers);
// The same JSON as UTF-8 bytes, for storing without a round trip through UTF-16.
QByteArray rawToJsonUtf8(const RawHeaders& headers);
RawHeaders rawFromJson(const QString& json);
} // namespace headers

} // namespace outhook
