#include "Log.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <atomic>
#include <cstdio>

namespace outhook::cli::log {

namespace {

std::atomic<Format> g_format{Format::Text};
QMutex g_mutex;

const char* levelName(QtMsgType level)
{
    switch (level) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void handler(QtMsgType level, const QMessageLogContext& context, const QString& message)
{
    Fields fields;
    if (context.category && qstrcmp(context.category, "default") != 0)
        fields.append({QStringLiteral("category"), QString::fromLatin1(context.category)});
    write(level, message, fields);
}

QString textValue(const QJsonValue& v)
{
    if (v.isString())
        return v.toString().contains(QLatin1Char(' ')) ? QLatin1Char('"') + v.toString() + QLatin1Char('"')
                                                       : v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace

void install()
{
    qInstallMessageHandler(handler);
}

void setFormat(Format format)
{
    g_format = format;
}

Format format()
{
    return g_format;
}

std::optional<Format> parseFormat(const QString& text)
{
    if (text == QLatin1String("text"))
        return Format::Text;
    if (text == QLatin1String("json"))
        return Format::Json;
    return std::nullopt;
}

void write(QtMsgType level, const QString& message, const Fields& fields)
{
    QByteArray line;
    if (g_format == Format::Json) {
        QJsonObject o;
        for (const auto& [k, v] : fields)
            o.insert(k, v);
        o.insert(QStringLiteral("ts"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
        o.insert(QStringLiteral("level"), QLatin1String(levelName(level)));
        o.insert(QStringLiteral("msg"), message);
        line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    } else {
        QString text = QStringLiteral("outhookd: ");
        if (level == QtWarningMsg || level == QtCriticalMsg || level == QtFatalMsg)
            text += QLatin1String(levelName(level)) + QStringLiteral(": ");
        text += message;
        for (const auto& [k, v] : fields)
            text += QLatin1Char(' ') + k + QLatin1Char('=') + textValue(v);
        line = text.toUtf8();
    }
    line += '\n';
    QMutexLocker lock(&g_mutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace outhook::cli::log
