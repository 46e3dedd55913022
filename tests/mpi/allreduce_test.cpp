// The MPI communicator (src/mpi) under mpirun -np N (N = GAN_TEST_RANKS, set by the ctest that
// launches it): the chain sum equals a sum in rank order bitwise, on every rank, every time, for sizes
// around the chunk boundaries; prints the time per MB of a sum of 4 MB (rank 0).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mpi/world.h"

namespace {

// Rank r's value i: magnitudes spread over many binades, so that a sum in another order would differ.
template <class T>
T value(int r, size_t i) {
    const uint64_t h = (uint64_t(r) * 0x9E3779B97F4A7C15ull) ^ (i * 0xBF58476D1CE4E5B9ull);
    const uint64_t m = (h ^ (h >> 31)) * 0x94D049BB133111EBull;
    const double u = double(m >> 11) / double(1ull << 53) - 0.5;
    return T(u * double(1 << (int(m % 23))));
}

template <class T>
void check_sum(size_t n) {
    gan::Comm& c = gan::world();
    std::vector<T> naive(n);
    for (size_t i = 0; i < n; ++i) {
        T s = value<T>(0, i);
        for (int r = 1; r < c.size(); ++r) s = s + value<T>(r, i);
        naive[i] = s;
    }
    for (int round = 0; round < 3; ++round) {
        std::vector<T> x(n);
        for (size_t i = 0; i < n; ++i) x[i] = value<T>(c.rank(), i);
        c.allreduce_sum(x.data(), n);
        ASSERT_EQ(0, n ? std::memcmp(x.data(), naive.data(), n * sizeof(T)) : 0)
            << "n=" << n << " round " << round << " rank " << c.rank();
    }
}

TEST(MpiAllreduce, RunsOnTheRanksTheLauncherStarted) {
    const char* want = std::getenv("GAN_TEST_RANKS");
    ASSERT_NE(want, nullptr);
    EXPECT_EQ(gan::world().size(), std::atoi(want));
    EXPECT_TRUE(gan::mpi_built());
}

TEST(MpiAllreduce, FloatSumIsTheRankOrderSumBitwiseOnEveryRank) {
    for (size_t n : {size_t(0), size_t(1), size_t(7), size_t(65535), size_t(65536), size_t(65537), size_t(300001)})
        check_sum<float>(n);
}

TEST(MpiAllreduce, DoubleSumIsTheRankOrderSumBitwiseOnEveryRank) {
    for (size_t n : {size_t(1), size_t(33), size_t(131073)}) check_sum<double>(n);
}

TEST(MpiAllreduce, SumsDifferFromAnotherOrderSoTheTestCanFail) {
    // The data make the order matter: the reverse-order sum differs from the rank-order one somewhere.
    gan::Comm& c = gan::world();
    if (c.size() < 3) GTEST_SKIP() << "two values add the same either way";
    size_t differ = 0;
    for (size_t i = 0; i < 1000; ++i) {
        float a = value<float>(0, i), b = value<float>(c.size() - 1, i);
        for (int r = 1; r < c.size(); ++r) a = a + value<float>(r, i);
        for (int r = c.size() - 2; r >= 0; --r) b = b + value<float>(r, i);
        differ += a != b;
    }
    EXPECT_GT(differ, 0u);
}

TEST(MpiAllreduce, TimePerMegabyte) {
    gan::Comm& c = gan::world();
    std::vector<float> x(size_t(1) << 20, 1.0f);  // 4 MB
    c.allreduce_sum(x.data(), x.size());           // warm up
    const int reps = 20;
    c.barrier();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) c.allreduce_sum(x.data(), x.size());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (c.rank() == 0)
        std::printf("allreduce over %d ranks: %.3f ms per MB (4 MB sums, %d reps)\n", c.size(),
                    1e3 * s / reps / 4.0, reps);
}

}  // namespace
