#include "optim/ema.h"

namespace gan {

void ema_update(float* ema, const float* p, size_t n, float decay) {
    const float keep = decay, take = 1.0f - decay;
    for (size_t i = 0; i < n; ++i) ema[i] = keep * ema[i] + take * p[i];
}

}  // namespace gan
