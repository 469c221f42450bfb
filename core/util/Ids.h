#pragma once

#include <QByteArray>

namespace outhook::ids {

// "msg_" + 24 URL-safe characters from 18 CSPRNG bytes: the webhook-id header of a delivery.
QByteArray newMessageId();
// "req_" + 12 URL-safe characters from 9 CSPRNG bytes: names one API request in answers and logs.
QByteArray newRequestId();
// A unique name for this engine process, used as the lease owner ("host-pid-random").
QByteArray newEngineId();

} // namespace outhook::ids
