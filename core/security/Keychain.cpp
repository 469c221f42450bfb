#include "security/Keychain.h"

#ifdef OUTHOOK_HAVE_QTKEYCHAIN
#include <QEventLoop>
#include <qt6keychain/keychain.h>
#endif

namespace outhook::security::keychain {

namespace {

bool turnedOff()
{
    const QString v = qEnvironmentVariable("OUTHOOK_KEYCHAIN").toLower();
    return v == QLatin1String("off") || v == QLatin1String("0") || v == QLatin1String("no");
}

#ifdef OUTHOOK_HAVE_QTKEYCHAIN
const QString kService = QStringLiteral("outhook");

// QtKeychain jobs are asynchronous; opening a database needs the answer before it can go on. The wait is
// bounded by the keychain's own D-Bus timeout and happens once, at startup.
void runJob(QKeychain::Job& job)
{
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    loop.exec();
}
#endif

} // namespace

bool wanted(bool callerWants)
{
    const QString v = qEnvironmentVariable("OUTHOOK_KEYCHAIN").toLower();
    if (v == QLatin1String("on") || v == QLatin1String("1") || v == QLatin1String("yes"))
        return true;
    return callerWants && !turnedOff();
}

bool isAvailable()
{
    if (turnedOff())
        return false;
#ifdef OUTHOOK_HAVE_QTKEYCHAIN
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    // Without a session bus there is no Secret Service; asking would only wait for a D-Bus autolaunch.
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return false;
#endif
    // QtKeychain 0.13 has no availability call: a probe read tells "no entry" from "no keychain".
    static const bool available = [] {
        QKeychain::ReadPasswordJob probe(kService);
        probe.setKey(QStringLiteral("availability probe"));
        runJob(probe);
        return probe.error() == QKeychain::NoError || probe.error() == QKeychain::EntryNotFound;
    }();
    return available;
#else
    return false;
#endif
}

std::optional<QByteArray> read(const QString& account)
{
    if (!isAvailable())
        return std::nullopt;
#ifdef OUTHOOK_HAVE_QTKEYCHAIN
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(account);
    runJob(job);
    if (job.error() != QKeychain::NoError)
        return std::nullopt;
    return job.binaryData();
#else
    Q_UNUSED(account);
    return std::nullopt;
#endif
}

} // namespace outhook::security::keychain
