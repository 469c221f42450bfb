#include "model/HeaderList.h"

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

} // namespace outhook::headers
