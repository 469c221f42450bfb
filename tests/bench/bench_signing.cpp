// Signatures per second for 1 KiB bodies with one secret, median of 5 runs of 1 s each.
#include "signing/Secret.h"
#include "signing/Signer.h"

#include <QElapsedTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

int main()
{
    const QString secret = outhook::signing::generateSecret();
    const QByteArray body(1024, 'x');
    const QByteArray msgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    std::vector<double> rates;
    size_t sink = 0;
    for (int run = 0; run < 5; ++run) {
        QElapsedTimer t;
        t.start();
        qint64 n = 0;
        while (t.elapsed() < 1000) {
            for (int i = 0; i < 1000; ++i)
                sink += size_t(outhook::signing::sign(msgId, 1614265330 + i, body, {secret}).size());
            n += 1000;
        }
        rates.push_back(double(n) * 1e9 / double(t.nsecsElapsed()));
    }
    std::sort(rates.begin(), rates.end());
    std::printf("signing_per_sec %.0f (runs:", rates[2]);
    for (double r : rates)
        std::printf(" %.0f", r);
    std::printf(") sink=%zu\n", sink % 10);
    return 0;
}
