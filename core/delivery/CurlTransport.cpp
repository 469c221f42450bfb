#include "delivery/CurlTransport.h"
#include "delivery/ResponseHeaders.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSocketNotifier>
#include <QTemporaryFile>
#include <QTimer>
#include <QUrl>
#include <QtDebug>

#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

namespace outhook {

namespace {

constexpr const char* SystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
constexpr std::size_t MaxPooledHandles = 64;

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isValidHeader(const QByteArray& name, const QByteArray& value)
{
    if (name.isEmpty() || !std::all_of(name.begin(), name.end(), isTokenChar))
        return false;
    return !value.contains('\r') && !value.contains('\n') && !value.contains('\0');
}

// One request on its way: owns everything curl points into until the handle leaves the multi.
struct Transfer
{
    HttpRequest request;
    const DestinationPolicy* policy = nullptr;
    curl_slist* headerList = nullptr;
    curl_slist* resolveList = nullptr; // this request's own DNS answers (Options::resolver)
    char errorBuffer[CURL_ERROR_SIZE] = {};
    HttpResponse response;
    QElapsedTimer clock;
    qint64 bodyLimit = 0;
    qint64 bodyBytesSeen = 0;
    // curl already refuses responses whose headers exceed 100 KB; the parser's caps only bound what we
    // keep should a server stream headers through trailers or many interim responses.
    ResponseHeaderParser headerParser;
    int blockedAttempts = 0;
    int allowedAttempts = 0;
    QString blockedMessage;

    ~Transfer()
    {
        curl_slist_free_all(headerList);
        curl_slist_free_all(resolveList);
    }
};

size_t onHeaderLine(char* data, size_t size, size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    const size_t total = size * count;
    t->headerParser.addLine(QByteArray(data, qsizetype(total)));
    return total;
}

size_t onBodyData(char* data, size_t size, size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    const qint64 n = qint64(size * count);
    t->bodyBytesSeen += n;
    const qint64 room = t->bodyLimit - t->response.body.size();
    if (n <= room) {
        t->response.body.append(data, qsizetype(n));
        return size * count;
    }
    if (room > 0)
        t->response.body.append(data, qsizetype(room));
    t->response.truncated = true;
    return 0; // a short count makes curl stop the transfer (CURLE_WRITE_ERROR), which complete() forgives
}

// Runs for every address curl is about to connect to, after DNS and before any byte is sent, so the
// policy judges the address actually used: a name that re-resolves to 127.0.0.1 is still refused.
curl_socket_t onOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address)
{
    auto* t = static_cast<Transfer*>(user);
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    const QHostAddress peer(&address->addr);
    const QString reason = t->policy->refusalReason(peer);
    if (!reason.isEmpty()) {
        ++t->blockedAttempts;
        if (t->blockedMessage.isEmpty())
            t->blockedMessage = QStringLiteral("blocked destination ") % peer.toString() % QStringLiteral(" (") %
                                reason % QLatin1Char(')');
        return CURL_SOCKET_BAD;
    }
    ++t->allowedAttempts;
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

TransportError mapError(CURLcode code)
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return TransportError::Timeout;
    case CURLE_COULDNT_CONNECT:
        return TransportError::ConnectionRefused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return TransportError::Dns;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return TransportError::Tls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return TransportError::ConnectionReset;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_TOO_MANY_REDIRECTS:
        return TransportError::Protocol;
    default:
        return TransportError::Other;
    }
}

} // namespace

struct CurlTransport::Private
{
    // Both notifiers of one socket curl asked us to watch, kept until curl closes the socket. Handed to
    // curl via curl_multi_assign.
    struct SocketWatch
    {
        QSocketNotifier* read = nullptr;
        QSocketNotifier* write = nullptr;
        int wanted = 0; // CURL_CSELECT_IN/OUT that curl asks for now; 0 between a connection's transfers
    };

    CurlTransport* q;
    Options options;
    CURLM* multi = nullptr;
    QTimer* timer = nullptr;
    // The trusted CAs as one file: curl matches reusable connections by the CA *path* (a blob would be
    // compared byte by byte, ~200 KB per candidate connection per request) and caches the parsed store.
    QTemporaryFile caFile;
    QByteArray caPath;
    curl_slist* resolveList = nullptr;
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
    std::vector<CURL*> idleHandles;
    QHash<curl_socket_t, SocketWatch*> watches;
    quint64 generation = 0; // bumped by abortAll(): results of older generations are never emitted
    int queuedFailures = 0;

