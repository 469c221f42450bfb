#pragma once

#include "export/DeliveryWriter.h"

namespace outhook {

// JSON Lines: one compact JSON object per delivery and line, in the REST API's delivery shape with
// its payload and attempts (`outhookd deliveries show --json`), headers redacted for export.
// Newlines inside strings are escaped by JSON, so a line is always one whole delivery.
class JsonlWriter final : public DeliveryWriter
{
public:
    using DeliveryWriter::DeliveryWriter;

    bool begin() override { return true; }
    bool write(const Delivery& delivery, const QList<Attempt>& attempts) override;
    bool finish() override { return true; }
};

} // namespace outhook
