#pragma once

#include <QByteArray>
#include <QString>

namespace outhook::signing {

// A fresh Standard Webhooks secret: "whsec_" + base64 of 32 bytes from OpenSSL's CSPRNG.
QString generateSecret();
// Cryptographically random bytes (RAND_bytes). Aborts the process if the CSPRNG fails: no weak fallback.
QByteArray randomBytes(int count);
// The key bytes behind a "whsec_..." secret. Empty when the base64 is malformed.
QByteArray secretKey(const QString& secret);
// Compares without an early exit, so timing reveals nothing about where two MACs differ.
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

} // namespace outhook::signing
