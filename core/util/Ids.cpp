#include "util/Ids.h"

#include "signing/Secret.h"

#include <QCoreApplication>
#include <QHostInfo>

namespace outhook::ids {

QByteArray newMessageId()
{
    return "msg_" + signing::randomBytes(18).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray newEngineId()
{
    return QHostInfo::localHostName().toUtf8().left(40) + '-' + QByteArray::number(QCoreApplication::applicationPid()) +
           '-' + signing::randomBytes(4).toHex();
}

} // namespace outhook::ids
