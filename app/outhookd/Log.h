#pragma once

#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>
#include <optional>

namespace outhook::cli::log {

enum class Format
{
    Text, // "outhookd: message key=value ..."
    Json, // one JSON object per line: ts, level, msg and the fields
};

using Fields = QList<QPair<QString, QJsonValue>>;

// Routes qDebug/qWarning/... through the same writer, so Qt's own messages follow the format too.
void install();
void setFormat(Format format);
Format format();
// Parses "text" or "json".
std::optional<Format> parseFormat(const QString& text);

// Writes one line on stderr; safe from any thread. Callers never pass secrets, bodies or headers.
void write(QtMsgType level, const QString& message, const Fields& fields = {});
// An API request's line ("GET /path 200" with method, path, status, request_id and duration_ms): written
// with the others of the same pass of the event loop (one system call for a burst of requests rather than
// one each), before any other line and at exit. A kill -9 loses at most that pass's lines.
void request(const QByteArray& method, const QString& path, int status, const QByteArray& requestId, qint64 durationMs);
// Writes the access-log lines still waiting.
void flush();
inline void info(const QString& message, const Fields& fields = {})
{
    write(QtInfoMsg, message, fields);
}
inline void warn(const QString& message, const Fields& fields = {})
{
    write(QtWarningMsg, message, fields);
}
inline void error(const QString& message, const Fields& fields = {})
{
    write(QtCriticalMsg, message, fields);
}

} // namespace outhook::cli::log
