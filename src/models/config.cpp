#include "models/config.h"

#include <cmath>
#include <cstdlib>
#include <ostream>

#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/enum_names.h"

namespace gan {

namespace {

constexpr const char* kArchNames[] = {"mlp", "dcgan"};
constexpr const char* kLatentNames[] = {"uniform", "normal"};
constexpr const char* kCondDNames[] = {"concat", "proj", "acgan", "proj_ac"};

int meta_int(const std::map<std::string, std::string>& m, const std::string& key, const std::string& src, int lo,
             int hi) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), src, ": metadata has no '", key, "'");
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    GAN_CHECK(end && *end == 0 && !it->second.empty() && v >= lo && v <= hi, src, ": metadata '", key,
              "' = '", it->second, "' is not an integer in [", lo, ", ", hi, "]");
    return int(v);
}

// A metadata string turned into an enum, errors prefixed with the file.
template <class E>
E meta_enum(E (*parse)(const std::string&, const std::string&), const std::string& value, const char* what,
            const std::string& src) {
    try {
        return parse(value, what);
    } catch (const Error& e) {
        throw Error(str(src, ": ", e.what()));
    }
}

}  // namespace

const char* to_string(Arch arch) { return enum_name(kArchNames, arch); }
const char* to_string(Latent latent) { return enum_name(kLatentNames, latent); }
const char* to_string(CondD cond_d) { return enum_name(kCondDNames, cond_d); }
std::ostream& operator<<(std::ostream& os, Arch arch) { return os << to_string(arch); }
std::ostream& operator<<(std::ostream& os, Latent latent) { return os << to_string(latent); }
std::ostream& operator<<(std::ostream& os, CondD cond_d) { return os << to_string(cond_d); }

Arch arch_from_string(const std::string& name, const std::string& what) {
    return enum_from_name<Arch>(kArchNames, name, what);
}
Latent latent_from_string(const std::string& name, const std::string& what) {
    return enum_from_name<Latent>(kLatentNames, name, what);
}
CondD cond_d_from_string(const std::string& name, const std::string& what) {
    return enum_from_name<CondD>(kCondDNames, name, what);
}

std::map<std::string, std::string> ModelConfig::to_metadata() const {
    std::map<std::string, std::string> m = {{"arch", to_string(arch)},
                                            {"z_dim", std::to_string(z_dim)},
                                            {"hidden", std::to_string(hidden)},
                                            {"channels", std::to_string(channels)},
                                            {"rows", std::to_string(rows)},
                                            {"cols", std::to_string(cols)},
                                            {"alpha", str(alpha)},
                                            {"latent", to_string(latent)},
                                            {"conditional", conditional ? "1" : "0"},
                                            {"num_classes", std::to_string(num_classes)},
                                            {"cond_d", to_string(cond_d)}};
    if (spectral_norm) m["spectral_norm"] = "1";  // absent: off, as in files from before it existed
    if (arch == Arch::dcgan && rows != 28) m["ngf"] = std::to_string(ngf), m["ndf"] = std::to_string(ndf);
    if (conditional && !class_names.empty()) m["class_names"] = nlohmann::json(class_names).dump();
    return m;
}

ModelConfig ModelConfig::from_metadata(const std::map<std::string, std::string>& m, const std::string& src) {
    ModelConfig c;
    auto arch = m.find("arch");
    GAN_CHECK(arch != m.end(), src, ": metadata has no 'arch' (not a gan.cpp checkpoint?)");
    c.arch = meta_enum(arch_from_string, arch->second, "architecture", src);
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
    c.latent = meta_enum(latent_from_string, latent->second, "latent", src);
    // Conditioning keys are absent from checkpoints written before conditional models existed.
    if (m.count("conditional")) c.conditional = meta_int(m, "conditional", src, 0, 1) == 1;
    if (m.count("num_classes")) c.num_classes = meta_int(m, "num_classes", src, 2, kMaxClasses);
    if (auto it = m.find("cond_d"); it != m.end())
        c.cond_d = meta_enum(cond_d_from_string, it->second, "discriminator conditioning", src);
    if (m.count("spectral_norm")) c.spectral_norm = meta_int(m, "spectral_norm", src, 0, 1) == 1;
    if (m.count("ngf")) c.ngf = meta_int(m, "ngf", src, 1, 1 << 12);  // written for the 32x32 and 64x64 dcgan
    if (m.count("ndf")) c.ndf = meta_int(m, "ndf", src, 1, 1 << 12);
    return c;
}

}  // namespace gan
