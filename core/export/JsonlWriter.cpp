#include "export/JsonlWriter.h"

#include "export/ExportRedaction.h"
#include "model/DeliveryJson.h"

#include <QJsonDocument>

namespace outhook {

bool JsonlWriter::write(const Delivery& delivery, const QList<Attempt>& attempts)
{
    QList<Attempt> shown = attempts;
    for (Attempt& a : shown) {
        a.requestHeaders = exporting::redactHeaders(a.requestHeaders);
        a.responseHeaders = exporting::redactHeaders(a.responseHeaders);
    }
    if (!put(QJsonDocument(json::deliveryDetailToJson(delivery, shown)).toJson(QJsonDocument::Compact) + '\n'))
        return false;
    countRecord();
    return true;
}

} // namespace outhook
