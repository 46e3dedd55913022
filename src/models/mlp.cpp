#include "models/mlp.h"

#include <algorithm>

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

}  // namespace gan
