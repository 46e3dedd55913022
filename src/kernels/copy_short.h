// Short copies (rows of 3 to 28 floats in the conv layers) as plain loops inlined into the functions
// marked GAN_NO_MEMCPY_IDIOM: GCC would turn them into memcpy calls, whose overhead dominates at
// these lengths.
#pragma once
#include <cstddef>

#if defined(__GNUC__) && !defined(__clang__)
#define GAN_NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define GAN_NO_MEMCPY_IDIOM
#endif

namespace gan {

static inline void copy_short(float* dst, const float* src, size_t n) {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
}

}  // namespace gan
