#include "util/Ids.h"

#include "signing/Secret.h"

#include <QCoreApplication>
#include <QHostInfo>

namespace outhook::ids {

namespace {

constexpr int kPoolBytes = 4096;

// Identifier bytes come from a pool per thread, refilled from the CSPRNG 4 KiB at a time: every
// RAND_bytes call asks the kernel for the process id (OpenSSL's fork check), and two such system calls per
// ingested event (its message id and the request id) cost more than the rest of the id on slow virtual
// machines. Only identifiers come from here: keys, secrets and nonces call randomBytes() directly. A pool
// copied by fork() would repeat ids; outhook does not fork.
QByteArray identifierBytes(int count)
{
    thread_local QByteArray pool;
    thread_local qsizetype used = 0;
    if (pool.size() - used < count) {
        pool = signing::randomBytes(kPoolBytes);
        used = 0;
    }
    const QByteArray out(pool.constData() + used, count);
    used += count;
    return out;
}

QByteArray withPrefix(const char* prefix, int randomCount)
{
    return prefix +
           identifierBytes(randomCount).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

QByteArray newMessageId()
{
    return withPrefix("msg_", 18);
}

QByteArray newRequestId()
{
    return withPrefix("req_", 9);
}

QByteArray newEngineId()
{
    return QHostInfo::localHostName().toUtf8().left(40) + '-' + QByteArray::number(QCoreApplication::applicationPid()) +
           '-' + signing::randomBytes(4).toHex();
}

} // namespace outhook::ids
