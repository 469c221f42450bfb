#pragma once

#include <QObject>

class QSocketNotifier;

namespace outhook::cli {

// Turns SIGINT/SIGTERM (and SIGHUP) into a Qt signal on the main thread (self-pipe trick): the handler only writes
// a byte, everything else happens in the event loop.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);
    void reloadRequested(); // SIGHUP

private:
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace outhook::cli
