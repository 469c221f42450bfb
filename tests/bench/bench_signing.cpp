// Signatures per second for 1 KiB bodies with one secret, median of 5 runs of about 1 s each.
// Like `openssl speed` (without -elapsed), the rate is per second of user CPU time, so that the two
// figures compare the work done, not how much of the shared machine each run happened to get.
#include "signing/Secret.h"
#include "signing/Signer.h"

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>
#include <vector>

namespace {

double userSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec) + double(u.ru_utime.tv_usec) / 1e6;
}

} // namespace

int main()
{
    const QString secret = outhook::signing::generateSecret();
    const QStringList secrets{secret};
    const QByteArray body(1024, 'x');
    const QByteArray msgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    std::vector<double> rates;
    size_t sink = 0;
    for (int run = 0; run < 5; ++run) {
        const double start = userSeconds();
        qint64 n = 0;
        while (userSeconds() - start < 1.0) {
            for (int i = 0; i < 1000; ++i)
                sink += size_t(outhook::signing::sign(msgId, 1614265330 + i, body, secrets).size());
            n += 1000;
        }
        rates.push_back(double(n) / (userSeconds() - start));
    }
    std::vector<double> sorted = rates;
    std::sort(sorted.begin(), sorted.end());
    std::printf("signing_per_sec %.0f (runs:", sorted[2]);
    for (double r : rates)
        std::printf(" %.0f", r);
    std::printf(") sink=%zu\n", sink % 10);
    return 0;
}
