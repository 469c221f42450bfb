#pragma once

#include "export/DeliveryWriter.h"

#include <QStringList>

namespace outhook {

// RFC 4180 CSV, UTF-8, CRLF line ends, a header row first. One row per attempt, with its delivery's
// columns repeated; a delivery without attempts yet gets one row with the attempt columns empty.
// Text that a spreadsheet would run as a formula (starting with = + - @ tab or CR) gets a leading
// apostrophe: response bodies come from third parties, and this file will be opened in Excel.
class CsvWriter final : public DeliveryWriter
{
public:
    using DeliveryWriter::DeliveryWriter;

    bool begin() override;
    bool write(const Delivery& delivery, const QList<Attempt>& attempts) override;
    bool finish() override { return true; }

    static QStringList columns();
    // One field, quoted when it holds a comma, a quote, CR or LF (quotes doubled).
    static QString escape(const QString& field);
    // A text field (not numbers or times): also defused against formula injection.
    static QString escapeText(const QString& field);

private:
    bool writeRow(const QStringList& fields);
};

} // namespace outhook
