// Adam's update of n parameters p with gradients g and moments m, v, for one step's constants k
// (optim/adam.h computes them as PyTorch does). AVX2 where the CPU has it (kernels/adam_avx2.cpp);
// bitwise equal to adam_update_naive, the scalar oracle, on every CPU.
#pragma once
#include <cstddef>

#include "core/op_types.h"

namespace gan {

void adam_update(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k);
void adam_update_naive(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k);

// ema = decay·ema + (1 - decay)·p.
void ema_update(float* ema, const float* p, size_t n, float decay);

}  // namespace gan
