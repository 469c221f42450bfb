#pragma once

#include <QByteArray>
#include <QStringList>

namespace outhook::signing {

// Standard Webhooks signatures (https://www.standardwebhooks.com): the signed content is
// "{webhook-id}.{webhook-timestamp}.{body}" and each signature is "v1," + base64(HMAC-SHA256).
// `sign` returns one "v1,..." per secret, space separated, for the webhook-signature header.
QByteArray sign(const QByteArray& msgId, qint64 timestamp, const QByteArray& body, const QStringList& secrets);
// The base64 HMAC for one raw key, without the "v1," prefix.
QByteArray signatureFor(const QByteArray& key, const QByteArray& msgId, qint64 timestamp, const QByteArray& body);

enum class VerifyResult
{
    Ok,
    MissingHeader,
    InvalidSecret,
    TimestampOutOfTolerance,
    NoMatchingSignature
};

// What a receiver does: checks the timestamp against `nowSeconds` (±toleranceSeconds) and accepts when
// any v1 signature in `signatureHeader` matches, compared in constant time.
VerifyResult verify(const QString& secret, const QByteArray& msgId, const QByteArray& timestampHeader,
                    const QByteArray& body, const QByteArray& signatureHeader, qint64 nowSeconds,
                    qint64 toleranceSeconds = 300);

} // namespace outhook::signing
