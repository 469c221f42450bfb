#include "delivery/CurlCommand.h"

#include <QStringList>

namespace outhook {

QString shellQuote(const QString& text)
{
    // Inside single quotes nothing is special except the quote itself, which has to be closed, escaped
    // and reopened.
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString curlCommand(const Attempt& attempt, const QByteArray& payload)
{
    QStringList parts{QStringLiteral("curl"), QStringLiteral("-X"), QStringLiteral("POST"),
                      shellQuote(attempt.requestUrl)};
    for (const auto& [name, value] : attempt.requestHeaders) {
        parts << QStringLiteral("-H")
              << shellQuote(QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromUtf8(value));
    }
    // --data-binary, unlike -d, sends the bytes as they are (no newline stripping, no @file reading).
    parts << QStringLiteral("--data-binary") << shellQuote(QString::fromUtf8(payload));
    return parts.join(QLatin1Char(' '));
}

} // namespace outhook
