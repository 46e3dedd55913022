#include "models/dcgan.h"

#include "core/check.h"
#include "nn/activation.h"
#include "nn/batchnorm2d.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"

namespace gan {

ModelConfig dcgan_config(bool conditional) {
    ModelConfig c;
    c.arch = Arch::dcgan;
    c.z_dim = 100;
    c.channels = 1, c.rows = 28, c.cols = 28;
    c.alpha = 0.2f;
    c.latent = Latent::normal;
    c.conditional = conditional;
    return c;
}

void dcgan_build(GanModel& m) {
    const ModelConfig& c = m.config;
    GAN_CHECK(c.rows == 28 && c.cols == 28, "the dcgan architecture draws 28x28 images, not ", c.rows, "x", c.cols);
    const int cz = g_input_shape(c, 1).c, cd = d_input_shape(c, 1).c, dout = d_outputs(c);
    Sequential& g = m.g;
    g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = cz, .out = 256, .kernel = 4, .stride = 1, .padding = 0, .bias = false});
    g.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 256});
    g.add_plain<Activation>(Act::relu);
    g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = 256, .out = 128, .kernel = 3, .stride = 2, .padding = 1, .bias = false});
    g.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 128});
    g.add_plain<Activation>(Act::relu);
    g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = 128, .out = 64, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    g.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 64});
    g.add_plain<Activation>(Act::relu);
    g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = 64, .out = c.channels, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    g.add_plain<Activation>(Act::tanh);

    Sequential& d = m.d;
    d.add<Conv2d>(Conv2dOptions{.in = cd, .out = 64, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    d.add<Conv2d>(Conv2dOptions{.in = 64, .out = 128, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    d.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 128});
    d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    d.add<Conv2d>(Conv2dOptions{.in = 128, .out = 256, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    d.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 256});
    d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    d.add<Conv2d>(Conv2dOptions{.in = 256, .out = dout, .kernel = 3, .stride = 1, .padding = 0, .bias = false});
}

static void dcgan_init_seq(Sequential& s, Rng& rng) {
    for (size_t i = 0; i < s.num_layers(); ++i) {
        Layer& l = s.layer(i);
        if (auto* ct = dynamic_cast<ConvTranspose2d*>(&l)) {
            const ConvTranspose2dOptions& o = ct->options();
            float* w = s.params.value(ct->weight_offset());
            for (size_t k = 0, n = size_t(o.in) * o.out * o.kernel * o.kernel; k < n; ++k) w[k] = 0.02f * rng.normal();
            if (o.bias)
                for (int k = 0; k < o.out; ++k) s.params.value(ct->bias_offset())[k] = 0.0f;
        } else if (auto* cv = dynamic_cast<Conv2d*>(&l)) {
            const Conv2dOptions& o = cv->options();
            float* w = s.params.value(cv->weight_offset());
            for (size_t k = 0, n = size_t(o.out) * cv->fan_in(); k < n; ++k) w[k] = 0.02f * rng.normal();
            if (o.bias)
                for (int k = 0; k < o.out; ++k) s.params.value(cv->bias_offset())[k] = 0.0f;
        } else if (auto* bn = dynamic_cast<BatchNorm2d*>(&l)) {
            const int C = bn->options().channels;
            for (int k = 0; k < C; ++k) s.params.value(bn->weight_offset())[k] = 1.0f + 0.02f * rng.normal();
            for (int k = 0; k < C; ++k) s.params.value(bn->bias_offset())[k] = 0.0f;
            bn->reset_running_stats();
        }
    }
}

void dcgan_init(GanModel& model, Rng& rng) {
    dcgan_init_seq(model.g, rng);
    dcgan_init_seq(model.d, rng);
}

}  // namespace gan
