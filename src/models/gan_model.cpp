#include "models/gan_model.h"

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "core/check.h"
#include "models/dcgan.h"
#include "nn/activation.h"
#include "nn/linear.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"

namespace gan {

static void build_mlp(GanModel& m) {
    const ModelConfig& c = m.config;
    // G: z -> Linear(z, h) -> LeakyReLU -> Linear(h, img) -> tanh   (z: g_input_shape, with the label if any)
    m.g.add<Linear>(LinearOptions{int(g_input_shape(c, 1).per_sample()), c.hidden});
    m.g.add_plain<Activation>(Act::leaky_relu, c.alpha);
    m.g.add<Linear>(LinearOptions{c.hidden, c.image_size()});
    m.g.add_plain<Activation>(Act::tanh);
    // D: x -> Linear(img, h) -> LeakyReLU -> Linear(h, 1) -> logit
    m.d.add<Linear>(LinearOptions{int(d_input_shape(c, 1).per_sample()), c.hidden});
    m.d.add_plain<Activation>(Act::leaky_relu, c.alpha);
    m.d.add<Linear>(LinearOptions{c.hidden, d_outputs(c)});
}

std::unique_ptr<GanModel> gan_build(const ModelConfig& config) {
    GAN_CHECK(config.z_dim > 0 && config.hidden > 0 && config.image_size() > 0, "model sizes must be positive");
    auto m = std::make_unique<GanModel>();
    m->config = config;
    if (config.conditional) {
        GAN_CHECK(config.num_classes >= 2, "a conditional model needs at least 2 classes");
    }
    if (config.arch == Arch::mlp)
        build_mlp(*m);
    else if (config.arch == Arch::dcgan)
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
    if (model.config.arch == Arch::mlp) {
        init_linear_glorot(model.g, rng);
        init_linear_glorot(model.d, rng);
    } else if (model.config.arch == Arch::dcgan) {
        dcgan_init(model, rng);
    }
}

Shape g_input_shape(const ModelConfig& c, int n) {
    return {n, c.z_dim + (c.conditional ? c.num_classes : 0), 1, 1};
}

static bool d_concat(const ModelConfig& c) { return c.conditional && c.cond_d == CondD::concat; }

Shape d_input_shape(const ModelConfig& c, int n) {
    if (!d_concat(c)) return {n, c.channels, c.rows, c.cols};
    if (c.arch == Arch::mlp) return {n, c.image_size() + c.num_classes, 1, 1};
    return {n, c.channels + c.num_classes, c.rows, c.cols};
}

int d_outputs(const ModelConfig& c) {
    if (!c.conditional || c.cond_d == CondD::concat) return 1;
    return c.cond_d == CondD::proj_ac ? 1 + 2 * c.num_classes : 1 + c.num_classes;
}

// Per sample: `head` values of src, then K blocks of `block` values, block k = (k == label).
static void concat_one_hot(float* dst, const float* src, size_t head, size_t block, int label, int K) {
    std::copy(src, src + head, dst);
    std::fill(dst + head, dst + head + size_t(K) * block, 0.0f);
    std::fill(dst + head + size_t(label) * block, dst + head + size_t(label + 1) * block, 1.0f);
}

static void check_labels(const int* labels, int n, int K) {
    GAN_CHECK(labels != nullptr, "a conditional model needs class labels");
    for (int i = 0; i < n; ++i)
        GAN_CHECK(labels[i] >= 0 && labels[i] < K, "class label ", labels[i], " is not in [0, ", K, ")");
}

void make_g_input(Tensor& gin, const Tensor& z, const int* labels, const ModelConfig& c) {
    const int n = z.shape.n;
    GAN_CHECK(int(z.shape.per_sample()) == c.z_dim, "latent has ", z.shape.per_sample(), " values per sample, not ",
              c.z_dim);
    gin.resize(g_input_shape(c, n));
    if (!c.conditional) {
        std::copy(z.v.begin(), z.v.end(), gin.v.begin());
        return;
    }
    check_labels(labels, n, c.num_classes);
    for (int i = 0; i < n; ++i)
        concat_one_hot(gin.data() + i * gin.shape.per_sample(), z.data() + size_t(i) * c.z_dim, size_t(c.z_dim), 1,
                       labels[i], c.num_classes);
}

void make_d_input(Tensor& din, const Tensor& x, const int* labels, const ModelConfig& c) {
    const int n = x.shape.n;
    const size_t img = size_t(c.image_size());
    GAN_CHECK(x.shape.per_sample() == img, "images have ", x.shape.per_sample(), " values, not ", img);
    din.resize(d_input_shape(c, n));
    if (!d_concat(c)) {
        std::copy(x.v.begin(), x.v.end(), din.v.begin());
        return;
    }
    check_labels(labels, n, c.num_classes);
    const size_t block = c.arch == Arch::mlp ? 1 : size_t(c.rows) * c.cols;
    for (int i = 0; i < n; ++i)
        concat_one_hot(din.data() + i * din.shape.per_sample(), x.data() + i * img, img, block, labels[i],
                       c.num_classes);
}

void d_input_grad_to_image(Tensor& dx, const Tensor& ddin, const ModelConfig& c) {
    const int n = ddin.shape.n;
    const size_t img = size_t(c.image_size());
    dx.resize({n, c.channels, c.rows, c.cols});
    for (int i = 0; i < n; ++i) {
        const float* src = ddin.data() + i * ddin.shape.per_sample();
        std::copy(src, src + img, dx.data() + i * img);
    }
}

void proj_logits(float* logit, const Tensor& out, const int* labels, int K) {
    const size_t w = out.shape.per_sample();
    GAN_CHECK(w >= size_t(1 + K), "projection head expects at least ", 1 + K, " outputs per sample");
    check_labels(labels, out.shape.n, K);
    for (int i = 0; i < out.shape.n; ++i) logit[i] = out[size_t(i) * w] + out[size_t(i) * w + 1 + labels[i]];
}

void proj_logits_backward(Tensor& dout, const float* dlogit, const int* labels, int K) {
    const size_t w = dout.shape.per_sample();
    GAN_CHECK(w >= size_t(1 + K), "projection head expects at least ", 1 + K, " outputs per sample");
    std::fill(dout.v.begin(), dout.v.end(), 0.0f);
    for (int i = 0; i < dout.shape.n; ++i) {
        dout[size_t(i) * w] = dlogit[i];
        dout[size_t(i) * w + 1 + labels[i]] = dlogit[i];
    }
}

void sample_latent(Tensor& z, int n, const ModelConfig& config, Rng& rng) {
    z.resize({n, config.z_dim, 1, 1});
    float* p = z.data();
    if (config.latent == Latent::normal)
        rng.fill_normal(p, z.size());
    else {
        rng.fill_uniform(p, z.size());
        for (size_t i = 0; i < z.size(); ++i) p[i] = p[i] * 2.0f - 1.0f;  // as torch.rand()*2-1
    }
}

void to_pixels(uint8_t* out, const float* y, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        float v = std::nearbyint((y[i] + 1.0f) * 127.5f);
        out[i] = uint8_t(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f);  // NaN -> 0
    }
}

}  // namespace gan

