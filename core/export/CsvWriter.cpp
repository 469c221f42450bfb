#include "export/CsvWriter.h"

#include "util/Time.h"

namespace outhook {

QStringList CsvWriter::columns()
{
    return {QStringLiteral("delivery_id"),    QStringLiteral("event_id"),      QStringLiteral("event_type"),
            QStringLiteral("webhook_id"),     QStringLiteral("url"),           QStringLiteral("msg_id"),
            QStringLiteral("status"),         QStringLiteral("created_at"),    QStringLiteral("attempt"),
            QStringLiteral("trigger"),        QStringLiteral("started_at"),    QStringLiteral("duration_ms"),
            QStringLiteral("status_code"),    QStringLiteral("error_class"),   QStringLiteral("error"),
            QStringLiteral("remote_address"), QStringLiteral("response_size"), QStringLiteral("response_body")};
}

QString CsvWriter::escape(const QString& field)
{
    static const QString special = QStringLiteral(",\"\r\n");
    const bool quote = std::any_of(field.begin(), field.end(), [](QChar c) { return special.contains(c); });
    if (!quote)
        return field;
    QString out = field;
    out.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

QString CsvWriter::escapeText(const QString& field)
{
    static const QString triggers = QStringLiteral("=+-@\t\r");
    if (!field.isEmpty() && triggers.contains(field.front()))
        return escape(QLatin1Char('\'') + field);
    return escape(field);
}

bool CsvWriter::writeRow(const QStringList& fields)
{
    if (!put(fields.join(QLatin1Char(',')).toUtf8() + QByteArrayLiteral("\r\n")))
        return false;
    countRecord();
    return true;
}

bool CsvWriter::begin()
{
    return put(columns().join(QLatin1Char(',')).toUtf8() + QByteArrayLiteral("\r\n"));
}

bool CsvWriter::write(const Delivery& d, const QList<Attempt>& attempts)
{
    const QStringList delivery{QString::number(d.id),        QString::number(d.eventId), escapeText(d.eventType),
                               QString::number(d.webhookId), escapeText(d.url),          escapeText(d.msgId),
                               deliveryStatusName(d.status), time::toIso(d.createdAt)};
    if (attempts.isEmpty())
        return writeRow(delivery + QStringList(columns().size() - delivery.size()));
    for (const Attempt& a : attempts) {
        QStringList row = delivery;
        row << QString::number(a.number) << attemptTriggerName(a.trigger) << time::toIso(a.startedAt)
            << QString::number(a.durationMs) << (a.statusCode ? QString::number(*a.statusCode) : QString())
            << escapeText(a.errorClass) << escapeText(a.error) << escapeText(a.remoteAddress)
            << QString::number(a.responseBodySize) << escapeText(QString::fromUtf8(a.responseBody));
        if (!writeRow(row))
            return false;
    }
    return true;
}

} // namespace outhook
