#pragma once

#include "TlsReceiver.h"

#include <QByteArray>

namespace outhook::test {

// Incremental HTTP/1.1 request parser for TlsReceiver: feed bytes as they arrive with append(),
// then call parse() until it stops returning Complete. Handles Content-Length and chunked request
// bodies (chunk extensions and trailers are skipped). Bytes after a complete request stay buffered
// for the next one (pipelining / keep-alive).
class HttpRequestParser
{
public:
    enum class Result
    {
        NeedMore,
        Complete,
        Error
    };

    void append(const QByteArray& data);
    // Advances as far as the buffered bytes allow. On Complete, takeRequest() returns the request and
    // the parser is ready for the next one. After Error the parser stays in the error state.
    Result parse();
    TlsReceiver::Request takeRequest(); // call before the next parse()

    // True once per request when its headers asked for "Expect: 100-continue" and the body has not
    // fully arrived yet; reading it clears the flag.
    bool takeContinueNeeded();
    // Whether the request just taken asked to keep the connection open (HTTP/1.1 default).
    bool keepAlive() const { return m_keepAlive; }
    QByteArray errorString() const { return m_error; }
    bool hasBufferedData() const { return m_pos < m_buf.size(); }

private:
    enum class State
    {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Done,
        Failed
    };

    bool takeLine(QByteArray* line); // without the CR LF; false when no full line is buffered yet
    bool parseRequestLine(const QByteArray& line);
    bool parseHeaderLine(const QByteArray& line);
    bool finishHeaders();
    Result fail(const char* why);
    void compact();

    QByteArray m_buf;
    qsizetype m_pos = 0;
    State m_state = State::RequestLine;
    TlsReceiver::Request m_request;
    QByteArray m_version;
    qint64 m_remaining = 0; // body bytes (Content-Length) or bytes left in the current chunk
    qsizetype m_headerBytes = 0;
    bool m_continueNeeded = false;
    bool m_expectContinue = false;
    bool m_keepAlive = true;
    bool m_requestKeepAlive = true;
    QByteArray m_error;
};

} // namespace outhook::test