    Private(CurlTransport* owner, const Options& o);
    ~Private();

    static int onSocket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
    static int onTimer(CURLM* m, long timeoutMs, void* userp);
    static int onCloseSocket(void* userp, curl_socket_t s);

    static void want(QSocketNotifier*& notifier, Private* d, SocketWatch* watch, curl_socket_t s,
                     QSocketNotifier::Type type);
    static void dropWatch(SocketWatch* watch);
    void socketAction(curl_socket_t s, int flags);
    void drain();
    std::optional<HttpResponse> complete(CURL* easy, CURLcode result);
    static void classify(CURLcode result, Transfer& t);
    bool configure(CURL* easy, Transfer& t);
    static QString buildHeaders(Transfer& t);
    void resolveFor(Transfer& t) const;
    CURL* takeHandle();
    void recycle(CURL* easy);
    void failLater(HttpResponse response);
    void removeAll();
};

CurlTransport::Private::Private(CurlTransport* owner, const Options& o)
    : q(owner)
    , options(o)
{
    initCurlOnce();

    QByteArray caBundle;
    QFile system(QString::fromLatin1(SystemCaBundle));
    if (system.open(QIODevice::ReadOnly))
        caBundle = system.readAll();
    for (const QString& path : std::as_const(options.caFiles)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            qWarning("CurlTransport: cannot read CA file %s", qPrintable(path));
            continue;
        }
        if (!caBundle.isEmpty() && !caBundle.endsWith('\n'))
            caBundle += '\n';
        caBundle += file.readAll();
    }
    caFile.setFileTemplate(QDir::tempPath() + QStringLiteral("/outhook-ca-XXXXXX.pem"));
    if (!caFile.open() || caFile.write(caBundle) != caBundle.size() || !caFile.flush())
        qWarning("CurlTransport: cannot write the CA bundle to %s", qPrintable(caFile.fileName()));
    caPath = QFile::encodeName(caFile.fileName());

    for (const QString& entry : std::as_const(options.resolveOverrides)) {
        if (curl_slist* grown = curl_slist_append(resolveList, entry.toUtf8().constData()))
            resolveList = grown;
    }

    timer = new QTimer(q);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, q, [this] { socketAction(CURL_SOCKET_TIMEOUT, 0); });

    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Private::onSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Private::onTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, long(std::max(1, options.maxConnectionsPerHost)));
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, long(std::max(1, options.maxTotalConnections)));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, long(std::max(1, options.maxTotalConnections)));
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, long(CURLPIPE_NOTHING));
}

CurlTransport::Private::~Private()
{
    removeAll();
    timer->stop();
    curl_multi_cleanup(multi); // may still report sockets of cached connections as removed
    multi = nullptr;
    for (CURL* easy : idleHandles)
        curl_easy_cleanup(easy);
    for (SocketWatch* watch : std::as_const(watches)) {
        delete watch->read;
        delete watch->write;
        delete watch;
    }
    curl_slist_free_all(resolveList);
}

// curl stops watching a kept-alive connection's socket after each transfer (CURL_POLL_REMOVE) and asks
// again when the next transfer reuses it. Notifiers therefore stay until curl closes the socket, and one
// that curl does not want is switched off only when it fires: with glib every switch and every new
// notifier writes a wake-up and rebuilds the poll set. Measured: per delivery, two notifiers were
// created and deleted and three wake-ups written; now, in steady state, none.
int CurlTransport::Private::onSocket(CURL*, curl_socket_t s, int what, void* userp, void* socketp)
{
    auto* d = static_cast<Private*>(userp);
    auto* watch = socketp ? static_cast<SocketWatch*>(socketp) : d->watches.value(s);
    if (what == CURL_POLL_REMOVE) {
        if (watch)
            watch->wanted = 0;
        return 0;
    }
    if (!watch) {
        watch = new SocketWatch;
        d->watches.insert(s, watch);
    }
    if (!socketp)
        curl_multi_assign(d->multi, s, watch);
    const bool wantRead = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
    const bool wantWrite = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
    watch->wanted = (wantRead ? CURL_CSELECT_IN : 0) | (wantWrite ? CURL_CSELECT_OUT : 0);
    if (wantRead)
        want(watch->read, d, watch, s, QSocketNotifier::Read);
    if (wantWrite)
        want(watch->write, d, watch, s, QSocketNotifier::Write);
    return 0;
}

