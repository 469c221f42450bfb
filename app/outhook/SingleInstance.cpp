#include "SingleInstance.h"

#include <QCryptographicHash>
#include <QLocalServer>
#include <QLocalSocket>

namespace outhook {

SingleInstance::SingleInstance(const QString& databaseKey, const QString& user, QObject* parent)
    : QObject(parent)
    , m_name(serverName(databaseKey, user))
{}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverName(const QString& databaseKey, const QString& user)
{
    QString who = user;
    if (who.isEmpty())
        who = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME", QStringLiteral("user")));
    // Hashed: socket names have a short length limit, and a URL has characters they cannot hold.
    const QByteArray digest =
        QCryptographicHash::hash((who + QLatin1Char('\n') + databaseKey).toUtf8(), QCryptographicHash::Sha256)
            .toHex()
            .left(24);
    return QStringLiteral("outhook-") + QString::fromLatin1(digest);
}

bool SingleInstance::forwardToRunning(const QByteArray& message, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(message + '\n');
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    socket.disconnectFromServer();
    if (socket.state() != QLocalSocket::UnconnectedState)
        socket.waitForDisconnected(timeoutMs);
    return true;
}

bool SingleInstance::listen()
{
    if (m_server)
        return m_server->isListening();
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // Nobody answered forwardToRunning(), so a socket file in the way is a crashed instance's.
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name))
            return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* client = m_server->nextPendingConnection()) {
            connect(client, &QLocalSocket::disconnected, client, &QObject::deleteLater);
            auto readLines = [this, client] {
                while (client->canReadLine())
                    Q_EMIT messageReceived(client->readLine().trimmed());
            };
            connect(client, &QLocalSocket::readyRead, this, readLines);
            readLines();
        }
    });
    return true;
}

bool SingleInstance::isListening() const
{
    return m_server && m_server->isListening();
}

} // namespace outhook
