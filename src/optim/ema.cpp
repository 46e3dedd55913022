#include "optim/ema.h"

#include <algorithm>

namespace gan {

float ema_decay_at(float decay, int64_t t) {
    const double warm = double(1 + t) / double(10 + t);
    return std::min(decay, float(warm));
}

}  // namespace gan
