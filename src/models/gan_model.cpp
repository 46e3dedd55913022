#include "models/gan_model.h"

#include "core/check.h"
#include "models/dcgan.h"
#include "models/mlp.h"
#include "nn/spectral_norm.h"

namespace gan {

std::unique_ptr<GanModel> gan_build(const ModelConfig& config) {
    GAN_CHECK(config.z_dim > 0 && config.hidden > 0 && config.image_values() > 0, "model sizes must be positive");
    auto m = std::make_unique<GanModel>();
    m->config = config;
    if (config.conditional) GAN_CHECK(config.num_classes >= 2, "a conditional model needs at least 2 classes");
    switch (config.arch) {
        case Arch::mlp: mlp_build(*m); break;
        case Arch::dcgan: dcgan_build(*m); break;
    }
    if (config.spectral_norm)
        for (size_t i = 0; i < m->d.num_layers(); ++i)
            if (m->d.layer(i).weight()) add_spectral_norm(m->d, i);
    Shape img = m->g.check_shapes(g_input_shape(config, 1));
    GAN_CHECK(int(img.per_sample()) == config.image_values(), "generator output does not match the image size");
    Shape logit = m->d.check_shapes(d_input_shape(config, 1));
    GAN_CHECK(int(logit.per_sample()) == d_outputs(config), "discriminator must output ", d_outputs(config),
              " values per sample");
    return m;
}

}  // namespace gan
