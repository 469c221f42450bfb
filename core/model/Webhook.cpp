#include "model/Webhook.h"

namespace outhook {

QStringList Webhook::liveSecrets(qint64 nowMs) const
{
    QStringList out{secret};
    if (!previousSecret.isEmpty() && previousSecretExpiresAt && *previousSecretExpiresAt > nowMs)
        out << previousSecret;
    return out;
}

} // namespace outhook
