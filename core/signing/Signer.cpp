#include "signing/Signer.h"

#include "signing/Secret.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdio>
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

EVP_MAC_CTX* newKeyedContext(const QByteArray& key)
{
    std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_new(hmac()));
    if (!ctx)
        return nullptr;
    char digestName[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.constData()), size_t(key.size()), params) !=
        1)
        return nullptr;
    return ctx.release();
}

// Keyed HMAC contexts, per thread, for the last few keys. Keying fetches the digest and hashes the key
// pads; a keyed context restarts with EVP_MAC_init(ctx, NULL, 0, NULL), which only copies the pads back,
// as `openssl speed -hmac` does. An engine signs with a handful of secrets over and over.
class KeyedContexts
{
public:
    EVP_MAC_CTX* forKey(const QByteArray& key)
    {
        for (Entry& e : m_entries)
            if (e.key == key)
                return e.ctx.get();
        EVP_MAC_CTX* ctx = newKeyedContext(key);
        if (!ctx)
            return nullptr;
        if (m_entries.size() < kCapacity) {
            m_entries.push_back({key, std::unique_ptr<EVP_MAC_CTX, MacDeleter>(ctx)});
        } else {
            m_entries[m_next] = {key, std::unique_ptr<EVP_MAC_CTX, MacDeleter>(ctx)};
            m_next = (m_next + 1) % kCapacity;
        }
        return ctx;
    }

private:
    static constexpr size_t kCapacity = 32;
    struct Entry
    {
        QByteArray key;
        std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx;
    };
    std::vector<Entry> m_entries;
    size_t m_next = 0;
};

// The decoded key of the last few secrets, so that signing does not decode base64 every time.
QByteArray cachedSecretKey(const QString& secret)
{
    struct Decoded
    {
        QString secret;
        QByteArray key;
    };
    thread_local std::vector<Decoded> cache;
    thread_local size_t next = 0;
    for (const Decoded& d : cache)
        if (d.secret == secret)
            return d.key;
    Decoded d{secret, secretKey(secret)};
    if (cache.size() < 32) {
        cache.push_back(d);
    } else {
        cache[next] = d;
        next = (next + 1) % cache.size();
    }
    return d.key;
}

} // namespace

QByteArray signatureFor(const QByteArray& key, const QByteArray& msgId, qint64 timestamp, const QByteArray& body)
{
    thread_local KeyedContexts contexts;
    EVP_MAC_CTX* ctx = contexts.forKey(key);
    if (!ctx || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1)
        return {};
    char ts[24];
    const int tsLen = std::snprintf(ts, sizeof(ts), "%lld", static_cast<long long>(timestamp));
    const auto update = [ctx](const char* data, size_t size) {
        return EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data), size) == 1;
    };
    if (!update(msgId.constData(), size_t(msgId.size())) || !update(".", 1) || !update(ts, size_t(tsLen)) ||
        !update(".", 1) || !update(body.constData(), size_t(body.size())))
        return {};
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t outLen = 0;
    if (EVP_MAC_final(ctx, out, &outLen, sizeof(out)) != 1)
        return {};
    return QByteArray::fromRawData(reinterpret_cast<const char*>(out), qsizetype(outLen)).toBase64();
}

QByteArray sign(const QByteArray& msgId, qint64 timestamp, const QByteArray& body, const QStringList& secrets)
{
    QByteArray header;
    for (const QString& secret : secrets) {
        const QByteArray key = cachedSecretKey(secret);
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