// Set as each connection's close function (curl copies it to the connection), so a socket's notifiers
// go before its descriptor number can be reused.
int CurlTransport::Private::onCloseSocket(void* userp, curl_socket_t s)
{
    auto* d = static_cast<Private*>(userp);
    if (SocketWatch* watch = d->watches.take(s))
        dropWatch(watch);
    return ::close(s);
}

int CurlTransport::Private::onTimer(CURLM*, long timeoutMs, void* userp)
{
    auto* d = static_cast<Private*>(userp);
    if (timeoutMs < 0)
        d->timer->stop();
    else
        d->timer->start(int(std::min<long>(timeoutMs, INT_MAX))); // 0: on the next event loop pass
    return 0;
}

void CurlTransport::Private::want(QSocketNotifier*& notifier, Private* d, SocketWatch* watch, curl_socket_t s,
                                  QSocketNotifier::Type type)
{
    if (notifier) {
        if (!notifier->isEnabled())
            notifier->setEnabled(true);
        return;
    }
    auto* created = new QSocketNotifier(qintptr(s), type, d->q);
    const int flags = type == QSocketNotifier::Read ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
    QObject::connect(created, &QSocketNotifier::activated, d->q, [d, created, watch, s, flags] {
        if (!created->isEnabled())
            return; // dropped (its watch with it) and waiting for deleteLater
        if (watch->wanted & flags)
            d->socketAction(s, flags);
        else
            created->setEnabled(false); // ready while curl keeps the connection idle (e.g. the peer closed)
    });
    notifier = created;
}

void CurlTransport::Private::dropWatch(SocketWatch* watch)
{
    // We may be inside this very notifier's activated() signal, and curl may reuse the descriptor
    // number at once: disable now (so a new notifier on the same fd does not clash), delete later.
    for (QSocketNotifier* n : {watch->read, watch->write}) {
        if (n) {
            n->setEnabled(false);
            n->deleteLater();
        }
    }
    delete watch;
}

void CurlTransport::Private::socketAction(curl_socket_t s, int flags)
{
    int running = 0;
    curl_multi_socket_action(multi, s, flags, &running);
    drain();
}

void CurlTransport::Private::drain()
{
    QList<HttpResponse> done;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        if (std::optional<HttpResponse> response = complete(msg->easy_handle, msg->data.result))
            done.append(std::move(*response));
    }
    // Emit only after curl is done with us: slots may send(), abortAll() or even delete the transport.
    const quint64 current = generation;
    const QPointer<CurlTransport> alive(q);
    for (const HttpResponse& response : std::as_const(done)) {
        Q_EMIT q->finished(response);
        if (!alive || generation != current)
            return;
    }
}

std::optional<HttpResponse> CurlTransport::Private::complete(CURL* easy, CURLcode result)
{
    const auto it = transfers.find(easy);
    if (it == transfers.end()) { // not ours any more; only to be safe
        curl_multi_remove_handle(multi, easy);
        recycle(easy);
        return std::nullopt;
    }
    const std::unique_ptr<Transfer> t = std::move(it->second);
    transfers.erase(it);
    HttpResponse& r = t->response;
    r.statusCode = t->headerParser.statusCode;
    r.headers = std::move(t->headerParser.headers);

    long status = 0;
    if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status > 0)
        r.statusCode = int(status);
    char* ip = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip)
        r.remoteAddress = QString::fromLatin1(ip);
    curl_off_t contentLength = -1;
    curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &contentLength);
    r.bodySize = contentLength >= 0 ? qint64(contentLength) : t->bodyBytesSeen;
    r.durationMs = t->clock.elapsed();
    classify(result, *t);

    curl_multi_remove_handle(multi, easy);
    recycle(easy);
    return std::move(r);
}

void CurlTransport::Private::classify(CURLcode result, Transfer& t)
{
    HttpResponse& r = t.response;
    if (result == CURLE_OK || (result == CURLE_WRITE_ERROR && r.truncated))
        return;
    if (t.blockedAttempts > 0 && t.allowedAttempts == 0) {
        r.error = TransportError::BlockedDestination;
        r.errorMessage = t.blockedMessage;
        return;
    }
    r.error = mapError(result);
    QString message = QString::fromUtf8(t.errorBuffer).trimmed();
    if (message.isEmpty())
        message = QString::fromUtf8(curl_easy_strerror(result));
    // curl 7.88 reports headers beyond its 100 KB cap as a bare CURLE_OUT_OF_MEMORY with no message.
    // Once connected and before any body byte, that is the server's protocol violation, not ours.
    if (result == CURLE_OUT_OF_MEMORY && t.errorBuffer[0] == 0 && !r.remoteAddress.isEmpty() && t.bodyBytesSeen == 0) {
        r.error = TransportError::Protocol;
        message = QStringLiteral("response headers too large (over %1 KB)").arg(CURL_MAX_HTTP_HEADER / 1024);
    }
    if (t.blockedAttempts > 0) // e.g. ::1 refused by policy, then 127.0.0.1 refused by the host
        message += QStringLiteral("; ") % t.blockedMessage;
    r.errorMessage = message;
}

