#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>

namespace outhook::ui {

// "Test connection": opens a database URL or SQLite path on a thread of its own (a PostgreSQL server may
// take seconds to answer) and reports what it found. It never creates or migrates anything: a missing
// SQLite file is reported as "will be created", an older schema as "will be upgraded".
class ConnectionTester : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionTester(QObject* parent = nullptr);
    ~ConnectionTester() override; // waits for a test still running

    bool isRunning() const { return m_thread && m_thread->isRunning(); }
    // Starts a test of `text` (empty: the default file). finished() follows, also for a bad URL.
    void test(const QString& text);

    // The check itself, on the calling thread. Exposed for tests.
    static std::pair<bool, QString> check(const QString& text);

Q_SIGNALS:
    void finished(bool ok, const QString& message);

private:
    QPointer<QThread> m_thread;
};

} // namespace outhook::ui
