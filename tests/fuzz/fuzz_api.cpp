// The REST API's JSON bodies, through ApiRouter exactly as a request from the network arrives: POST
// /api/v1/webhooks, PATCH /api/v1/webhooks/{id}, POST /api/v1/events and POST /api/v1/webhooks/events on a
// real SQLite database. The first byte picks the route, the rest is the body. Whatever the body, the
// answer is a JSON envelope with a 2xx or 4xx status: a 5xx or a crash is a finding.
#include "FuzzSupport.h"

#include "api/ApiRouter.h"
#include "delivery/CurlTransport.h"
#include "storage/ApiKeyStore.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <cstdlib>

using namespace outhook;
using namespace outhook::api;

namespace {

struct Harness
{
    QTemporaryDir dir;
    ManualClock clock;
    std::shared_ptr<Database> db;
    std::unique_ptr<ApiRouter> router;
    QByteArray auth;
    QString patchPath;
    int runs = 0;
};

Harness* h = nullptr;

ApiResponse call(const QByteArray& method, const QString& path, const QByteArray& body)
{
    ApiRequest req;
    req.method = method;
    req.path = path;
    req.headers = {{"Authorization", h->auth}, {"Content-Type", "application/json"}};
    req.body = body;
    std::optional<ApiResponse> answer;
    h->router->handle(req, [&answer](ApiResponse r) { answer = std::move(r); });
    // POST /events answers after its group commit, which runs on the router's ingest thread.
    if (!answer)
        h->router->finishIngest();
    FUZZ_CHECK(answer.has_value(), path); // answered by now: no route waits for the network here
    return *answer;
}

// Webhooks created by earlier inputs would make every event fan out wider; start over now and then.
void prune()
{
    QSqlQuery q(h->db->connection());
    for (const char* sql : {"DELETE FROM attempts", "DELETE FROM deliveries", "DELETE FROM events",
                            "DELETE FROM webhooks WHERE id <> (SELECT MIN(id) FROM webhooks)"})
        q.exec(QString::fromLatin1(sql));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    static QCoreApplication app(*argc, *argv);
    h = new Harness;
    auto db = Database::open(*DatabaseUrl::parse(h->dir.filePath(QStringLiteral("fuzz.db"))));
    if (!db) {
        std::fprintf(stderr, "%s\n", qPrintable(db.error().message));
        std::abort();
    }
    h->db = *db;
    ApiKeyStore keys(h->db, h->clock);
    const auto key = keys.create(QStringLiteral("fuzz"), ApiKeyStore::knownScopes());
    FUZZ_CHECK(bool(key), QString());
    h->auth = "Bearer " + key->second.toLatin1();
    h->router = std::make_unique<ApiRouter>(h->db, h->clock,
                                            [] { return std::make_unique<CurlTransport>(CurlTransport::Options{}); });
    const ApiResponse created = call("POST", QStringLiteral("/api/v1/webhooks"),
                                     "{\"url\":\"https://example.com/hook\",\"events\":[\"invoice.paid\"]}");
    FUZZ_CHECK(created.status == 201, QString::fromUtf8(created.body));
    const QJsonObject data = QJsonDocument::fromJson(created.body).object().value(QStringLiteral("data")).toObject();
    h->patchPath = QStringLiteral("/api/v1/webhooks/") + QString::number(data.value(QStringLiteral("id")).toInteger());
    // Registered last, so it runs before Qt's SQL registry and the application are torn down: closes
    // the database and removes the temporary directory.
    std::atexit([] {
        delete h;
        h = nullptr;
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray body = fuzz::bytes(data + 1, size - 1);
    ApiResponse r;
    switch (data[0] % 4) {
    case 0:
        r = call("POST", QStringLiteral("/api/v1/webhooks"), body);
        break;
    case 1:
        r = call("POST", QStringLiteral("/api/v1/events"), body);
        break;
    case 2:
        r = call("PATCH", h->patchPath, body);
        break;
    default:
        r = call("POST", QStringLiteral("/api/v1/webhooks/events"), body);
        break;
    }
    FUZZ_CHECK(r.status >= 200 && r.status < 500,
               QString::number(r.status) + QLatin1Char(' ') + QString::fromUtf8(r.body));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
    FUZZ_CHECK(error.error == QJsonParseError::NoError && doc.isObject(), QString::fromUtf8(r.body));
    if (r.status >= 400)
        FUZZ_CHECK(doc.object().value(QStringLiteral("error")).isObject(), QString::fromUtf8(r.body));
    if (++h->runs % 256 == 0)
        prune();
    return 0;
}
