#pragma once

#include "model/HeaderList.h"

namespace outhook::exporting {

// Headers as an export shows them. The attempt log already stores auth and secret custom headers
// redacted; exports leave the building, so they also hide anything that could be replayed or that
// names a credential: authorization (keeping its scheme), signatures, cookies, tokens, API keys.
// Names match case-insensitively.
RawHeaders redactHeaders(const RawHeaders& headers);
bool isSensitiveHeader(const QByteArray& name);

} // namespace outhook::exporting
