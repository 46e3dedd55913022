#include "train/options.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "backend/backend.h"
#include "core/check.h"
#include "io/json_depth.h"
#include "nn/augment.h"

namespace gan {

using json = nlohmann::json;

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;  // clang (the fuzz build) needs the guide that GCC infers

// ---- text: help defaults, resume messages, the names of enum flags ----------------------------------

std::string text_of(int v) { return std::to_string(v); }
std::string text_of(uint64_t v) { return std::to_string(v); }
std::string text_of(float v) { return str(v); }
std::string text_of(bool v) { return v ? "true" : "false"; }
std::string text_of(const std::string& v) { return v; }
template <class E>
std::enable_if_t<std::is_enum_v<E>, std::string> text_of(E v) {
    return to_string(v);
}
std::string text_of(ImageField f) { return str(*f.channels, "x", *f.rows, "x", *f.cols); }
std::string text_of(const std::vector<std::string>& v) {
    std::string t;
    for (const std::string& s : v) t += (t.empty() ? "" : ",") + s;
    return t;
}

// `what` names the option in errors (its flag).
void from_text(Arch& v, const std::string& t, const std::string& what) { v = arch_from_string(t, what); }
void from_text(Latent& v, const std::string& t, const std::string& what) { v = latent_from_string(t, what); }
void from_text(CondD& v, const std::string& t, const std::string& what) { v = cond_d_from_string(t, what); }
void from_text(LossKind& v, const std::string& t, const std::string& what) { v = loss_kind_from_string(t, what); }
void from_text(std::string& v, const std::string& t, const std::string&) { v = t; }
void from_text(bool& v, const std::string& t, const std::string& what) {
    GAN_CHECK(t == "true" || t == "false", what, ": '", t, "' is not true or false");
    v = t == "true";
}
void check_parsed(const std::string& t, const char* end, const std::string& what) {
    GAN_CHECK(!t.empty() && end && *end == 0, what, ": '", t, "' is not a number");
}
void from_text(float& v, const std::string& t, const std::string& what) {
    char* end = nullptr;
    v = std::strtof(t.c_str(), &end);
    check_parsed(t, end, what);
}
void from_text(int& v, const std::string& t, const std::string& what) {
    char* end = nullptr;
    const long long n = std::strtoll(t.c_str(), &end, 10);
    check_parsed(t, end, what);
    GAN_CHECK(n >= INT_MIN && n <= INT_MAX, what, ": ", t, " is out of range");
    v = int(n);
}
void from_text(uint64_t& v, const std::string& t, const std::string& what) {
    char* end = nullptr;
    GAN_CHECK(t.find('-') == std::string::npos, what, ": ", t, " is negative");
    v = std::strtoull(t.c_str(), &end, 10);
    check_parsed(t, end, what);
}
void from_text(std::vector<std::string>& v, const std::string& t, const std::string&) {
    v.clear();
    for (size_t at = 0; !t.empty() && at <= t.size();) {
        const size_t comma = std::min(t.find(',', at), t.size());
        v.push_back(t.substr(at, comma - at));
        at = comma + 1;
    }
}
void from_text(ImageField&, const std::string&, const std::string& what) {
    throw Error(str(what, " is not set from text"));
}

// ---- JSON ---------------------------------------------------------------------------------------

// Integers are range-checked before conversion: a hostile checkpoint must not reach the undefined
// behaviour of converting 1e300 or -1.5 to int.
int json_int(const json& v, const char* key, const std::string& source) {
    GAN_CHECK(v.is_number_integer() && v.get<int64_t>() >= INT32_MIN && v.get<int64_t>() <= INT32_MAX, source,
              ": training option '", key, "' is not an integer");
    return int(v.get<int64_t>());
}

struct JsonReader {
    const json& v;
    const char* key;
    std::string what;  // the flag, or the key of an option without one
    const std::string& source;
    void operator()(int* p) const { *p = json_int(v, key, source); }
    void operator()(float* p) const {
        GAN_CHECK(v.is_number() && std::fabs(v.get<double>()) <= 3.0e38, source, ": training option '", key,
                  "' is not a float32 number");
        *p = float(v.get<double>());
    }
    void operator()(uint64_t* p) const {
        GAN_CHECK(v.is_number_unsigned(), source, ": training option '", key, "' is not a non-negative integer");
        *p = v.get<uint64_t>();
    }
    void operator()(bool* p) const { *p = v.get<bool>(); }
    void operator()(std::string* p) const { *p = v.get<std::string>(); }
    void operator()(std::vector<std::string>* p) const {
        GAN_CHECK(v.is_array() && v.size() <= 65536, source, ": training option '", key, "' is not a list of names");
        p->clear();
        for (const json& e : v) p->push_back(e.get<std::string>());
    }
    void operator()(ImageField f) const {
        *f.channels = json_int(v.at(0), "image", source);
        *f.rows = json_int(v.at(1), "image", source);
        *f.cols = json_int(v.at(2), "image", source);
    }
    template <class E>
    std::enable_if_t<std::is_enum_v<E>> operator()(E* p) const {
        try {
            from_text(*p, v.get<std::string>(), what);
        } catch (const Error& e) {
            throw Error(str(source, ": ", e.what()));
        }
    }
};

json json_of(const OptionField& f) {
    return std::visit(overloaded{[](ImageField i) { return json{*i.channels, *i.rows, *i.cols}; },
                                 [](auto* p) -> json {
                                     using T = std::remove_pointer_t<decltype(p)>;
                                     if constexpr (std::is_enum_v<T>) return text_of(*p);
                                     else return *p;
                                 }},
                      f);
}

const char* what_of(const TrainOption& t) { return t.has_flag() ? t.flag : t.key; }

void check_range(const TrainOption& t, const OptionField& f) {
    const OptionRange& r = *t.range;
    std::visit(overloaded{[](ImageField) {}, [](std::string*) {}, [](bool*) {}, [](std::vector<std::string>*) {},
                          [&](auto* p) {
                              if constexpr (!std::is_enum_v<std::remove_pointer_t<decltype(p)>>) {
                                  const double v = double(*p);
                                  const bool ok = (r.lo_open ? v > r.lo : v >= r.lo) &&
                                                  (r.hi_open ? v < r.hi : v <= r.hi);
                                  GAN_CHECK(ok, r.name ? r.name : t.flag, " ", r.must,
                                            r.show_got ? str(" (got ", *p, ")") : std::string());
                              }
                          }},
               f);
}

}  // namespace

