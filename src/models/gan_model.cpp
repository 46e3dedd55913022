#include "models/gan_model.h"

#include <cmath>
#include <algorithm>
#include <cstdlib>

#include "core/check.h"
#include "nn/activation.h"
#include "nn/linear.h"

namespace gan {

std::map<std::string, std::string> ModelConfig::to_metadata() const {
    return {{"arch", arch},
            {"z_dim", std::to_string(z_dim)},
            {"hidden", std::to_string(hidden)},
            {"channels", std::to_string(channels)},
            {"rows", std::to_string(rows)},
            {"cols", std::to_string(cols)},
            {"alpha", str(alpha)},
            {"latent", latent}};
}

static int meta_int(const std::map<std::string, std::string>& m, const std::string& key, const std::string& src,
                    int lo, int hi) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), src, ": metadata has no '", key, "'");
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    GAN_CHECK(end && *end == 0 && !it->second.empty() && v >= lo && v <= hi, src, ": metadata '", key,
              "' = '", it->second, "' is not an integer in [", lo, ", ", hi, "]");
    return int(v);
}

ModelConfig ModelConfig::from_metadata(const std::map<std::string, std::string>& m, const std::string& src) {
    ModelConfig c;
    auto arch = m.find("arch");
    GAN_CHECK(arch != m.end(), src, ": metadata has no 'arch' (not a gan.cpp checkpoint?)");
    c.arch = arch->second;
    c.z_dim = meta_int(m, "z_dim", src, 1, 1 << 16);
    c.hidden = meta_int(m, "hidden", src, 1, 1 << 16);
    c.channels = meta_int(m, "channels", src, 1, 4);
    c.rows = meta_int(m, "rows", src, 1, 1024);
    c.cols = meta_int(m, "cols", src, 1, 1024);
    auto alpha = m.find("alpha");
    GAN_CHECK(alpha != m.end(), src, ": metadata has no 'alpha'");
    char* end = nullptr;
    c.alpha = std::strtof(alpha->second.c_str(), &end);
    GAN_CHECK(end && *end == 0 && std::isfinite(c.alpha), src, ": metadata 'alpha' is not a number");
    auto latent = m.find("latent");
    GAN_CHECK(latent != m.end(), src, ": metadata has no 'latent'");
    c.latent = latent->second;
    GAN_CHECK(c.latent == "uniform" || c.latent == "normal", src, ": unknown latent '", c.latent, "'");
    return c;
}

static void build_mlp(GanModel& m) {
    const ModelConfig& c = m.config;
    // G: z -> Linear(z, h) -> LeakyReLU -> Linear(h, img) -> tanh
    m.g.add<Linear>(LinearOptions{c.z_dim, c.hidden});
    m.g.add_plain<Activation>(Act::leaky_relu, c.alpha);
    m.g.add<Linear>(LinearOptions{c.hidden, c.image_size()});
    m.g.add_plain<Activation>(Act::tanh);
    // D: x -> Linear(img, h) -> LeakyReLU -> Linear(h, 1) -> logit
    m.d.add<Linear>(LinearOptions{c.image_size(), c.hidden});
    m.d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    m.d.add<Linear>(LinearOptions{c.hidden, 1});
}

std::unique_ptr<GanModel> gan_build(const ModelConfig& config) {
    GAN_CHECK(config.z_dim > 0 && config.hidden > 0 && config.image_size() > 0, "model sizes must be positive");
    auto m = std::make_unique<GanModel>();
    m->config = config;
    if (config.arch == "mlp")
        build_mlp(*m);
    else
        throw Error(str("unknown architecture '", config.arch, "' (known: mlp)"));
    Shape img = m->g.check_shapes({1, config.z_dim, 1, 1});
    GAN_CHECK(int(img.per_sample()) == config.image_size(), "generator output does not match the image size");
    Shape logit = m->d.check_shapes({1, config.channels, config.rows, config.cols});
    GAN_CHECK(logit.per_sample() == 1, "discriminator must output one logit per sample");
    return m;
}

void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng) {
    const float a = std::sqrt(6.0f / float(fan_in + fan_out));
    for (size_t i = 0; i < n; ++i) w[i] = rng.uniform(-a, a);
}

static void init_linear_glorot(Sequential& s, Rng& rng) {
    for (size_t i = 0; i < s.num_layers(); ++i) {
        auto* lin = dynamic_cast<Linear*>(&s.layer(i));
        if (!lin) continue;
        const LinearOptions& o = lin->options();
        init_glorot_uniform(s.params.value(lin->weight_offset()), size_t(o.in) * o.out, o.in, o.out, rng);
        if (o.bias)
            for (int j = 0; j < o.out; ++j) s.params.value(lin->bias_offset())[j] = 0.0f;
    }
}

void gan_init(GanModel& model, Rng& rng) {
    if (model.config.arch == "mlp") {
        init_linear_glorot(model.g, rng);
        init_linear_glorot(model.d, rng);
    }
}

void sample_latent(Tensor& z, int n, const ModelConfig& config, Rng& rng) {
    z.resize({n, config.z_dim, 1, 1});
    float* p = z.data();
    if (config.latent == "normal")
        for (size_t i = 0; i < z.size(); ++i) p[i] = rng.normal();
    else
        for (size_t i = 0; i < z.size(); ++i) p[i] = rng.uniform() * 2.0f - 1.0f;  // as torch.rand()*2-1
}

void to_pixels(uint8_t* out, const float* y, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        float v = std::nearbyint((y[i] + 1.0f) * 127.5f);
        out[i] = uint8_t(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f);  // NaN -> 0
    }
}

}  // namespace gan

namespace gan {

void gan_generate(GanModel& model, int n, Rng& rng, std::vector<uint8_t>& pixels) {
    GAN_CHECK(n >= 0, "number of images must not be negative");
    const size_t img = size_t(model.config.image_size());
    pixels.resize(size_t(n) * img);
    Tensor z;
    const int chunk = 1000;
    model.g.set_training(false);
    for (int i = 0; i < n; i += chunk) {
        int b = std::min(chunk, n - i);
        sample_latent(z, b, model.config, rng);
        const Tensor& y = model.g.forward(z);
        to_pixels(pixels.data() + size_t(i) * img, y.data(), size_t(b) * img);
    }
    model.g.set_training(true);
}

}  // namespace gan
