#pragma once

#include "export/ExportFormat.h"
#include "model/Delivery.h"

#include <QIODevice>
#include <memory>

namespace outhook {

// Writes deliveries to a device as they come, one at a time, so an export of any size holds one page
// in memory. Call begin(), write() for each delivery (newest first, as the log pages), then finish().
// Each returns false once writing to the device failed; errorString() then says why.
class DeliveryWriter
{
public:
    explicit DeliveryWriter(QIODevice* device)
        : m_device(device)
    {}
    virtual ~DeliveryWriter() = default;
    DeliveryWriter(const DeliveryWriter&) = delete;
    DeliveryWriter& operator=(const DeliveryWriter&) = delete;

    static std::unique_ptr<DeliveryWriter> create(ExportFormat format, QIODevice* device);

    virtual bool begin() = 0;
    // `delivery` carries its payload; `attempts` are in order, with headers as the log stored them.
    virtual bool write(const Delivery& delivery, const QList<Attempt>& attempts) = 0;
    virtual bool finish() = 0;

    // Records written so far: HAR entries, CSV rows or JSON lines.
    qint64 recordCount() const { return m_records; }
    QString errorString() const;

protected:
    bool put(const QByteArray& bytes);
    void countRecord() { ++m_records; }

private:
    QIODevice* m_device;
    qint64 m_records = 0;
    bool m_failed = false;
};

} // namespace outhook
