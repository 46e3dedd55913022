#include "models/gan_model.h"

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "core/check.h"
#include "models/dcgan.h"
#include "models/mlp.h"

namespace gan {

std::map<std::string, std::string> ModelConfig::to_metadata() const {
    return {{"arch", arch},
            {"z_dim", std::to_string(z_dim)},
            {"hidden", std::to_string(hidden)},
            {"channels", std::to_string(channels)},
            {"rows", std::to_string(rows)},
            {"cols", std::to_string(cols)},
            {"alpha", str(alpha)},
            {"latent", latent},
            {"conditional", conditional ? "1" : "0"},
            {"num_classes", std::to_string(num_classes)},
            {"cond_d", cond_d}};
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
    // Conditioning keys are absent from checkpoints written before conditional models existed.
    if (m.count("conditional")) c.conditional = meta_int(m, "conditional", src, 0, 1) == 1;
    if (m.count("num_classes")) c.num_classes = meta_int(m, "num_classes", src, 2, 1 << 16);
    if (auto it = m.find("cond_d"); it != m.end()) c.cond_d = it->second;
    return c;
}

std::unique_ptr<GanModel> gan_build(const ModelConfig& config) {
    GAN_CHECK(config.z_dim > 0 && config.hidden > 0 && config.image_size() > 0, "model sizes must be positive");
    auto m = std::make_unique<GanModel>();
    m->config = config;
    if (config.conditional) {
        GAN_CHECK(config.num_classes >= 2, "a conditional model needs at least 2 classes");
        GAN_CHECK(config.cond_d == "concat" || config.cond_d == "proj" || config.cond_d == "acgan" ||
                      config.cond_d == "proj_ac",
                  "unknown discriminator conditioning '", config.cond_d, "' (known: concat, proj, acgan, proj_ac)");
    }
    if (config.arch == "mlp")
        mlp_build(*m);
    else if (config.arch == "dcgan")
        dcgan_build(*m);
    else
        throw Error(str("unknown architecture '", config.arch, "' (known: mlp, dcgan)"));
    Shape img = m->g.check_shapes(g_input_shape(config, 1));
    GAN_CHECK(int(img.per_sample()) == config.image_size(), "generator output does not match the image size");
    Shape logit = m->d.check_shapes(d_input_shape(config, 1));
    GAN_CHECK(int(logit.per_sample()) == d_outputs(config), "discriminator must output ", d_outputs(config),
              " values per sample");
    return m;
}

}  // namespace gan
