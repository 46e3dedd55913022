#include "optim/ema.h"

#include <algorithm>

namespace gan {

float ema_decay_at(float decay, int64_t t) {
    const double warm = double(1 + t) / double(10 + t);
    return std::min(decay, float(warm));
}

void ema_update(float* ema, const float* p, size_t n, float decay) {
    const float keep = decay, take = 1.0f - decay;
    for (size_t i = 0; i < n; ++i) ema[i] = keep * ema[i] + take * p[i];
}

}  // namespace gan
