#include "export/DeliveryWriter.h"

#include "export/CsvWriter.h"
#include "export/HarWriter.h"
#include "export/JsonlWriter.h"

namespace outhook {

std::unique_ptr<DeliveryWriter> DeliveryWriter::create(ExportFormat format, QIODevice* device)
{
    switch (format) {
    case ExportFormat::Har:
        return std::make_unique<HarWriter>(device);
    case ExportFormat::Csv:
        return std::make_unique<CsvWriter>(device);
    case ExportFormat::Jsonl:
        return std::make_unique<JsonlWriter>(device);
    }
    return nullptr;
}

bool DeliveryWriter::put(const QByteArray& bytes)
{
    if (m_failed)
        return false;
    if (m_device->write(bytes) != bytes.size())
        m_failed = true;
    return !m_failed;
}

QString DeliveryWriter::errorString() const
{
    return m_failed ? m_device->errorString() : QString();
}

} // namespace outhook