bool TrainOption::is_enum() const {
    TrainOptions o;
    return std::visit(overloaded{[](ImageField) { return false; },
                                 [](auto* p) { return std::is_enum_v<std::remove_pointer_t<decltype(p)>>; }},
                      field(o));
}

// field() hands out pointers to change; the const members below read through a copy.

std::string TrainOption::show(const TrainOptions& o) const {
    TrainOptions copy = o;
    return std::visit(overloaded{[](ImageField i) { return text_of(i); }, [](auto* p) { return text_of(*p); }},
                      field(copy));
}

void TrainOption::parse(TrainOptions& o, const std::string& text) const {
    const std::string what = what_of(*this);
    std::visit(overloaded{[&](ImageField i) { from_text(i, text, what); }, [&](auto* p) { from_text(*p, text, what); }},
               field(o));
}

void TrainOption::copy(TrainOptions& to, const TrainOptions& from) const {
    TrainOptions copy = from;
    const OptionField src = field(copy);
    std::visit(overloaded{[&](ImageField d) {
                              const ImageField s = std::get<ImageField>(src);
                              *d.channels = *s.channels, *d.rows = *s.rows, *d.cols = *s.cols;
                          },
                          [&](auto* d) { *d = *std::get<decltype(d)>(src); }},
               field(to));
}

