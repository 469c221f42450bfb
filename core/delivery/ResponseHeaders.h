#pragma once

#include "model/HeaderList.h"

#include <QByteArray>

namespace outhook {

// The status code and headers of an HTTP response, built one raw header line at a time as curl hands
// them over. Pure: no I/O, so it is unit-tested and fuzzed on its own.
struct ResponseHeaderParser
{
    // Caps on what is kept; lines beyond them are dropped, never an error.
    static constexpr qsizetype kMaxBytes = 128 * 1024;
    static constexpr qsizetype kMaxHeaders = 500;

    int statusCode = 0;  // from the last status line seen
    RawHeaders headers;  // the last response's headers, in order
    qsizetype bytes = 0; // header bytes kept for the current response

    // One line, with or without its CR LF. A status line ("HTTP/...") starts a new response, so interim
    // 1xx responses are forgotten; a line starting with a space or tab continues the previous header
    // (obsolete folding); a line without a colon, or with an empty or blank name, is ignored.
    void addLine(QByteArray line);
};

// Feeds every LF-terminated line of `block` to a fresh parser (what curl would call back with).
ResponseHeaderParser parseResponseHeaderLines(const QByteArray& block);

} // namespace outhook