QString CurlTransport::Private::buildHeaders(Transfer& t)
{
    bool hasExpect = false;
    bool hasAccept = false;
    bool hasContentType = false;
    const auto append = [&t](const QByteArray& line) {
        curl_slist* grown = curl_slist_append(t.headerList, line.constData());
        if (grown)
            t.headerList = grown;
        return grown != nullptr;
    };
    for (const auto& [name, value] : std::as_const(t.request.headers)) {
        if (!isValidHeader(name, value))
            return QStringLiteral("invalid request header ") % QString::fromLatin1(name.left(100));
        const QByteArray lower = name.toLower();
        hasExpect = hasExpect || lower == "expect";
        hasAccept = hasAccept || lower == "accept";
        hasContentType = hasContentType || lower == "content-type";
        // "Name:" would tell curl to drop the header; "Name;" is its spelling for an empty value.
        if (!append(value.isEmpty() ? QByteArray(name + ';') : QByteArray(name + ": " + value)))
            return QStringLiteral("out of memory building request headers");
    }
    // Without these curl would add Expect: 100-continue, Accept: */* and a form Content-Type.
    if ((!hasExpect && !append("Expect:")) || (!hasAccept && !append("Accept:")) ||
        (!hasContentType && !append("Content-Type:")))
        return QStringLiteral("out of memory building request headers");
    return {};
}

bool CurlTransport::Private::configure(CURL* easy, Transfer& t)
{
    const HttpRequest& req = t.request;
    bool ok = true;
    const auto check = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
    // Security-relevant options: if any is refused the request is not sent at all.
    check(curl_easy_setopt(easy, CURLOPT_URL, req.url.constData()));
    check(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https"));
    check(curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https"));
    check(curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L));
    check(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L));
    check(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L));
    check(curl_easy_setopt(easy, CURLOPT_CAINFO, caPath.constData()));
    check(curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 86400L));
    check(curl_easy_setopt(easy, CURLOPT_CAPATH, static_cast<char*>(nullptr)));
    check(curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &onOpenSocket));
    check(curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &t));
    check(curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &onCloseSocket));
    check(curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this));
    // An https_proxy in the environment would make the proxy the connected address and bypass pinning.
    check(curl_easy_setopt(easy, CURLOPT_PROXY, ""));
    check(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
    check(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.errorBuffer));
    check(curl_easy_setopt(easy, CURLOPT_PRIVATE, &t));
    check(curl_easy_setopt(easy, CURLOPT_POST, 1L));
    check(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(req.body.size())));
    check(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.constData())); // t.request keeps it alive
    check(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headerList));
    check(curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &onHeaderLine));
    check(curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t));
    check(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &onBodyData));
    check(curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t));
    check(curl_easy_setopt(easy, CURLOPT_RESOLVE, t.resolveList ? t.resolveList : resolveList));
    if (req.connectTimeoutMs > 0)
        check(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(req.connectTimeoutMs)));
    if (req.totalTimeoutMs > 0)
        check(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(req.totalTimeoutMs)));
    // HTTP/1.1 only, even when the receiver offers HTTP/2: libcurl 7.88 reports an HTTP/2 answer that
    // came before the whole body was read (then RST_STREAM NO_ERROR, RFC 9113 §8.1; nginx's `return`
    // does it) as a framing error or waits for the timeout (curl issue #13678). Measured with nginx
    // here: 1 in 5 1 KiB test sends failed, and a dispatch run fell from 17k/s to 900/s. HTTP/1.1
    // keep-alive connections, up to maxConnectionsPerHost, carry the concurrency instead of streams.
    check(curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1)));
    if (!ok)
        return false;
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    return true;
}

