#pragma once

#include <QString>
#include <optional>

namespace outhook {

// What an export writes: a HAR 1.2 archive (one entry per attempt, for browser devtools and HTTP
// clients), CSV (one row per attempt, for spreadsheets) or JSON Lines (one delivery per line, in the
// REST API's shape, for scripts).
enum class ExportFormat
{
    Har,
    Csv,
    Jsonl
};

QString exportFormatName(ExportFormat format); // "har", "csv", "jsonl"
std::optional<ExportFormat> parseExportFormat(const QString& name);
QString exportFormatSuffix(ExportFormat format); // "har", "csv", "jsonl"
// The format a file name's suffix asks for (case-insensitive); nullopt for anything else.
std::optional<ExportFormat> exportFormatForFileName(const QString& fileName);

} // namespace outhook
