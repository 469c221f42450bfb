#pragma once

#include "delivery/DestinationPolicy.h"
#include "delivery/Transport.h"

#include <QStringList>
#include <functional>
#include <memory>

namespace outhook {

// The production transport: libcurl's multi interface driven by the Qt event loop of the thread the
// transport lives on (socket notifiers and one timer, so an idle transport never wakes up). HTTPS only,
// never follows redirects, always verifies the peer, and checks every address it connects to against
// the DestinationPolicy (which also defeats DNS rebinding). HTTP/1.1 connections are kept alive and
// reused (not HTTP/2: see configure() for libcurl 7.88's fault with early answers).
class CurlTransport : public Transport
{
    Q_OBJECT
public:
    struct Options
    {
        QStringList caFiles; // PEM files trusted in addition to the system bundle
        DestinationPolicy policy;
        int maxConnectionsPerHost = 32;
        int maxTotalConnections = 256;
        QStringList resolveOverrides; // CURLOPT_RESOLVE entries "host:port:addr", the test seam for DNS
        // Test seam for DNS answers that change between lookups (rebinding): called once per request
        // with the URL's host and port; a non-empty list pins that name to these addresses for it.
        std::function<QStringList(const QString& host, int port)> resolver;
    };

    explicit CurlTransport(const Options& options, QObject* parent = nullptr);
    ~CurlTransport() override;

    void send(const HttpRequest& request) override;
    int inFlight() const override;
    void setConcurrency(int requests) override;
    void abortAll() override;

    // "libcurl 7.88.1, OpenSSL/3.0.x": the versions linked at run time, for the About dialog.
    static QString libraryVersions();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace outhook
