#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

class QLocalServer;

namespace outhook {

// One running `outhook` per user and database. The first instance listens on a local socket named after
// both; a second one connects, forwards its request ("activate") and exits 0, and the first brings its
// window to the front. Different databases, or different users, run side by side.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    // `databaseKey` identifies the database (its display URL, without password). `user` defaults to the
    // login name; tests pass their own.
    explicit SingleInstance(const QString& databaseKey, const QString& user = {}, QObject* parent = nullptr);
    ~SingleInstance() override;

    static QString serverName(const QString& databaseKey, const QString& user);
    QString serverName() const { return m_name; }

    // When another instance answers: sends `message` to it and returns true (this process should exit 0).
    bool forwardToRunning(const QByteArray& message, int timeoutMs = 2000);
    // Becomes the instance others forward to. A socket left behind by a crashed instance is replaced.
    bool listen();
    bool isListening() const;

Q_SIGNALS:
    // Another instance started and forwarded `message` ("activate").
    void messageReceived(const QByteArray& message);

private:
    QString m_name;
    QLocalServer* m_server = nullptr;
};

} // namespace outhook
