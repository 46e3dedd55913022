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
    g.set_prefix(kExampleGPrefix);
    m.d.set_prefix(kExampleDPrefix);
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
        if (!c.spectral_norm) d.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = c.ndf * mult * 2});
        d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    }
    d.add<Conv2d>(Conv2dOptions{.in = c.ndf * top, .out = dout, .kernel = 4, .stride = 1, .padding = 0, .bias = false});
}

const std::vector<int64_t>* shape_of(const TensorShapes& shapes, const std::string& name) {
    auto it = shapes.find(name);
    return it == shapes.end() ? nullptr : &it->second;
}

}  // namespace

bool is_example_netg(const TensorShapes& shapes) {
    return shapes.count(std::string(kExampleGPrefix) + ".0.weight") > 0;
}

ModelConfig dcgan_example_config(const TensorShapes& shapes, const std::string& source) {
    const std::string p = kExampleGPrefix;
    const std::vector<int64_t>* first = shape_of(shapes, p + ".0.weight");
    GAN_CHECK(first && first->size() == 4 && (*first)[2] == 4 && (*first)[3] == 4, source,
              ": not the state dict of PyTorch's DCGAN example netG: its main.0.weight is not (nz, ngf*8, 4, 4)");
    int last = 0;  // the index of the last transposed convolution: every third layer
    while (shape_of(shapes, str(p, ".", last + 3, ".weight"))) last += 3;
    GAN_CHECK(last == 9 || last == 12, source, ": the example's netG has 4 (32x32) or 5 (64x64) transposed "
              "convolutions, main.0 to main.9 or main.12; this one has ", last / 3 + 1);
    const std::vector<int64_t>& out = *shape_of(shapes, str(p, ".", last, ".weight"));
    GAN_CHECK(out.size() == 4 && out[0] > 0 && out[0] < 65536 && (out[1] == 1 || out[1] == 3) &&
                  (*first)[0] > 0 && (*first)[0] < 65536,
              source, ": main.", last, ".weight of the example's netG is not (ngf, 1 or 3, 4, 4)");
    ModelConfig c = dcgan_config();
    c.rows = c.cols = last == 12 ? 64 : 32;
    c.z_dim = int((*first)[0]);
    c.ngf = c.ndf = int(out[0]);  // D is not in the file: it gets G's width
    c.channels = int(out[1]);
    GAN_CHECK((*first)[1] == int64_t(c.ngf) * c.rows / 8, source, ": main.0.weight has ", (*first)[1],
              " output channels; the example's netG at ", c.rows, "x", c.rows, " with ngf ", c.ngf, " has ",
              c.ngf * c.rows / 8);
    return c;
}

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
    if (!c.spectral_norm) d.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 128});
    d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    d.add<Conv2d>(Conv2dOptions{.in = 128, .out = 256, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    if (!c.spectral_norm) d.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 256});
    d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    d.add<Conv2d>(Conv2dOptions{.in = 256, .out = dout, .kernel = 3, .stride = 1, .padding = 0, .bias = false});
}

}  // namespace gan
