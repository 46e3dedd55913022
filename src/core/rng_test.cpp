#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

using namespace gan;

// Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).
TEST(Philox, KnownAnswers) {
    struct Kat { uint32_t ctr[4], key[2], out[4]; };
    const Kat kats[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Kat& k : kats) {
        uint32_t out[4];
        philox4x32(k.ctr, k.key, out);
        for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], k.out[i]);
    }
}

TEST(Rng, SameSeedSameStreamDifferentStreamsDiffer) {
    Rng a(42, 1), b(42, 1), c(42, 2), d(43, 1);
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 100; ++i) {
        uint32_t x = a.next_u32();
        EXPECT_EQ(x, b.next_u32());
        same_c += x == c.next_u32();
        same_d += x == d.next_u32();
    }
    EXPECT_LT(same_c, 3);
    EXPECT_LT(same_d, 3);
}

TEST(Rng, StateRestoresMidBlock) {
    Rng a(7);
    for (int skip = 0; skip < 9; ++skip) {
        Rng r(7);
        for (int i = 0; i < skip; ++i) r.next_u32();
        RngState s = r.state();
        std::vector<uint32_t> want;
        for (int i = 0; i < 10; ++i) want.push_back(r.next_u32());
        Rng q(99);
        q.set_state(s);
        for (int i = 0; i < 10; ++i) EXPECT_EQ(q.next_u32(), want[i]) << "skip " << skip;
    }
}

TEST(Rng, DistributionsHaveTheRightMoments) {
    Rng r(3);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; ++i) {
        float u = r.uniform();
        ASSERT_GE(u, 0.0f);
        ASSERT_LT(u, 1.0f);
        su += u, su2 += double(u) * u;
        float z = r.normal();
        ASSERT_TRUE(std::isfinite(z));
        sn += z, sn2 += double(z) * z;
    }
    EXPECT_NEAR(su / n, 0.5, 0.005);
    EXPECT_NEAR(su2 / n - (su / n) * (su / n), 1.0 / 12, 0.002);
    EXPECT_NEAR(sn / n, 0.0, 0.01);
    EXPECT_NEAR(sn2 / n, 1.0, 0.02);
    std::vector<int> counts(10, 0);
    for (int i = 0; i < 100000; ++i) counts[r.below(10)]++;
    for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

// Bulk draws are the sequential ones, bit for bit, from any position in a block, for lengths around
// the eight-block batches, across a counter that carries into its high word; the state after them too.
TEST(Rng, BulkDrawsEqualSequentialDraws) {
    for (uint64_t start : {uint64_t(0), uint64_t(0xFFFFFFFDull)})
        for (int skip = 0; skip < 5; ++skip)
            for (size_t n : {size_t(0), size_t(1), size_t(31), size_t(32), size_t(33), size_t(100), size_t(1000)}) {
                Rng a(42, 3), b(42, 3);
                RngState s = a.state();
                s.counter = start;
                a.set_state(s);
                b.set_state(s);
                for (int k = 0; k < skip; ++k) a.next_u32(), b.next_u32();
                std::vector<uint32_t> got(n);
                a.fill_u32(got.data(), n);
                for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], b.next_u32()) << "start " << start << " skip " << skip << " n " << n << " at " << i;
                EXPECT_EQ(a.state().counter, b.state().counter);
                EXPECT_EQ(a.state().used, b.state().used);
                EXPECT_EQ(a.next_u32(), b.next_u32());
            }
    for (size_t n : {size_t(1), size_t(127), size_t(128), size_t(129), size_t(10000)}) {
        Rng a(7, 1), b(7, 1);
        a.next_u32(), b.next_u32();
        std::vector<float> got(n);
        a.fill_normal(got.data(), n);
        for (size_t i = 0; i < n; ++i) {
            const float want = b.normal();
            ASSERT_EQ(std::memcmp(&got[i], &want, 4), 0) << "normal " << i << " of " << n;
        }
        EXPECT_EQ(a.next_u32(), b.next_u32());
        a.fill_uniform(got.data(), n);
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], b.uniform()) << "uniform " << i << " of " << n;
        EXPECT_EQ(a.next_u32(), b.next_u32());
    }
}
