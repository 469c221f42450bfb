#pragma once

#include <QByteArray>

namespace outhook::json {

// Appends `utf8` as a JSON string literal: quotes, backslashes and control characters escaped, everything
// else copied as is. For hot paths that write JSON by hand; the text is what QJsonDocument writes for the
// same string (\n, \r, \t, \b and \f by name, other controls as \u00XX).
void appendString(QByteArray& out, const QByteArray& utf8);

} // namespace outhook::json
