#pragma once

#include "model/Delivery.h"

#include <QByteArray>
#include <QString>

namespace outhook {

// A one-line shell command that repeats `attempt` with curl: same URL, same headers in the same order,
// `payload` as the exact body bytes. Every argument is single-quoted, so it is safe to paste into
// sh/bash/zsh. Header values come from the attempt log, where secrets are already "[redacted]"; they
// stay redacted here, so the user has to put the real credential back before running it.
QString curlCommand(const Attempt& attempt, const QByteArray& payload);

// `text` as one single-quoted shell word ('it'\''s').
QString shellQuote(const QString& text);

} // namespace outhook
