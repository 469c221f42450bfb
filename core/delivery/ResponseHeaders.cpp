#include "delivery/ResponseHeaders.h"

#include <QList>

namespace outhook {

void ResponseHeaderParser::addLine(QByteArray line)
{
    while (!line.isEmpty() && (line.endsWith('\n') || line.endsWith('\r')))
        line.chop(1);
    if (line.startsWith("HTTP/")) {
        headers.clear();
        bytes = 0;
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() >= 2)
            statusCode = parts.at(1).toInt();
        return;
    }
    if (line.isEmpty() || headers.size() >= kMaxHeaders || bytes + line.size() > kMaxBytes)
        return;
    bytes += line.size();
    if ((line.startsWith(' ') || line.startsWith('\t')) && !headers.isEmpty()) {
        headers.last().second += ' ' + line.trimmed();
        return;
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArray name = colon > 0 ? line.left(colon).trimmed() : QByteArray();
    if (!name.isEmpty()) // " : v" has no name either (found by fuzz_response_headers)
        headers.append({name, line.mid(colon + 1).trimmed()});
}

ResponseHeaderParser parseResponseHeaderLines(const QByteArray& block)
{
    ResponseHeaderParser parser;
    qsizetype start = 0;
    while (start < block.size()) {
        qsizetype end = block.indexOf('\n', start);
        end = end < 0 ? block.size() : end + 1;
        parser.addLine(block.mid(start, end - start));
        start = end;
    }
    return parser;
}

} // namespace outhook
