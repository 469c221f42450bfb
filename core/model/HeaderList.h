#pragma once

#include <QList>
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

namespace headers {
// Parses "Name: value" as given on the command line. Returns false when there is no colon.
bool parseLine(const QString& line, Header* out);
// RFC 9110 token: 1*tchar.
bool isToken(const QString& name);
QString redacted();
} // namespace headers

} // namespace outhook
