#include "signing/Secret.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace outhook::signing {

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), count) != 1) {
        std::fputs("outhook: OpenSSL RAND_bytes failed; refusing to continue without a CSPRNG\n", stderr);
        std::abort();
    }
    return out;
}

QString generateSecret()
{
    return QStringLiteral("whsec_") + QString::fromLatin1(randomBytes(32).toBase64());
}

QByteArray secretKey(const QString& secret)
{
    QString b64 = secret;
    if (b64.startsWith(QLatin1String("whsec_")))
        b64 = b64.mid(6);
    auto decoded = QByteArray::fromBase64Encoding(b64.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return {};
    return *decoded;
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

} // namespace outhook::signing