const TrainOption* train_option_by_flag(const std::string& flag) {
    for (const TrainOption& t : train_option_table())
        if (t.has_flag() && flag == t.flag) return &t;
    return nullptr;
}

void apply_cli_defaults(TrainOptions& o) {
    for (const TrainOption& t : train_option_table())
        if (t.cli_default) t.parse(o, t.cli_default);
}

void apply_dcgan_defaults(TrainOptions& o, const std::function<bool(const std::string& flag)>& given) {
    for (const TrainOption& t : train_option_table())
        if (t.dcgan_default && !(t.has_flag() && given(t.flag))) t.parse(o, t.dcgan_default);
}

void apply_recipe(TrainOptions& o, const std::function<bool(const std::string& flag)>& given) {
    GAN_CHECK(o.recipe == "none" || o.recipe == "small-data", "unknown --recipe '", o.recipe,
              "' (known: small-data, none)");
    if (o.recipe == "none") return;
    for (const TrainOption& t : train_option_table())
        if (t.small_data && !(t.has_flag() && given(t.flag))) t.parse(o, t.small_data);
}

std::string recipe_summary(const TrainOptions& o) {
    std::string s;
    for (const TrainOption& t : train_option_table())
        if (t.small_data) {
            const std::string v = t.show(o);  // a switch shows as its flag alone, or not at all when off
            if (v == "false") continue;
            s += std::string(s.empty() ? "" : " ") + t.flag + (v == "true" ? "" : " " + v);
        }
    return s;
}

std::string TrainOptions::to_json() const {
    TrainOptions copy = *this;
    json j = json::object();
    for (const TrainOption& t : train_option_table()) j[t.key] = json_of(t.field(copy));
    j["version"] = GAN_VERSION;
    return j.dump(2) + "\n";
}

TrainOptions TrainOptions::from_json(const std::string& text, const std::string& source) {
    TrainOptions o;
    const size_t deep = json_too_deep_at(text.data(), text.size());
    GAN_CHECK(deep == std::string::npos, source, ": bad training options: arrays and objects nested more than ",
              kJsonMaxDepth, " deep at byte ", deep);
    try {
        const json j = json::parse(text);
        for (const TrainOption& t : train_option_table()) {
            if (t.optional_in_json && j.is_object() && !j.contains(t.key)) continue;
            std::visit(JsonReader{j.at(t.key), t.key, what_of(t), source}, t.field(o));
        }
    } catch (const json::exception& e) {
        throw Error(str(source, ": bad training options: ", e.what()));
    }
    return o;
}

AdamOptions TrainOptions::adam_of(bool generator) const {
    AdamOptions a = adam;
    if (const float lr = generator ? lr_g : lr_d; lr > 0) a.lr = lr;
    return a;
}

void TrainOptions::validate() const {
    TrainOptions copy = *this;
    for (const TrainOption& t : train_option_table())
        if (t.range) check_range(t, t.field(copy));
    GAN_CHECK(channels != 2, "--channels must be 0, 1 or 3 (got 2)");
    GAN_CHECK(bad_images == "skip" || bad_images == "refuse", "--bad-images must be skip or refuse (got '",
              bad_images, "')");
    GAN_CHECK(recipe == "none" || recipe == "small-data", "unknown --recipe '", recipe, "' (known: small-data, none)");
    bool augments = false;
    try {
        augments = parse_augment(step.augment).any();
    } catch (const Error& e) {
        throw Error(std::string("--augment: ") + e.what());
    }
    GAN_CHECK(augments || augment_target == 0, "--augment-target ", augment_target,
              " adapts the augmentation's probability, but there is no augmentation (give --augment)");
    GAN_CHECK(device == "cpu" || device == "cuda", "--device must be cpu or cuda (got '", device, "')");
    GAN_CHECK(device != "cuda" || device_built(Device::cuda), "--device cuda: this build of gan has no CUDA "
              "(configure it with -DGAN_WITH_CUDA=ON where the CUDA toolkit and cuDNN are, or use --device cpu)");
}

}  // namespace gan
