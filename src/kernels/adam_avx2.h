// The AVX2 + FMA Adam pass (adam_avx2.cpp), for kernels/adam.cpp to call where the CPU has them; x86-64 only.
#pragma once
#include <cstddef>

#include "core/op_types.h"

namespace gan {

// Updates the leading multiple of 8 of the n elements and returns how many it did; the same
// operations per element as kernels/adam.cpp's scalar loop.
size_t adam_update_avx2(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k);

}  // namespace gan