namespace gan {

static constexpr int kFusedChunk = 256;

// The next b latents of a generate call (the first of them is image `first` of the call) into z.
static void next_latents(Tensor& z, int first, int b, const ModelConfig& config, const Latents& latents) {
    if (latents.given) {
        z.resize({b, config.z_dim, 1, 1});
        const float* src = latents.given + size_t(first) * size_t(config.z_dim);
        std::copy(src, src + size_t(b) * size_t(config.z_dim), z.data());
    } else {
        GAN_CHECK(latents.rng != nullptr, "gan_generate needs latents: an Rng or the caller's own");
        sample_latent(z, b, config, *latents.rng);
    }
    if (latents.observe) latents.observe(z.data(), b);
}

// Linear, LeakyReLU, Linear, tanh from z to the image: what generate_mlp_fused runs.
static bool mlp_fusable(GanModel& model) {
    Sequential& g = model.g;
    if (model.config.conditional || g.num_layers() != 4) return false;
    const auto* l1 = dynamic_cast<const Linear*>(&g.layer(0));
    const auto* a1 = dynamic_cast<const Activation*>(&g.layer(1));
    const auto* l2 = dynamic_cast<const Linear*>(&g.layer(2));
    const auto* a2 = dynamic_cast<const Activation*>(&g.layer(3));
    return l1 && l2 && a1 && a2 && a1->act() == Act::leaky_relu && a2->act() == Act::tanh && l1->options().bias &&
           l2->options().bias && l2->options().out == model.config.image_size() && l1->options().in == model.config.z_dim;
}

// The images gan_generate draws at a time: 256 for the fused MLP; on the layer path 100 with batch
// statistics (as ref_dcgan.py samples), else 1000.
static int generate_chunk(GanModel& model, bool bn_batch_stats) {
    if (mlp_fusable(model)) return kFusedChunk;
    return bn_batch_stats && model.g.buffers.size() > 0 ? 100 : 1000;
}

// The unconditional classic MLP in one fused pass per chunk: GEMM, bias + LeakyReLU, GEMM, then bias +
// tanh + rounding straight to bytes (tanh_fast: within 2 ulp of std::tanh, so a pixel may differ by
// one from the layer-by-layer path where a value sits on a rounding boundary). Chunks of 256 keep the
// (256, 784) pre-activations in L2. Latents are drawn in the same order as the layer path, so image i
// gets the same z whatever the chunk size. Returns false (doing nothing) for any other model.
// With bf16: the first layer in float and its output rounded to bfloat16 (one AVX-512 pass where H fits
// it), the second GEMM on bfloat16 h and W2, the pixels from its accumulators.
static bool generate_mlp_fused(GanModel& model, int n, const Latents& latents, std::vector<uint8_t>& pixels,
                               bool bf16) {
    if (!mlp_fusable(model)) return false;
    Sequential& g = model.g;  // Linear, LeakyReLU, Linear, tanh (mlp_fusable)
    const auto* l1 = static_cast<const Linear*>(&g.layer(0));
    const auto* a1 = static_cast<const Activation*>(&g.layer(1));
    const auto* l2 = static_cast<const Linear*>(&g.layer(2));
    const int IMG = model.config.image_size();
    const int Z = l1->options().in, H = l1->options().out;
    const float *w1 = g.params.value(l1->weight_offset()), *b1 = g.params.value(l1->bias_offset());
    const float *w2 = g.params.value(l2->weight_offset()), *b2 = g.params.value(l2->bias_offset());
    const int chunk = kFusedChunk;
    Tensor z;
    const bool own_hidden = bf16 && bf16_mlp_hidden_fits(H);
    std::vector<float> h(own_hidden ? 0 : size_t(chunk) * H), y(bf16 ? 0 : size_t(chunk) * IMG);
    Bf16Matrix w2_bf16;
    std::vector<uint32_t> h_bf16;
    std::vector<float> w1t;  // W1 transposed, for the bf16 path's own first layer
    if (bf16) {
        bf16_pack_weights(w2_bf16, w2, IMG, H);
        h_bf16.resize(size_t(chunk) * size_t(w2_bf16.kp()));
        if (own_hidden) {
            w1t.resize(size_t(Z) * H);
            for (int o = 0; o < H; ++o)
                for (int q = 0; q < Z; ++q) w1t[size_t(q) * H + o] = w1[size_t(o) * Z + q];
        }
    }
    for (int i = 0; i < n; i += chunk) {
        const int b = std::min(chunk, n - i);
        next_latents(z, i, b, model.config, latents);
        if (own_hidden) {  // z·W1ᵀ + b1, LeakyReLU and the bfloat16 pairs in one pass; then the pixels
            bf16_mlp_hidden(b, Z, H, z.data(), w1t.data(), b1, a1->alpha(), h_bf16.data());
            bf16_gemm_nt_pixels(b, h_bf16.data(), w2_bf16, b2, pixels.data() + size_t(i) * IMG, IMG);
            continue;
        }
        gemm_exact(false, true, b, H, Z, 1.0f, z.data(), Z, w1, Z, 0.0f, h.data(), H);
        bias_leaky_relu_forward(h.data(), b1, b, H, a1->alpha());
        if (bf16) {  // bias, tanh and the bytes from the GEMM's registers
            bf16_pack_rows(h_bf16.data(), h.data(), b, H, H);
            bf16_gemm_nt_pixels(b, h_bf16.data(), w2_bf16, b2, pixels.data() + size_t(i) * IMG, IMG);
            continue;
        }
        gemm_exact(false, true, b, IMG, H, 1.0f, h.data(), H, w2, H, 0.0f, y.data(), IMG);
        bias_tanh_to_pixels(pixels.data() + size_t(i) * IMG, y.data(), b2, b, IMG);
    }
    return true;
}

void gan_generate(GanModel& model, int n, Rng& rng, std::vector<uint8_t>& pixels, const int* labels,
                  bool bn_batch_stats, SamplePrecision precision) {
    gan_generate(model, n, Latents{.rng = &rng, .given = nullptr, .observe = {}}, pixels, labels, bn_batch_stats, precision);
}

void gan_generate(GanModel& model, int n, const Latents& latents, std::vector<uint8_t>& pixels, const int* labels,
                  bool bn_batch_stats, SamplePrecision precision) {
    GAN_CHECK(n >= 0, "number of images must not be negative");
    const size_t img = size_t(model.config.image_size());
    pixels.resize(size_t(n) * img);
    if (precision == SamplePrecision::bf16) {
        GAN_CHECK(bf16_supported(), "bfloat16 sampling needs a CPU with AVX512_BF16 (vdpbf16ps); this one lacks it");
        GAN_CHECK(generate_mlp_fused(model, n, latents, pixels, true),
                  "bfloat16 sampling is for the unconditional classic MLP generator only (this model: ",
                  model.config.arch, model.config.conditional ? ", conditional" : "", ")");
        return;
    }
    if (generate_mlp_fused(model, n, latents, pixels, false)) return;
    // The layer-by-layer path (conditional and other architectures). Batch-norm generators with
    // bn_batch_stats run in train mode over chunks of 100 (as ref_dcgan.py samples) and get their
    // running statistics back afterwards; otherwise G runs in eval mode.
    const bool batch_stats = bn_batch_stats && model.g.buffers.size() > 0;
    AlignedVec<float> saved_buffers;
    if (batch_stats) saved_buffers = model.g.buffers.values();
    Tensor z, gin;
    std::vector<int> chunk_labels;
    const int chunk = generate_chunk(model, bn_batch_stats);
    model.g.set_training(batch_stats);
    for (int i = 0; i < n; i += chunk) {
        int b = std::min(chunk, n - i);
        next_latents(z, i, b, model.config, latents);
        const Tensor* in = &z;
        if (model.config.conditional) {
            chunk_labels.resize(size_t(b));
            for (int k = 0; k < b; ++k) chunk_labels[size_t(k)] = labels ? labels[i + k] : (i + k) % model.config.num_classes;
            make_g_input(gin, z, chunk_labels.data(), model.config);
            in = &gin;
        }
        const Tensor& y = model.g.forward(*in);
        to_pixels(pixels.data() + size_t(i) * img, y.data(), size_t(b) * img);
    }
    if (batch_stats) model.g.buffers.values() = saved_buffers;
    model.g.set_training(true);
}

// A block is a whole number of the chunks gan_generate works in (generate_chunk) and of the classes
// (unlabelled conditional draws take class i % K counting from the call's first image), so every image
// gets the latent and the chunk it gets in one call.
void gan_generate_blocks(GanModel& model, int n, Rng& rng, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink) {
    gan_generate_blocks(model, n, Latents{.rng = &rng, .given = nullptr, .observe = {}}, labels, bn_batch_stats, precision, block_images, sink);
}

void gan_generate_blocks(GanModel& model, int n, const Latents& latents, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink) {
    GAN_CHECK(n >= 0, "number of images must not be negative");
    const int unit = std::lcm(generate_chunk(model, bn_batch_stats), std::max(1, model.config.num_classes));
    const int block = std::max(1, (std::max(block_images, 1) + unit - 1) / unit) * unit;
    std::vector<uint8_t> px;
    for (int i = 0; i < n; i += block) {
        const int count = std::min(block, n - i);
        Latents block_latents = latents;
        if (block_latents.given) block_latents.given += size_t(i) * size_t(model.config.z_dim);
        gan_generate(model, count, block_latents, px, labels ? labels + i : nullptr, bn_batch_stats, precision);
        sink(px.data(), count);
    }
}

}  // namespace gan
