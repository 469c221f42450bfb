#include "security/SecretBox.h"

#include "signing/Secret.h"

#include <QCoreApplication>
#include <QCryptographicHash>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace outhook::security {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("SecretBox", text);
}

struct CipherCtxDeleter
{
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* bytes(const QByteArray& a)
{
    return reinterpret_cast<const unsigned char*>(a.constData());
}

unsigned char* bytes(QByteArray& a)
{
    return reinterpret_cast<unsigned char*>(a.data());
}

} // namespace

SecretBox::SecretBox(QByteArray key)
    : m_key(std::move(key))
    , m_keyId(keyIdOf(m_key))
{
    Q_ASSERT(m_key.size() == kKeySize);
}

SecretBox::~SecretBox()
{
    OPENSSL_cleanse(m_key.data(), size_t(m_key.size()));
}

QString SecretBox::prefix()
{
    return QStringLiteral("enc:v1:");
}

bool SecretBox::isSealed(const QString& stored)
{
    return stored.startsWith(prefix());
}

QString SecretBox::keyIdOf(const QByteArray& key)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(QByteArrayView("outhook-key-id"));
    h.addData(key);
    return QString::fromLatin1(h.result().left(8).toHex());
}

QString SecretBox::seal(const QString& plaintext, const QString& context) const
{
    if (plaintext.isEmpty())
        return QStringLiteral("");
    const QByteArray plain = plaintext.toUtf8();
    const QByteArray aad = context.toUtf8();
    const QByteArray nonce = signing::randomBytes(kNonceSize);
    QByteArray out = nonce;
    out.resize(kNonceSize + plain.size() + kTagSize);
    unsigned char* cipher = bytes(out) + kNonceSize;
    int len = 0;
    int total = 0;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    // Encryption fails only on allocation failure or a broken OpenSSL; there is no safe fallback.
    const bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1 &&
                    EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(m_key), bytes(nonce)) == 1 &&
                    EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), int(aad.size())) == 1 &&
                    EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plain), int(plain.size())) == 1 &&
                    (total = len, EVP_EncryptFinal_ex(ctx.get(), cipher + total, &len) == 1) &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, cipher + total + len) == 1;
    if (!ok)
        qFatal("outhook: AES-256-GCM encryption failed in OpenSSL; refusing to store a secret unencrypted");
    return prefix() + QString::fromLatin1(out.toBase64());
}

Result<QString> SecretBox::open(const QString& stored, const QString& context) const
{
    if (!isSealed(stored))
        return stored;
    const auto decoded =
        QByteArray::fromBase64Encoding(stored.mid(prefix().size()).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < kNonceSize + kTagSize)
        return Error::storage(tr("The encrypted value of %1 is damaged (not a valid envelope)").arg(context));
    const QByteArray& in = *decoded;
    const int cipherSize = int(in.size()) - kNonceSize - kTagSize;
    const QByteArray aad = context.toUtf8();
    QByteArray tag = in.right(kTagSize);
    QByteArray plain(qMax(cipherSize, 1), Qt::Uninitialized);
    int len = 0;
    int total = 0;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1 &&
                    EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(m_key), bytes(in)) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), int(aad.size())) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, bytes(in) + kNonceSize, cipherSize) == 1 &&
                    (total = len, EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, bytes(tag)) == 1) &&
                    EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + total, &len) == 1;
    if (!ok) {
        OPENSSL_cleanse(plain.data(), size_t(plain.size()));
        return Error::storage(
            tr("The encrypted value of %1 does not decrypt: it was changed, or it was sealed with another master key")
                .arg(context));
    }
    plain.truncate(total + len);
    return QString::fromUtf8(plain);
}

} // namespace outhook::security
