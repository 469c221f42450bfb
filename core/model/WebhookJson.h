#pragma once

#include "model/Webhook.h"

#include <QJsonObject>

namespace outhook::json {

enum class SecretVisibility
{
    Hidden,
    Shown
};

// The public shape of a webhook, shared by `outhookd --json` and the REST API. Passwords, tokens and
// secret header values are never included; the signing secret only when asked for (create and show).
QJsonObject webhookToJson(const Webhook& w, SecretVisibility secret);

} // namespace outhook::json
