// The Standard Webhooks verifier with attacker-controlled headers and body. The input is split on the
// first three newlines into webhook-id, webhook-timestamp, webhook-signature and the body.
#include "FuzzSupport.h"

#include "signing/Secret.h"
#include "signing/Signer.h"

using namespace outhook;
using signing::VerifyResult;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const QString secret = QStringLiteral("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    constexpr qint64 now = 1700000000;
    const QByteArray input = fuzz::bytes(data, size);
    QList<QByteArray> parts = input.split('\n');
    while (parts.size() < 4)
        parts.append(QByteArray());
    const QByteArray msgId = parts.at(0);
    const QByteArray timestamp = parts.at(1);
    const QByteArray signature = parts.at(2);
    const QByteArray body = input.mid(msgId.size() + timestamp.size() + signature.size() + 3);

    const VerifyResult r = signing::verify(secret, msgId, timestamp, body, signature, now);
    // Forging is out of reach for a fuzzer: Ok is only possible when the input carries the real MAC.
    if (r == VerifyResult::Ok) {
        const QByteArray real =
            "v1," + signing::signatureFor(signing::secretKey(secret), msgId, timestamp.trimmed().toLongLong(), body);
        FUZZ_CHECK(signature.split(' ').contains(real), QString::fromLatin1(signature));
    }
    // Whatever came in, a correctly signed copy of the same message verifies.
    if (!msgId.isEmpty()) {
        const QByteArray good = signing::sign(msgId, now, body, {secret});
        FUZZ_CHECK(signing::verify(secret, msgId, QByteArray::number(now), body, good, now) == VerifyResult::Ok,
                   QString::fromLatin1(good));
        FUZZ_CHECK(signing::verify(secret, msgId, QByteArray::number(now), body + 'x', good, now) != VerifyResult::Ok,
                   QString());
    }
    // Any secret string, valid or not, is handled without crashing.
    signing::verify(QString::fromUtf8(signature), msgId, QByteArray::number(now), body, signature, now);
    return 0;
}