void CurlTransport::Private::resolveFor(Transfer& t) const
{
    if (!options.resolver)
        return;
    const QUrl url(QString::fromUtf8(t.request.url));
    const QStringList addresses = options.resolver(url.host(), url.port(443));
    if (addresses.isEmpty())
        return;
    // The fixed overrides first, then this lookup's answer, which replaces any cached one for the name.
    for (const QString& entry : std::as_const(options.resolveOverrides)) {
        if (curl_slist* grown = curl_slist_append(t.resolveList, entry.toUtf8().constData()))
            t.resolveList = grown;
    }
    const QString entry = url.host() % QLatin1Char(':') % QString::number(url.port(443)) % QLatin1Char(':') %
                          addresses.join(QLatin1Char(','));
    if (curl_slist* grown = curl_slist_append(t.resolveList, entry.toUtf8().constData()))
        t.resolveList = grown;
}

CURL* CurlTransport::Private::takeHandle()
{
    if (idleHandles.empty())
        return curl_easy_init();
    CURL* easy = idleHandles.back();
    idleHandles.pop_back();
    return easy;
}

void CurlTransport::Private::recycle(CURL* easy)
{
    if (idleHandles.size() >= MaxPooledHandles) {
        curl_easy_cleanup(easy);
        return;
    }
    curl_easy_reset(easy); // keeps the multi's connections and caches, drops our pointers
    idleHandles.push_back(easy);
}

void CurlTransport::Private::failLater(HttpResponse response)
{
    // Never emit from inside send(): callers do not expect finished() before send() returns.
    ++queuedFailures;
    QMetaObject::invokeMethod(
        q,
        [this, current = generation, response] {
            if (current != generation)
                return;
            --queuedFailures;
            Q_EMIT q->finished(response);
        },
        Qt::QueuedConnection);
}

void CurlTransport::Private::removeAll()
{
    ++generation;
    queuedFailures = 0;
    auto all = std::move(transfers);
    transfers.clear();
    for (auto& [easy, transfer] : all) {
        curl_multi_remove_handle(multi, easy);
        recycle(easy);
    }
}

CurlTransport::CurlTransport(const Options& options, QObject* parent)
    : Transport(parent)
    , d(std::make_unique<Private>(this, options))
{}

CurlTransport::~CurlTransport() = default;

void CurlTransport::send(const HttpRequest& request)
{
    auto t = std::make_unique<Transfer>();
    t->request = request;
    t->policy = &d->options.policy;
    t->bodyLimit = std::max<qint64>(0, request.maxResponseBodyBytes);
    t->response.tag = request.tag;
    t->clock.start();

    const auto fail = [&](const QString& message) {
        t->response.error = TransportError::Other;
        t->response.errorMessage = message;
        d->failLater(t->response);
    };
    if (const QString invalid = Private::buildHeaders(*t); !invalid.isEmpty())
        return fail(invalid);
    d->resolveFor(*t);
    CURL* easy = d->multi ? d->takeHandle() : nullptr;
    if (!easy)
        return fail(QStringLiteral("could not create a curl handle"));
    if (!d->configure(easy, *t)) {
        d->recycle(easy);
        return fail(QStringLiteral("libcurl refused a required option (HTTPS only, TLS verification, SSRF guard)"));
    }
    Transfer* raw = t.get();
    d->transfers.emplace(easy, std::move(t));
    if (const CURLMcode mc = curl_multi_add_handle(d->multi, easy); mc != CURLM_OK) {
        const auto node = d->transfers.extract(easy);
        d->recycle(easy);
        raw->response.error = TransportError::Other;
        raw->response.errorMessage = QString::fromUtf8(curl_multi_strerror(mc));
        d->failLater(raw->response);
    }
}

void CurlTransport::setConcurrency(int requests)
{
    // Measured with 64 in flight to one nginx and the old fixed cap of 32: half the requests waited in
    // curl's pending list, and curl re-examined them and the busy connections on every transfer (56k of
    // the dispatcher thread's 234k instructions per delivery, by callgrind).
    Options& o = d->options;
    o.maxConnectionsPerHost = std::max(1, requests);
    o.maxTotalConnections = std::max(o.maxTotalConnections, o.maxConnectionsPerHost);
    curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS, long(o.maxConnectionsPerHost));
    curl_multi_setopt(d->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, long(o.maxTotalConnections));
    curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, long(o.maxTotalConnections));
}

int CurlTransport::inFlight() const
{
    return int(d->transfers.size()) + d->queuedFailures;
}

void CurlTransport::abortAll()
{
    d->removeAll();
}

QString CurlTransport::libraryVersions()
{
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    QString text = QStringLiteral("libcurl ") + QString::fromLatin1(info->version);
    if (info->ssl_version)
        text += QStringLiteral(", ") + QString::fromLatin1(info->ssl_version);
    return text;
}

} // namespace outhook
