#include "models/init.h"

namespace gan {

InitScheme init_scheme(const ModelConfig& config) {
    return config.arch == Arch::dcgan ? InitScheme::dcgan_normal : InitScheme::glorot_uniform;
}

void gan_init(GanModel& model, Rng& rng) {
    model.g.init(init_scheme(model.config), rng);
    model.d.init(init_scheme(model.config), rng);
}

}  // namespace gan
