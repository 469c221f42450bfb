#include "security/MasterKey.h"

#include "security/Keychain.h"
#include "security/SecretBox.h"
#include "signing/Secret.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace outhook::security {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("MasterKey", text);
}

QString fileSource(const QString& path)
{
    return tr("key file %1").arg(path);
}

} // namespace

Result<QByteArray> parseKeyText(const QByteArray& text, const QString& source)
{
    const QByteArray trimmed = text.trimmed();
    const auto hint = tr("expected the base64 encoding of exactly %1 random bytes, e.g. the output of "
                         "\"openssl rand -base64 32\"")
                          .arg(SecretBox::kKeySize);
    if (trimmed.isEmpty())
        return Error::usage(tr("%1 is empty: %2").arg(source, hint));
    auto decoded = QByteArray::fromBase64Encoding(trimmed, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return Error::usage(tr("%1 is not a valid master key (not base64): %2").arg(source, hint));
    if (decoded.decoded.size() != SecretBox::kKeySize) {
        const qsizetype n = decoded.decoded.size();
        OPENSSL_cleanse(decoded.decoded.data(), size_t(n));
        return Error::usage(
            tr("%1 is not a valid master key (%2 bytes after base64 decoding): %3").arg(source).arg(n).arg(hint));
    }
    return *decoded;
}

Result<MasterKey> readKeyFile(const QString& path)
{
    const QFileInfo info(path);
    // Like ssh with private keys: a key others can read protects nothing, so say so instead of using it.
    if (info.permissions() &
        (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther))
        return Error::usage(
            tr("Key file %1 is accessible by other users; run \"chmod 600 %1\" (it must be readable by its owner "
               "only)")
                .arg(path));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::usage(tr("Cannot read key file %1: %2").arg(path, f.errorString()));
    QByteArray text = f.read(4096);
    auto key = parseKeyText(text, fileSource(path));
    OPENSSL_cleanse(text.data(), size_t(text.size()));
    if (!key)
        return key.error();
    return MasterKey{*key, fileSource(path)};
}

Result<MasterKey> createKeyFile(const QString& path)
{
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir(dir).exists()) {
        if (!QDir().mkpath(dir))
            return Error::storage(tr("Cannot create the folder %1 for the master key file").arg(dir));
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        if (errno == EEXIST)
            return readKeyFile(path); // another engine or app instance was first
        return Error::storage(
            tr("Cannot create the master key file %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    }
    QByteArray key = signing::randomBytes(SecretBox::kKeySize);
    QByteArray text = key.toBase64() + '\n';
    const bool written = ::write(fd, text.constData(), size_t(text.size())) == text.size() && ::fsync(fd) == 0;
    const int savedErrno = errno;
    ::close(fd);
    OPENSSL_cleanse(text.data(), size_t(text.size()));
    if (!written) {
        ::unlink(native.constData());
        return Error::storage(
            tr("Cannot write the master key file %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(savedErrno))));
    }
    return MasterKey{key, fileSource(path)};
}

Result<MasterKey> createKey(const KeyLookup& lookup, const KeySources& sources)
{
    Q_UNUSED(sources);
    if (lookup.createAt.isEmpty())
        return Error::usage(tr("No master key was found and there is no place to create one"));
    return createKeyFile(lookup.createAt);
}

Result<KeyLookup> locateKey(const KeySources& sources)
{
    KeyLookup out;
    if (sources.explicitKey) {
        if (sources.explicitKey->size() != SecretBox::kKeySize)
            return Error::usage(tr("The master key given by the caller is %1 bytes; it must be %2")
                                    .arg(sources.explicitKey->size())
                                    .arg(SecretBox::kKeySize));
        out.key = MasterKey{*sources.explicitKey, tr("the key given by the caller")};
        return out;
    }
    // A named key file: the key is there, or a new one goes there. Nothing else is consulted.
    const QString envFile = qEnvironmentVariable("OUTHOOK_MASTER_KEY_FILE");
    const QString namedFile = !sources.keyFile.isEmpty() ? sources.keyFile : QString();
    if (!namedFile.isEmpty()) {
        out.createAt = namedFile;
        out.searched = fileSource(namedFile);
        if (QFileInfo::exists(namedFile)) {
            auto key = readKeyFile(namedFile);
            if (!key)
                return key.error();
            out.key = *key;
        }
        return out;
    }
    if (qEnvironmentVariableIsSet("OUTHOOK_MASTER_KEY")) {
        QByteArray text = qgetenv("OUTHOOK_MASTER_KEY");
        auto key = parseKeyText(text, QStringLiteral("OUTHOOK_MASTER_KEY"));
        OPENSSL_cleanse(text.data(), size_t(text.size()));
        if (!key)
            return key.error();
        out.key = MasterKey{*key, QStringLiteral("OUTHOOK_MASTER_KEY")};
        return out;
    }
    if (!envFile.isEmpty()) {
        out.createAt = envFile;
        out.searched = tr("OUTHOOK_MASTER_KEY_FILE (%1)").arg(envFile);
        if (QFileInfo::exists(envFile)) {
            auto key = readKeyFile(envFile);
            if (!key)
                return key.error();
            out.key = MasterKey{key->bytes, tr("OUTHOOK_MASTER_KEY_FILE (%1)").arg(envFile)};
        }
        return out;
    }
    QStringList searched{QStringLiteral("OUTHOOK_MASTER_KEY"), QStringLiteral("OUTHOOK_MASTER_KEY_FILE")};
    if (!sources.keychainAccount.isEmpty() && keychain::isAvailable()) {
        searched << tr("the OS keychain");
        if (auto found = keychain::read(sources.keychainAccount)) {
            auto key = parseKeyText(*found, tr("the OS keychain entry %1").arg(sources.keychainAccount));
            if (!key)
                return key.error();
            out.key = MasterKey{*key, tr("the OS keychain entry %1").arg(sources.keychainAccount)};
            out.searched = searched.join(QStringLiteral(", "));
            return out;
        }
    }
    out.createAt = sources.defaultKeyFile;
    searched << fileSource(sources.defaultKeyFile);
    out.searched = searched.join(QStringLiteral(", "));
    if (QFileInfo::exists(sources.defaultKeyFile)) {
        auto key = readKeyFile(sources.defaultKeyFile);
        if (!key)
            return key.error();
        out.key = *key;
    }
    return out;
}

} // namespace outhook::security
