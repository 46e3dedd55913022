// Adam (Kingma & Ba 2015) in PyTorch's formulation (torch.optim.Adam, 1.13):
//   m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²
//   p -= lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + ε)
// One fused pass over a whole parameter arena, by the arena's backend (backend/backend.h adam_update).
#pragma once
#include <cstdint>
#include <vector>

#include "backend/backend.h"
#include "core/arena.h"

namespace gan {

struct AdamOptions {
    float lr = 0.002f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};

// The constants of step t (1-based): bias corrections in double, then float as PyTorch uses them.
AdamStep adam_scalars(int64_t t, const AdamOptions& o);

class Adam {
  public:
    Adam(Arena& params, AdamOptions o);
    // Uses the arena's gradients (does not zero them), on the given backend (element-wise, so the same
    // bits whatever its threads).
    void step(Backend& be = host_backend());
    int64_t t = 0;
    DeviceArray m, v;  // the moments, on the arena's device (core/device_array.h)
    void place(Memory& mem);  // with the arena
    void download();
    void upload();
    AdamOptions options;

  private:
    Arena& params_;
};

}  // namespace gan
