#pragma once

#include "model/Delivery.h"

#include <QJsonObject>

namespace outhook::json {

// The public shapes of deliveries and attempts, shared by `outhookd --json` and the REST API.
QJsonObject deliveryToJson(const Delivery& d);
// With the payload (parsed back to JSON) and every attempt.
QJsonObject deliveryDetailToJson(const Delivery& d, const QList<Attempt>& attempts);
QJsonObject attemptToJson(const Attempt& a);
QJsonObject headersToJson(const RawHeaders& headers); // repeated names are joined with ", "

} // namespace outhook::json
