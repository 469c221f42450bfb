#include "export/ExportFormat.h"

#include <QFileInfo>

namespace outhook {

QString exportFormatName(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Har:
        return QStringLiteral("har");
    case ExportFormat::Csv:
        return QStringLiteral("csv");
    case ExportFormat::Jsonl:
        return QStringLiteral("jsonl");
    }
    return {};
}

std::optional<ExportFormat> parseExportFormat(const QString& name)
{
    const QString n = name.trimmed().toLower();
    for (ExportFormat f : {ExportFormat::Har, ExportFormat::Csv, ExportFormat::Jsonl}) {
        if (n == exportFormatName(f))
            return f;
    }
    if (n == QLatin1String("ndjson"))
        return ExportFormat::Jsonl;
    return std::nullopt;
}

QString exportFormatSuffix(ExportFormat format)
{
    return exportFormatName(format);
}

std::optional<ExportFormat> exportFormatForFileName(const QString& fileName)
{
    return parseExportFormat(QFileInfo(fileName).suffix());
}

} // namespace outhook
