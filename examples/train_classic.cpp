// Trains the classic GAN (docs/classic_gan.md) on MNIST with gan.cpp's library, written out step by
// step: the model, its initialisation, two Adam optimisers, the GAN step, shuffled epochs of full
// batches; then saves the generator as a checkpoint that sample_digits (and `gan sample`) read.
//   train_classic MNIST_DIR OUT.safetensors [EPOCHS=1] [SEED=0]
// It draws from the same streams as `gan train` (seed; stream 0 initialisation, 1 data order, 2 latents),
// so it trains the weights `gan train --threads 1 --epochs EPOCHS --seed SEED` does, bit for bit.
// gan::Trainer does the same with run directories, resumption and per-epoch samples (docs/library.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include <gan/gan.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s MNIST_DIR OUT.safetensors [EPOCHS=1] [SEED=0]\n", argv[0]);
        return 2;
    }
    const int epochs = argc > 3 ? std::atoi(argv[3]) : 1;
    const uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0;
    try {
        gan::Dataset data = gan::dataset_load(argv[1], /*train=*/true);  // MNIST's train split
        gan::ModelConfig config;  // the classic MLP: z ~ U(-1,1)^100, 128 hidden units, LeakyReLU 0.01
        std::unique_ptr<gan::GanModel> model = gan::gan_build(config);
        // Every random stream is explicit: one per purpose, all from the seed.
        gan::Rng init_rng(seed, 0), data_rng(seed, 1), latent_rng(seed, 2);
        gan::gan_init(*model, init_rng);                                         // Glorot-uniform
        gan::Adam opt_g(model->g.params, {}), opt_d(model->d.params, {});         // lr 0.002, β 0.9/0.999
        gan::GanStep step(*model, opt_g, opt_d, {});                             // BCE, smoothing 0.1
        const int batch = 100;
        const size_t img = size_t(config.image_values());
        gan::Tensor real({batch, config.channels, config.rows, config.cols}), z;
        std::vector<uint32_t> order(size_t(data.images.n));
        for (int epoch = 1; epoch <= epochs; ++epoch) {
            for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
            for (uint32_t i = uint32_t(order.size()) - 1; i > 0; --i)  // Fisher-Yates shuffle
                std::swap(order[i], order[data_rng.below(i + 1)]);
            gan::StepStats stats;
            for (size_t first = 0; first + batch <= order.size(); first += batch) {
                for (size_t b = 0; b < size_t(batch); ++b)  // pixels 0..255 -> [-1, 1], G's tanh range
                    for (size_t p = 0; p < img; ++p)
                        real[b * img + p] = data.images.pixels[order[first + b] * img + p] / 255.0f * 2.0f - 1.0f;
                gan::sample_latent(z, batch, config, latent_rng);
                stats = step.step(real, z);  // D update, then G update on the same z
            }
            std::printf("epoch %d/%d: D loss %.4f, G loss %.4f, D(x) %.3f, D(G(z)) %.3f\n", epoch, epochs,
                        stats.d_loss, stats.g_loss, stats.d_real, stats.d_fake);
        }
        gan::checkpoint_save_generator(argv[2], *model);
        std::printf("generator saved to %s\n", argv[2]);
    } catch (const std::exception& e) {  // gan::Error: one line naming the file or option and the problem
        std::fprintf(stderr, "train_classic: %s\n", e.what());
        return 1;
    }
    return 0;
}
