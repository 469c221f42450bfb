#include "signing/Signer.h"

#include "signing/Secret.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

namespace outhook::signing {

namespace {

struct MacDeleter
{
    void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// Fetching the HMAC implementation is the expensive part of an OpenSSL 3 MAC; do it once per thread.
EVP_MAC* hmac()
{
    thread_local std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    return mac.get();
}

} // namespace

QByteArray signatureFor(const QByteArray& key, const QByteArray& msgId, qint64 timestamp, const QByteArray& body)
{
    std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_new(hmac()));
    if (!ctx)
        return {};
    char digestName[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.constData()), size_t(key.size()), params) !=
        1)
        return {};
    const QByteArray ts = QByteArray::number(timestamp);
    const auto update = [&](const QByteArray& part) {
        return EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.constData()),
                              size_t(part.size())) == 1;
    };
    static const QByteArray dot(".");
    if (!update(msgId) || !update(dot) || !update(ts) || !update(dot) || !update(body))
        return {};
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t outLen = 0;
    if (EVP_MAC_final(ctx.get(), out, &outLen, sizeof(out)) != 1)
        return {};
    return QByteArray(reinterpret_cast<const char*>(out), qsizetype(outLen)).toBase64();
}

QByteArray sign(const QByteArray& msgId, qint64 timestamp, const QByteArray& body, const QStringList& secrets)
{
    QByteArray header;
    for (const QString& secret : secrets) {
        const QByteArray key = secretKey(secret);
        if (key.isEmpty())
            continue;
        if (!header.isEmpty())
            header += ' ';
        header += "v1," + signatureFor(key, msgId, timestamp, body);
    }
    return header;
}

VerifyResult verify(const QString& secret, const QByteArray& msgId, const QByteArray& timestampHeader,
                    const QByteArray& body, const QByteArray& signatureHeader, qint64 nowSeconds,
                    qint64 toleranceSeconds)
{
    if (msgId.isEmpty() || timestampHeader.isEmpty() || signatureHeader.isEmpty())
        return VerifyResult::MissingHeader;
    const QByteArray key = secretKey(secret);
    if (key.isEmpty())
        return VerifyResult::InvalidSecret;
    bool ok = false;
    const qint64 ts = timestampHeader.trimmed().toLongLong(&ok);
    if (!ok || ts < nowSeconds - toleranceSeconds || ts > nowSeconds + toleranceSeconds)
        return VerifyResult::TimestampOutOfTolerance;
    const QByteArray expected = signatureFor(key, msgId, ts, body);
    for (const QByteArray& part : signatureHeader.split(' ')) {
        if (!part.startsWith("v1,"))
            continue;
        if (constantTimeEquals(part.mid(3), expected))
            return VerifyResult::Ok;
    }
    return VerifyResult::NoMatchingSignature;
}

} // namespace outhook::signing
