#include "core/rng.h"

#include <cmath>

namespace gan {

void philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;  // Philox multipliers
    const uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;  // Weyl key increments
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
        uint64_t p0 = uint64_t(M0) * c0, p1 = uint64_t(M1) * c2;
        uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0, n1 = uint32_t(p1);
        uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1, n3 = uint32_t(p0);
        c0 = n0, c1 = n1, c2 = n2, c3 = n3;
        k0 += W0, k1 += W1;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

static uint64_t mix64(uint64_t x) {  // splitmix64 finaliser: decorrelates nearby seeds
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

Rng::Rng(uint64_t seed, uint64_t stream) { s_.key = mix64(seed ^ mix64(stream + 0x51ED)); }

void Rng::set_state(const RngState& s) {
    s_ = s;
    if (s_.used < 4) {  // regenerate the partly used block
        s_.counter -= 1;
        uint32_t used = s_.used;
        refill();
        s_.used = used;
    }
}

void Rng::refill() {
    const uint32_t ctr[4] = {uint32_t(s_.counter), uint32_t(s_.counter >> 32), 0, 0};
    const uint32_t key[2] = {uint32_t(s_.key), uint32_t(s_.key >> 32)};
    philox4x32(ctr, key, block_);
    s_.counter += 1;
    s_.used = 0;
}

uint32_t Rng::next_u32() {
    if (s_.used >= 4) refill();
    return block_[s_.used++];
}

float Rng::uniform() { return float(next_u32() >> 8) * (1.0f / 16777216.0f); }

float Rng::normal() {
    // 1 - u is in (0, 1], so the log is finite.
    float u1 = 1.0f - uniform(), u2 = uniform();
    return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864f * u2);
}

uint32_t Rng::below(uint32_t n) {
    // Lemire's multiply-shift with rejection: no modulo bias.
    uint64_t m = uint64_t(next_u32()) * n;
    uint32_t low = uint32_t(m);
    if (low < n) {
        uint32_t threshold = uint32_t(-n) % n;
        while (low < threshold) {
            m = uint64_t(next_u32()) * n;
            low = uint32_t(m);
        }
    }
    return uint32_t(m >> 32);
}

}  // namespace gan
