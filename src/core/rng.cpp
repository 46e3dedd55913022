#include "core/rng.h"

#include <cmath>

#include "core/cpu.h"

namespace gan {
// In rng_avx2.cpp (x86-64 builds): Philox4x32-10 on eight consecutive counters at once.
void philox8_avx2(uint64_t ctr, const uint32_t key[2], uint32_t* out);
}  // namespace gan

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


void Rng::fill_u32(uint32_t* out, size_t n) {
    size_t i = 0;
    while (i < n && s_.used < 4) out[i++] = block_[s_.used++];  // the current block's rest
#ifdef GAN_X86_KERNELS
    if (cpu_avx2()) {
        const uint32_t key[2] = {uint32_t(s_.key), uint32_t(s_.key >> 32)};
        for (; i + 32 <= n; i += 32) {
            philox8_avx2(s_.counter, key, out + i);
            s_.counter += 8;
        }
    }
#endif
    for (; i < n; ++i) out[i] = next_u32();
}

namespace {
inline float uniform_from(uint32_t w) { return float(w >> 8) * (1.0f / 16777216.0f); }  // 24 random bits
// Box-Muller on two words; 1 - u is in (0, 1], so the log is finite.
inline float normal_from(uint32_t a, uint32_t b) {
    return std::sqrt(-2.0f * std::log(1.0f - uniform_from(a))) * std::cos(6.2831853071795864f * uniform_from(b));
}
}  // namespace

void Rng::fill_normal(float* out, size_t n) {
    uint32_t w[256];
    for (size_t i = 0; i < n; i += 128) {
        const size_t m = n - i < 128 ? n - i : 128;
        fill_u32(w, 2 * m);
        for (size_t j = 0; j < m; ++j) out[i + j] = normal_from(w[2 * j], w[2 * j + 1]);
    }
}

void Rng::fill_uniform(float* out, size_t n) {
    uint32_t w[256];
    for (size_t i = 0; i < n; i += 256) {
        const size_t m = n - i < 256 ? n - i : 256;
        fill_u32(w, m);
        for (size_t j = 0; j < m; ++j) out[i + j] = uniform_from(w[j]);
    }
}

float Rng::uniform() { return uniform_from(next_u32()); }

float Rng::normal() {
    const uint32_t a = next_u32(), b = next_u32();  // in this order
    return normal_from(a, b);
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
