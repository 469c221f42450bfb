#include "model/Delivery.h"

namespace outhook {

QString deliveryStatusName(DeliveryStatus s)
{
    switch (s) {
    case DeliveryStatus::Pending:
        return QStringLiteral("pending");
    case DeliveryStatus::Retrying:
        return QStringLiteral("retrying");
    case DeliveryStatus::Succeeded:
        return QStringLiteral("succeeded");
    case DeliveryStatus::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

std::optional<DeliveryStatus> parseDeliveryStatus(const QString& name)
{
    for (DeliveryStatus s :
         {DeliveryStatus::Pending, DeliveryStatus::Retrying, DeliveryStatus::Succeeded, DeliveryStatus::Failed}) {
        if (deliveryStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

QString attemptTriggerName(AttemptTrigger t)
{
    switch (t) {
    case AttemptTrigger::Scheduled:
        return QStringLiteral("scheduled");
    case AttemptTrigger::Manual:
        return QStringLiteral("manual");
    case AttemptTrigger::Test:
        return QStringLiteral("test");
    }
    return {};
}

AttemptTrigger parseAttemptTrigger(const QString& name)
{
    if (name == QLatin1String("manual"))
        return AttemptTrigger::Manual;
    if (name == QLatin1String("test"))
        return AttemptTrigger::Test;
    return AttemptTrigger::Scheduled;
}

} // namespace outhook
