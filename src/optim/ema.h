// Exponential moving average of a model's weights (Yazıcı et al. 2019, "The unusual effectiveness
// of averaging in GAN training"): ema = decay * ema + (1 - decay) * p after every G update.
#pragma once
#include <cstddef>

namespace gan {

void ema_update(float* ema, const float* p, size_t n, float decay);

}  // namespace gan
