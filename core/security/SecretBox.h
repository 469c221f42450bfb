#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>

namespace outhook::security {

// Seals short secrets (signing secrets, passwords, tokens, secret header values) for storage with
// AES-256-GCM under the master key. A sealed value is text: "enc:v1:" + base64(nonce12 | ciphertext |
// tag16), so a column can hold legacy plaintext and sealed values side by side and the reader tells
// them apart by the prefix. `context` (e.g. "webhooks.secret") is bound as associated data: a value
// copied into another column does not open.
class SecretBox
{
public:
    static constexpr int kKeySize = 32;
    static constexpr int kNonceSize = 12;
    static constexpr int kTagSize = 16;

    // `key` must be kKeySize bytes (MasterKey checks that before it builds one).
    explicit SecretBox(QByteArray key);
    ~SecretBox();
    SecretBox(const SecretBox&) = delete;
    SecretBox& operator=(const SecretBox&) = delete;

    static QString prefix();
    static bool isSealed(const QString& stored);

    // A fresh random nonce per call. The empty string stays empty: "no secret" needs no protection.
    QString seal(const QString& plaintext, const QString& context) const;
    // Sealed values are decrypted and authenticated; anything without the prefix is legacy plaintext and
    // comes back as it is. Tampering, a wrong key or a wrong context give a Storage error.
    Result<QString> open(const QString& stored, const QString& context) const;

    // Identifies the key without revealing it: the first 8 bytes of SHA-256("outhook-key-id" | key), hex.
    QString keyId() const { return m_keyId; }
    static QString keyIdOf(const QByteArray& key);

private:
    QByteArray m_key;
    QString m_keyId;
};

} // namespace outhook::security
