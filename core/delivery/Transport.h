#pragma once

#include "model/HeaderList.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

namespace outhook {

// One HTTPS POST to send. Built by RequestBuilder; the transport adds nothing but what it must.
struct HttpRequest
{
    quint64 tag = 0; // the caller's id (e.g. delivery id); echoed back in HttpResponse
    QByteArray url;
    RawHeaders headers;
    QByteArray body;
    int connectTimeoutMs = 10000;
    int totalTimeoutMs = 30000;
    qint64 maxResponseBodyBytes = 64 * 1024; // capture cap; the transfer is cut off beyond it
};

// Network-level failure classes. HTTP status handling (2xx/3xx/4xx/5xx) is the dispatcher's job.
enum class TransportError
{
    None,
    Timeout,            // connect or total timeout
    ConnectionRefused,  // nothing listening
    ConnectionReset,    // reset or closed mid-exchange
    Tls,                // handshake or verification failure (wrong host, expired, unknown CA)
    Dns,                // name did not resolve
    BlockedDestination, // DestinationPolicy refused the address actually being connected
    Protocol,           // not valid HTTP, headers too large, ...
    Other,
};

QString transportErrorClass(TransportError e); // "timeout", "tls_error", ... as stored in attempts

struct HttpResponse
{
    quint64 tag = 0;
    int statusCode = 0; // 0 when no HTTP response was received
    RawHeaders headers; // final response's headers, in order received
    QByteArray body;    // at most maxResponseBodyBytes
    bool truncated = false;
    qint64 bodySize = 0; // Content-Length when known, else bytes received
    qint64 durationMs = 0;
    QString remoteAddress; // the IP actually connected, when a connection was made
    TransportError error = TransportError::None;
    QString errorMessage; // readable, for the attempt log
};

// Sends requests asynchronously. Lives on one thread; finished() is emitted on that thread. Must not
// busy-poll: an idle transport uses no CPU.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Transport() override = default;

    virtual void send(const HttpRequest& request) = 0;
    virtual int inFlight() const = 0;
    // How many requests the owner keeps in flight at most. A transport that caps its connections per
    // host raises the cap to this, so that requests to one busy host are all on the wire rather than
    // waiting inside the transport with their timeouts running.
    virtual void setConcurrency(int requests) { Q_UNUSED(requests); }
    // Cancels everything in flight; finished() is not emitted for cancelled requests.
    virtual void abortAll() = 0;

Q_SIGNALS:
    void finished(const outhook::HttpResponse& response);
};

// Makes a transport on the calling thread (transports are bound to the thread they live on).
using TransportFactory = std::function<std::unique_ptr<Transport>()>;

} // namespace outhook

Q_DECLARE_METATYPE(outhook::HttpRequest)
Q_DECLARE_METATYPE(outhook::HttpResponse)
