#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/check.h"

using namespace gan;

TEST(ThreadPool, EveryPartRunsOncePerRun) {
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        ASSERT_EQ(pool.size(), threads);
        std::vector<int> hits(size_t(threads), 0);
        for (int r = 0; r < 300; ++r) pool.run([&](int part) { ++hits[size_t(part)]; });
        for (int p = 0; p < threads; ++p) EXPECT_EQ(hits[size_t(p)], 300) << "threads " << threads;
    }
}

// Workers that went to sleep between runs (longer than their spin) still wake for the next one.
TEST(ThreadPool, WakesSleepingWorkers) {
    ThreadPool pool(3);
    std::vector<int> hits(3, 0);
    for (int r = 0; r < 3; ++r) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        pool.run([&](int part) { ++hits[size_t(part)]; });
    }
    EXPECT_EQ(hits, (std::vector<int>{3, 3, 3}));
}

// run() returns only after every part has finished its writes.
TEST(ThreadPool, RunWaitsForAllParts) {
    ThreadPool pool(2);
    std::vector<long> out(2, 0);
    for (int r = 1; r <= 200; ++r) {
        pool.run([&](int part) {
            long acc = 0;
            for (int k = 0; k < 1000 * (part + 1); ++k) acc += k % 7;
            out[size_t(part)] = acc * r;
        });
        long expect1 = 0;
        for (int k = 0; k < 2000; ++k) expect1 += k % 7;
        ASSERT_EQ(out[1], expect1 * r);
    }
}

TEST(ThreadPool, SplitRangeCoversInAlignedBlocks) {
    for (size_t n : {0, 1, 15, 16, 17, 100, 784, 1000})
        for (int parts : {1, 2, 3, 4})
            for (size_t align : {1, 8, 16}) {
                size_t next = 0;
                for (int p = 0; p < parts; ++p) {
                    size_t b, e;
                    split_range(n, p, parts, align, b, e);
                    EXPECT_EQ(b, next);
                    EXPECT_LE(b, e);
                    if (e < n) {
                        EXPECT_EQ(e % align, 0u);
                    }
                    next = e;
                }
                EXPECT_EQ(next, n) << n << " " << parts << " " << align;
            }
}

TEST(ThreadPool, RejectsBadThreadCounts) {
    EXPECT_THROW(ThreadPool(0), Error);
    EXPECT_THROW(ThreadPool(1000), Error);
}
