#include "train/ada.h"

#include <algorithm>

namespace gan {

void ada_update(AdaState& s, double real_sign, double target, int batch, double images) {
    s.sign_sum += real_sign;
    if (++s.steps < kAdaInterval) return;
    const double r = s.sign_sum / s.steps;
    const double direction = r > target ? 1.0 : r < target ? -1.0 : 0.0;
    s.p = std::clamp(s.p + direction * double(batch) * kAdaInterval / images, 0.0, 1.0);
    s.sign_sum = 0;
    s.steps = 0;
}

}  // namespace gan
