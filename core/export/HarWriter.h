#pragma once

#include "export/DeliveryWriter.h"

#include <QJsonObject>

namespace outhook {

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), streamed: the log's head, then one entry
// per attempt as it comes, then the tail. Chrome DevTools, Firefox, Insomnia and Charles open it.
// The request body is the delivery's frozen payload (the bytes every attempt sent). Timings are what
// Outhook measures: the whole exchange counts as `wait`; phases it does not measure are -1 or 0.
// Attempts that got no response (timeout, TLS or connection errors) have status 0 and an `_error`,
// as browsers write them. Outhook's own fields start with an underscore, as the spec asks.
class HarWriter final : public DeliveryWriter
{
public:
    using DeliveryWriter::DeliveryWriter;

    bool begin() override;
    bool write(const Delivery& delivery, const QList<Attempt>& attempts) override;
    bool finish() override;

    // One entry, as written (exposed for tests and the CLI's single-delivery view).
    static QJsonObject entry(const Delivery& delivery, const Attempt& attempt);
    static QString reasonPhrase(int status);
};

} // namespace outhook
