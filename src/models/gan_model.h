// A GAN model: generator and discriminator over their own arenas, plus the configuration that
// rebuilds it (stored in checkpoint metadata, so `gan sample` needs nothing but the file).
// The model families live beside it: models/mlp.h (the classic tutorial MLP), models/dcgan.h; what the
// step and the sampler feed them in models/conditioning.h, models/generate.h, models/init.h.
#pragma once
#include <memory>
#include <string>

#include "models/config.h"
#include "nn/sequential.h"

namespace gan {

struct GanModel {
    ModelConfig config;
    Sequential g{"generator"}, d{"discriminator"};
};

// Builds the model for config.arch and checks every layer's shapes. Weights are zero until init
// (models/init.h).
std::unique_ptr<GanModel> gan_build(const ModelConfig& config);

}  // namespace gan

#include "models/conditioning.h"
#include "models/generate.h"
#include "models/init.h"
