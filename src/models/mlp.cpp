#include "models/mlp.h"

#include <algorithm>

#include "models/init.h"
#include "nn/activation.h"
#include "nn/linear.h"

namespace gan {

void mlp_build(GanModel& m) {
    const ModelConfig& c = m.config;
    m.g.add<Linear>(LinearOptions{int(g_input_shape(c, 1).per_sample()), c.hidden});
    m.g.add_plain<Activation>(Act::leaky_relu, c.alpha);
    m.g.add<Linear>(LinearOptions{c.hidden, c.image_values()});
    m.g.add_plain<Activation>(Act::tanh);
    m.d.add<Linear>(LinearOptions{int(d_input_shape(c, 1).per_sample()), c.hidden});
    m.d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    m.d.add<Linear>(LinearOptions{c.hidden, d_outputs(c)});
}

namespace {

// The MLP's parameters are its Linear layers' (OUT, IN) weights and (OUT) biases, in layer order.
void init_linear_layers(Arena& params, Rng& rng) {
    for (const ParamInfo& p : params.params()) {
        float* v = params.value(p.offset);
        if (p.shape.size() == 2) {
            const int out = int(p.shape[0]), in = int(p.shape[1]);
            init_glorot_uniform(v, p.size, in, out, rng);
        } else {
            std::fill(v, v + p.size, 0.0f);
        }
    }
}

}  // namespace

void mlp_init(GanModel& m, Rng& rng) {
    init_linear_layers(m.g.params, rng);
    init_linear_layers(m.d.params, rng);
}

}  // namespace gan
