#include "models/generate.h"

#include <algorithm>
#include <numeric>

#include "core/check.h"
#include "models/gan_model.h"

namespace gan {

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

void to_pixels(uint8_t* out, const float* y, size_t count, Backend& be) { be.unit_to_bytes(out, y, count); }

namespace {

// The next b latents of a generate call (the first of them is image `first` of the call) into z.
void next_latents(Tensor& z, int first, int b, const ModelConfig& config, const Latents& latents) {
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

// host itself when the backend computes on the host, else its copy in dev on the backend's device.
const Tensor& on_device(const Tensor& host, Tensor& dev, Backend& be) {
    if (be.is_host()) return host;
    dev.on(be);
    dev.resize(host.shape);
    be.upload(dev.data(), host.data(), host.size());
    return dev;
}

bool batch_statistics(GanModel& model, bool bn_batch_stats) { return bn_batch_stats && model.g.buffers.size() > 0; }

// Images per forward: 100 when each chunk is normalised by its own statistics (as ref_dcgan.py samples);
// otherwise 256, which keeps a chunk's activations in L2. Latents are drawn in image order, so image i
// gets the same z whatever the chunk.
int generate_chunk(GanModel& model, bool bn_batch_stats) { return batch_statistics(model, bn_batch_stats) ? 100 : 256; }

}  // namespace

namespace {

// G's output for each chunk of a draw of n images: out(y, first, count), y on G's backend. The model's
// mode and (with batch statistics) its running statistics are given back on leaving.
void generate_chunks(GanModel& model, int n, const Latents& latents, const int* labels, bool bn_batch_stats,
                     SamplePrecision precision, const std::function<void(const Tensor& y, int first, int count)>& out) {
    GAN_CHECK(n >= 0, "number of images must not be negative");
    const ModelConfig& c = model.config;
    if (precision == SamplePrecision::bf16) {
        GAN_CHECK(model.g.backend().supports(Precision::bf16), "bfloat16 sampling needs a CPU with AVX512_BF16 (vdpbf16ps); this one lacks it");
        GAN_CHECK(model.g.num_layers() > 1 && model.g.supports(Precision::bf16),
                  "bfloat16 sampling needs a generator of Linear layers, as the classic MLP (this model: ", c.arch,
                  ")");
    }
    const bool batch_stats = batch_statistics(model, bn_batch_stats);
    AlignedVec<float> saved_buffers;
    if (batch_stats) {
        model.g.buffers.download();
        saved_buffers = model.g.buffers.values();
    }
    // G's mode for the draw, given back on leaving (the training step sets its own): batch norm in train
    // mode when drawing with batch statistics, the bf16 path from the second layer (the first reads the
    // latents, so every image keeps its z), else the fast tanh.
    ModeScope scope(model.g, {.training = batch_stats,
                              .precision = precision == SamplePrecision::bf16 ? Precision::bf16 : Precision::fast,
                              .precision_first = precision == SamplePrecision::bf16 ? size_t(1) : size_t(0)});
    Tensor z, gin, in_device;  // the latents and G's input are made on the host, then sent to G's device
    std::vector<int> chunk_labels;
    const int chunk = generate_chunk(model, bn_batch_stats);
    for (int i = 0; i < n; i += chunk) {
        const int b = std::min(chunk, n - i);
        next_latents(z, i, b, c, latents);
        const Tensor* in = &z;
        if (c.conditional) {
            chunk_labels.resize(size_t(b));
            for (int k = 0; k < b; ++k) chunk_labels[size_t(k)] = labels ? labels[i + k] : (i + k) % c.num_classes;
            make_g_input(gin, z, chunk_labels.data(), c);
            in = &gin;
        }
        out(model.g.forward(on_device(*in, in_device, model.g.backend())), i, b);
    }
    if (batch_stats) {
        model.g.buffers.values() = saved_buffers;
        model.g.buffers.upload();
    }
}

}  // namespace

void gan_generate(GanModel& model, int n, const Latents& latents, std::vector<uint8_t>& pixels, const int* labels,
                  bool bn_batch_stats, SamplePrecision precision) {
    const size_t img = size_t(model.config.image_values());
    pixels.resize(size_t(std::max(n, 0)) * img);
    generate_chunks(model, n, latents, labels, bn_batch_stats, precision, [&](const Tensor& y, int i, int b) {
        to_pixels(pixels.data() + size_t(i) * img, y.data(), size_t(b) * img, model.g.backend());
    });
}

void gan_generate_values(GanModel& model, int n, const Latents& latents, std::vector<float>& values,
                         const int* labels, bool bn_batch_stats) {
    const size_t img = size_t(model.config.image_values());
    values.resize(size_t(std::max(n, 0)) * img);
    generate_chunks(model, n, latents, labels, bn_batch_stats, SamplePrecision::f32,
                    [&](const Tensor& y, int i, int b) {
                        model.g.backend().download(values.data() + size_t(i) * img, y.data(), size_t(b) * img);
                    });
}

void gan_generate(GanModel& model, int n, Rng& rng, std::vector<uint8_t>& pixels, const int* labels,
                  bool bn_batch_stats, SamplePrecision precision) {
    gan_generate(model, n, Latents{.rng = &rng, .given = nullptr, .observe = {}}, pixels, labels, bn_batch_stats,
                 precision);
}

// A block is a whole number of the chunks gan_generate works in (generate_chunk) and of the classes
// (unlabelled conditional draws take class i % K counting from the call's first image), so every image
// gets the latent and the chunk it gets in one call.
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

void gan_generate_blocks(GanModel& model, int n, Rng& rng, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink) {
    gan_generate_blocks(model, n, Latents{.rng = &rng, .given = nullptr, .observe = {}}, labels, bn_batch_stats,
                        precision, block_images, sink);
}

}  // namespace gan
