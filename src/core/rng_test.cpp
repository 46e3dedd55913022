#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
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
