// Adam (Kingma & Ba 2015) in PyTorch's formulation (torch.optim.Adam, 1.13):
//   m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²
//   p -= lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + ε)
// One fused pass over a whole parameter arena.
#pragma once
#include <cstdint>
#include <vector>

#include "core/arena.h"
#include "core/thread_pool.h"

namespace gan {

struct AdamOptions {
    float lr = 0.002f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};

// The constants of step t (1-based): bias corrections in double, then float as PyTorch uses them.
struct AdamScalars {
    float step_size, bc2_sqrt, b1, b2, a1, a2, eps;
};
AdamScalars adam_scalars(int64_t t, const AdamOptions& o);

// The kernel: n parameters p with gradients g and moments m, v; t is the step number (1-based).
// AVX2 where the CPU has it (optim/adam_avx2.cpp); bitwise equal to adam_update_naive, the scalar
// oracle, on every CPU.
void adam_update(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o);
void adam_update_naive(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o);

class Adam {
  public:
    Adam(Arena& params, AdamOptions o);
    void step();  // uses the arena's gradients; does not zero them
    // The same update split over the pool's threads (element-wise, so bitwise equal to step()).
    void step(ThreadPool* pool);
    int64_t t = 0;
    std::vector<float> m, v;
    AdamOptions options;

  private:
    Arena& params_;
};

}  // namespace gan
