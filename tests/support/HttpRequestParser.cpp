#include "HttpRequestParser.h"

#include <QDateTime>

namespace outhook::test {

namespace {

constexpr qsizetype MaxLineBytes = 64 * 1024;
constexpr qsizetype MaxHeaderBytes = 1024 * 1024;

bool hasToken(const QByteArray& value, const char* token)
{
    const QList<QByteArray> parts = value.split(',');
    for (const QByteArray& part : parts) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

void HttpRequestParser::append(const QByteArray& data)
{
    if (m_state == State::Failed)
        return;
    m_buf.append(data);
}

bool HttpRequestParser::takeLine(QByteArray* line)
{
    const qsizetype nl = m_buf.indexOf('\n', m_pos);
    if (nl < 0)
        return false;
    qsizetype end = nl;
    if (end > m_pos && m_buf.at(end - 1) == '\r')
        --end;
    *line = m_buf.mid(m_pos, end - m_pos);
    m_pos = nl + 1;
    return true;
}

HttpRequestParser::Result HttpRequestParser::fail(const char* why)
{
    m_state = State::Failed;
    m_error = why;
    return Result::Error;
}

void HttpRequestParser::compact()
{
    if (m_pos == 0)
        return;
    if (m_pos >= m_buf.size()) {
        m_buf.clear();
        m_pos = 0;
    } else if (m_pos > 64 * 1024 && m_pos * 2 > m_buf.size()) {
        m_buf.remove(0, m_pos);
        m_pos = 0;
    }
}

bool HttpRequestParser::parseRequestLine(const QByteArray& line)
{
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 <= sp1 + 1)
        return false;
    m_request = TlsReceiver::Request();
    m_request.method = line.left(sp1);
    m_request.path = line.mid(sp1 + 1, sp2 - sp1 - 1);
    m_version = line.mid(sp2 + 1).trimmed();
    if (!m_version.startsWith("HTTP/1."))
        return false;
    m_requestKeepAlive = m_version != "HTTP/1.0";
    m_expectContinue = false;
    m_remaining = 0;
    return true;
}

bool HttpRequestParser::parseHeaderLine(const QByteArray& line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    m_request.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    return true;
}

bool HttpRequestParser::finishHeaders()
{
    bool chunked = false;
    bool haveLength = false;
    for (const auto& [name, value] : std::as_const(m_request.headers)) {
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            if (hasToken(value, "chunked"))
                chunked = true;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || (haveLength && length != m_remaining))
                return false;
            m_remaining = length;
            haveLength = true;
        } else if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            if (hasToken(value, "close"))
                m_requestKeepAlive = false;
            else if (hasToken(value, "keep-alive"))
                m_requestKeepAlive = true;
        } else if (name.compare("Expect", Qt::CaseInsensitive) == 0) {
            m_expectContinue = hasToken(value, "100-continue");
        }
    }
    if (chunked) {
        m_remaining = 0;
        m_state = State::ChunkSize;
    } else {
        m_state = m_remaining > 0 ? State::Body : State::Done;
        m_request.body.reserve(qsizetype(qMin<qint64>(m_remaining, 64 * 1024 * 1024)));
    }
    if (m_state != State::Done && m_expectContinue) {
        // Only ask for the body when the client has not already started sending it.
        m_continueNeeded = m_pos >= m_buf.size();
    }
    return true;
}

HttpRequestParser::Result HttpRequestParser::parse()
{
    QByteArray line;
    for (;;) {
        switch (m_state) {
        case State::Failed:
            return Result::Error;
        case State::RequestLine:
            if (!takeLine(&line)) {
                if (m_buf.size() - m_pos > MaxLineBytes)
                    return fail("request line too long");
                compact();
                return Result::NeedMore;
            }
            if (line.isEmpty())
                continue; // tolerate stray CRLF between requests (RFC 9112 §2.2)
            if (!parseRequestLine(line))
                return fail("malformed request line");
            m_headerBytes = line.size();
            m_state = State::Headers;
            break;
        case State::Headers:
            if (!takeLine(&line)) {
                if (m_buf.size() - m_pos > MaxLineBytes)
                    return fail("header line too long");
                compact();
                return Result::NeedMore;
            }
            m_headerBytes += line.size() + 2;
            if (m_headerBytes > MaxHeaderBytes)
                return fail("headers too large");
            if (line.isEmpty()) {
                if (!finishHeaders())
                    return fail("bad message framing");
            } else if (!parseHeaderLine(line)) {
                return fail("malformed header line");
            }
            break;
        case State::Body:
        case State::ChunkData: {
            const qint64 available = m_buf.size() - m_pos;
            if (available == 0) {
                compact();
                return Result::NeedMore;
            }
            const qsizetype take = qsizetype(qMin(available, m_remaining));
            m_request.body.append(m_buf.constData() + m_pos, take);
            m_pos += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = m_state == State::Body ? State::Done : State::ChunkDataEnd;
            break;
        }
        case State::ChunkSize: {
            if (!takeLine(&line)) {
                if (m_buf.size() - m_pos > MaxLineBytes)
                    return fail("chunk size line too long");
                compact();
                return Result::NeedMore;
            }
            const qsizetype semicolon = line.indexOf(';');
            const QByteArray hex = (semicolon < 0 ? line : line.left(semicolon)).trimmed();
            bool ok = false;
            const qint64 size = hex.toLongLong(&ok, 16);
            if (!ok || size < 0)
                return fail("bad chunk size");
            m_remaining = size;
            m_state = size == 0 ? State::Trailers : State::ChunkData;
            break;
        }
        case State::ChunkDataEnd:
            if (!takeLine(&line)) {
                if (m_buf.size() - m_pos >= 2)
                    return fail("chunk not followed by CRLF");
                compact();
                return Result::NeedMore;
            }
            if (!line.isEmpty())
                return fail("chunk not followed by CRLF");
            m_state = State::ChunkSize;
            break;
        case State::Trailers:
            if (!takeLine(&line)) {
                compact();
                return Result::NeedMore;
            }
            if (line.isEmpty())
                m_state = State::Done;
            break;
        case State::Done:
            m_request.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
            m_keepAlive = m_requestKeepAlive;
            m_continueNeeded = false;
            m_state = State::RequestLine;
            compact();
            return Result::Complete;
        }
    }
}

TlsReceiver::Request HttpRequestParser::takeRequest()
{
    TlsReceiver::Request request = std::move(m_request);
    m_request = TlsReceiver::Request();
    return request;
}

bool HttpRequestParser::takeContinueNeeded()
{
    const bool needed = m_continueNeeded;
    m_continueNeeded = false;
    return needed;
}

} // namespace outhook::test
