#include "models/dcgan.h"

#include <algorithm>

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

namespace {

// PyTorch's examples/dcgan/main.py at 64x64 (top = 8: G's widths 8, 4, 2, 1 x ngf; D's 1, 2, 4, 8 x ndf)
// and the same with one stage fewer at 32x32 (top = 4).
void build_example(GanModel& m, int top) {
    const ModelConfig& c = m.config;
    const int cz = g_input_shape(c, 1).c, cd = d_input_shape(c, 1).c, dout = d_outputs(c);
    Sequential& g = m.g;
    g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = cz, .out = c.ngf * top, .kernel = 4, .stride = 1, .padding = 0, .bias = false});
    g.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = c.ngf * top});
    g.add_plain<Activation>(Act::relu);
    for (int mult = top; mult > 1; mult /= 2) {
        g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = c.ngf * mult, .out = c.ngf * mult / 2, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
        g.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = c.ngf * mult / 2});
        g.add_plain<Activation>(Act::relu);
    }
    g.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = c.ngf, .out = c.channels, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    g.add_plain<Activation>(Act::tanh);

    Sequential& d = m.d;
    d.add<Conv2d>(Conv2dOptions{.in = cd, .out = c.ndf, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    for (int mult = 1; mult < top; mult *= 2) {
        d.add<Conv2d>(Conv2dOptions{.in = c.ndf * mult, .out = c.ndf * mult * 2, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
        d.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = c.ndf * mult * 2});
        d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    }
    d.add<Conv2d>(Conv2dOptions{.in = c.ndf * top, .out = dout, .kernel = 4, .stride = 1, .padding = 0, .bias = false});
}

}  // namespace

void dcgan_build(GanModel& m) {
    const ModelConfig& c = m.config;
    GAN_CHECK(c.rows == c.cols && (c.rows == 28 || c.rows == 32 || c.rows == 64),
              "the dcgan architecture draws 28x28 (MNIST), 32x32 or 64x64 images, not ", c.rows, "x", c.cols);
    if (c.rows != 28) return build_example(m, c.rows / 8);
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

// From the parameter table, in layer order: (de)convolution weights (4-d) N(0, 0.02), batch-norm
// weights (1-d ".weight") N(1, 0.02), biases 0; running statistics mean 0, variance 1.
static void dcgan_init_seq(Sequential& s, Rng& rng) {
    for (const ParamInfo& p : s.params.params()) {
        float* v = s.params.value(p.offset);
        const bool bn_weight = p.shape.size() == 1 && p.name.ends_with(".weight");
        for (size_t k = 0; k < p.size; ++k) {
            if (p.shape.size() == 4)
                v[k] = 0.02f * rng.normal();
            else
                v[k] = bn_weight ? 1.0f + 0.02f * rng.normal() : 0.0f;
        }
    }
    for (const ParamInfo& p : s.buffers.params())
        std::fill(s.buffers.value(p.offset), s.buffers.value(p.offset) + p.size,
                  p.name.ends_with(".running_var") ? 1.0f : 0.0f);
}

void dcgan_init(GanModel& model, Rng& rng) {
    dcgan_init_seq(model.g, rng);
    dcgan_init_seq(model.d, rng);
}

}  // namespace gan
