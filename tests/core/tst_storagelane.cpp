#include "TestDatabases.h"
#include "delivery/StorageLane.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <pthread.h>
#include <thread>

using namespace outhook;

class TestStorageLane : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    std::shared_ptr<Database> fresh()
    {
        return test::freshDatabase(m_dir.filePath(QStringLiteral("l%1.db").arg(++m_n)));
    }

    static QByteArray threadNameOf(StorageLane& lane)
    {
        QByteArray name(16, '\0');
        lane.post([&name] { pthread_getname_np(pthread_self(), name.data(), std::size_t(name.size())); });
        lane.waitIdle();
        return QByteArray(name.constData());
    }

private Q_SLOTS:
    void initTestCase_data() { test::addBackendRows(); }

    // SQLite takes one writer at a time: the engine and the API's ingest share one lane (one connection,
    // one page cache, no waiting on each other's write lock). PostgreSQL writers keep lanes of their own.
    void writersShareALaneOnSqliteOnly()
    {
        QFETCH_GLOBAL(QString, backend);
        auto db = fresh();
        QVERIFY(db);
        auto engine = StorageLane::forWriter(db, "outhook-dlane");
        auto ingest = StorageLane::forWriter(db, "outhook-ingest");
        if (backend == QLatin1String("sqlite")) {
            QCOMPARE(engine.get(), ingest.get());
            QCOMPARE(threadNameOf(*engine), QByteArray("outhook-writer"));
        } else {
            QVERIFY(engine.get() != ingest.get());
            QCOMPARE(threadNameOf(*engine), QByteArray("outhook-dlane"));
            QCOMPARE(threadNameOf(*ingest), QByteArray("outhook-ingest"));
        }
        // Another database gets another lane; once every writer let go, the next one starts a new lane.
        auto other = fresh();
        QVERIFY(other);
        if (backend == QLatin1String("sqlite")) {
            auto otherLane = StorageLane::forWriter(other, "outhook-dlane");
            QVERIFY(otherLane.get() != engine.get());
        }
        engine.reset();
        ingest.reset();
        auto again = StorageLane::forWriter(db, "outhook-dlane");
        bool ran = false;
        again->post([&ran] { ran = true; });
        again->waitIdle();
        QVERIFY(ran);
    }

    // With a shared lane the other writer may keep it busy without pause: waitIdle() waits for the jobs
    // posted before it, not for a moment when nobody has work queued (which might never come).
    void waitIdleWaitsOnlyForEarlierJobs()
    {
        auto db = fresh();
        QVERIFY(db);
        StorageLane lane(db, "outhook-test");
        std::atomic<bool> stop = false;
        std::atomic<int> posted = 0;
        std::atomic<bool> writerDone = false;
        std::thread busyWriter([&] {
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!stop && std::chrono::steady_clock::now() < until) {
                for (int i = 0; i < 4; ++i) // four 1 ms jobs per millisecond: the queue only grows
                    lane.post([] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); });
                posted += 4;
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            writerDone = true;
        });
        QTRY_VERIFY(posted > 40);
        std::atomic<bool> mine = false;
        lane.post([&mine] { mine = true; });
        lane.waitIdle();
        const bool writerStillBusy = !writerDone;
        QVERIFY(mine);
        stop = true;
        busyWriter.join();
        QVERIFY(writerStillBusy);
    }
};

QTEST_GUILESS_MAIN(TestStorageLane)
#include "tst_storagelane.moc"
