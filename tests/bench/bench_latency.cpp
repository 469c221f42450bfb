// Commit-to-wire latency: events are emitted at a steady rate (default 1,000/s) on one thread, each
// acknowledged after its commit; a running Engine (as in `outhookd serve`, woken by the ingest path)
// sends them to a local HTTPS receiver, which stamps each request as its body arrives. Reports p50, p99
// and max of (arrival - commit), on one steady clock. The first WARMUP events (default: one second's
// worth) are sent but not counted: while they go out, libcurl opens its pool of TLS connections to the
// receiver, and each handshake costs both sides milliseconds of CPU on these 2 cores. Steady state is what
// a running engine sees; the warm-up figures are printed too, so the cost stays visible.
// Usage: bench_latency [EVENTS] [RATE_PER_SEC] [WARMUP]
#include "TestPki.h"
#include "TlsReceiver.h"

#include "delivery/CurlTransport.h"
#include "delivery/Engine.h"
#include "events/Emitter.h"
#include "storage/Database.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <vector>

using namespace outhook;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const int measured = argc > 1 ? QByteArray(argv[1]).toInt() : 5000;
    const int rate = argc > 2 ? QByteArray(argv[2]).toInt() : 1000;
    const int warmup = argc > 3 ? QByteArray(argv[3]).toInt() : rate;
    const int events = warmup + measured;
    if (measured <= 0 || rate <= 0 || warmup < 0) {
        std::fprintf(stderr, "usage: bench_latency [EVENTS>0] [RATE_PER_SEC>0] [WARMUP>=0]\n");
        return 2;
    }

    test::TestPki pki;
    test::TlsReceiver receiver(pki);
    receiver.setDefaultReply({204, {}, {}, 0, 0, test::TlsReceiver::Reply::Behavior::Normal});
    if (!pki.isValid() || !receiver.listen()) {
        std::fprintf(stderr, "bench_latency: could not start the receiver\n");
        return 1;
    }
    QTemporaryDir dir;
    const auto opened = Database::open(*DatabaseUrl::parse(dir.filePath(QStringLiteral("latency.db"))));
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().message));
        return 1;
    }
    const std::shared_ptr<Database> db = *opened;
    SystemClock clock;
    {
        EventCatalog catalog(db, clock);
        Webhook w;
        w.name = QStringLiteral("latency");
        w.url = receiver.url();
        w.events = {QStringLiteral("job.created")};
        w.isActive = true;
        if (!WebhookStore(db, catalog, clock).create(w)) {
            std::fprintf(stderr, "bench_latency: could not create the webhook\n");
            return 1;
        }
    }

    CurlTransport::Options to;
    to.caFiles << pki.caFile();
    to.policy.allow(QStringLiteral("127.0.0.0/8"));
    Engine engine(db, clock, Dispatcher::Options(), [to] { return std::unique_ptr<Transport>(new CurlTransport(to)); });
    engine.start();

    QElapsedTimer steady;
    steady.start();
    std::vector<qint64> committedNs(size_t(events), -1);
    std::vector<qint64> arrivedNs(size_t(events), -1);
    std::atomic<int> arrived{0};
    QObject::connect(&receiver, &test::TlsReceiver::requestReceived, &app, [&](const test::TlsReceiver::Request& r) {
        const qint64 now = steady.nsecsElapsed();
        const int seq =
            QJsonDocument::fromJson(r.body).object()[QLatin1String("data")].toObject()[QLatin1String("seq")].toInt(-1);
        if (seq >= 0 && seq < events && arrivedNs[size_t(seq)] < 0) {
            arrivedNs[size_t(seq)] = now;
            if (++arrived == events)
                app.quit();
        }
    });

    std::mutex committedMutex;
    QThread* producer = QThread::create([&] {
        EventCatalog catalog(db, clock);
        Emitter emitter(db, catalog, clock);
        const qint64 intervalNs = 1000000000LL / rate;
        const qint64 start = steady.nsecsElapsed();
        for (int i = 0; i < events; ++i) {
            // Sleep until this event is due (polling every 100 us cost the harness a core's worth of wakeups).
            if (const qint64 wait = start + i * intervalNs - steady.nsecsElapsed(); wait > 0)
                QThread::usleep(quint64(wait / 1000));
            const auto r = emitter.emit(QStringLiteral("job.created"), QJsonObject{{QStringLiteral("seq"), i}});
            const qint64 now = steady.nsecsElapsed();
            if (!r) {
                std::fprintf(stderr, "bench_latency: emit failed: %s\n", qPrintable(r.error().message));
                std::exit(1);
            }
            {
                std::lock_guard lock(committedMutex);
                committedNs[size_t(i)] = now;
            }
            engine.wake(); // what the ingest path of `outhookd serve` does after its commit
        }
        db->releaseThreadConnection();
    });
    producer->start();
    QTimer::singleShot(std::max(60000, events * 1000 / rate * 4), &app, [&] {
        std::fprintf(stderr, "bench_latency: only %d of %d events arrived\n", arrived.load(), events);
        app.exit(1);
    });
    const int rc = app.exec();
    producer->wait();
    delete producer;
    engine.stopAndWait(2000);
    if (rc != 0)
        return rc;

    const auto percentiles = [&](int from, int end) {
        std::vector<double> ms;
        for (int i = from; i < end; ++i)
            ms.push_back(double(arrivedNs[size_t(i)] - committedNs[size_t(i)]) / 1e6);
        std::sort(ms.begin(), ms.end());
        const auto pct = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * double(ms.size())))]; };
        return std::array<double, 3>{pct(0.50), pct(0.99), ms.back()};
    };
    const auto steadyState = percentiles(warmup, events);
    std::printf("latency_ms p50 %.2f p99 %.2f max %.2f events %d rate %d", steadyState[0], steadyState[1],
                steadyState[2], measured, rate);
    if (warmup > 0) {
        const auto first = percentiles(0, warmup);
        std::printf(" warmup_p50 %.2f warmup_p99 %.2f warmup_max %.2f warmup_events %d", first[0], first[1], first[2],
                    warmup);
    }
    std::printf("\n");
    return 0;
}
