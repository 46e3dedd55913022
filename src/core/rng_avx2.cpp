// Philox4x32-10 (core/rng.h) on eight blocks at once with AVX2; this file alone is built with it.
#include <immintrin.h>

#include <cstdint>

namespace gan {

namespace {
// 32 × 32 -> 64-bit products of the even (pe) and odd (po) lanes, split into low and high words.
inline __m256i mul_lo(__m256i pe, __m256i po) { return _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xAA); }
inline __m256i mul_hi(__m256i pe, __m256i po) { return _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA); }
}  // namespace

// Philox4x32-10 on eight blocks at once (counters ctr .. ctr + 7, the key shared), as philox4x32.
// Lane i of c0..c3 is word 0..3 of block i; out gets the blocks one after another.
void philox8_avx2(uint64_t ctr, const uint32_t key[2], uint32_t* out) {
    alignas(32) uint32_t lo[8], hi[8];
    for (int i = 0; i < 8; ++i) lo[i] = uint32_t(ctr + uint64_t(i)), hi[i] = uint32_t((ctr + uint64_t(i)) >> 32);
    __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
    __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
    __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
    const __m256i M0 = _mm256_set1_epi32(int(0xD2511F53u)), M1 = _mm256_set1_epi32(int(0xCD9E8D57u));
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
        const __m256i p0e = _mm256_mul_epu32(c0, M0), p0o = _mm256_mul_epu32(_mm256_srli_epi64(c0, 32), M0);
        const __m256i p1e = _mm256_mul_epu32(c2, M1), p1o = _mm256_mul_epu32(_mm256_srli_epi64(c2, 32), M1);
        const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(mul_hi(p1e, p1o), c1), _mm256_set1_epi32(int(k0)));
        const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(mul_hi(p0e, p0o), c3), _mm256_set1_epi32(int(k1)));
        c1 = mul_lo(p1e, p1o);
        c3 = mul_lo(p0e, p0o);
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
    }
    // Transpose the 4 x 8 words into 8 blocks of 4.
    const __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpackhi_epi32(c0, c1);  // (c0 c1) pairs
    const __m256i t2 = _mm256_unpacklo_epi32(c2, c3), t3 = _mm256_unpackhi_epi32(c2, c3);
    const __m256i b0 = _mm256_unpacklo_epi64(t0, t2), b1 = _mm256_unpackhi_epi64(t0, t2);  // blocks 0,4 / 1,5
    const __m256i b2 = _mm256_unpacklo_epi64(t1, t3), b3 = _mm256_unpackhi_epi64(t1, t3);  // blocks 2,6 / 3,7
    __m256i* o = reinterpret_cast<__m256i*>(out);
    _mm256_storeu_si256(o + 0, _mm256_permute2x128_si256(b0, b1, 0x20));
    _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(b2, b3, 0x20));
    _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(b0, b1, 0x31));
    _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(b2, b3, 0x31));
}

}  // namespace gan
