// Draws images from a trained generator into one PNG grid with gan.cpp's library: digits from an MNIST
// model, pictures from one trained on an image folder; a gray grid for a gray model, RGB for colour.
//   sample_digits CHECKPOINT OUT.png [N=64] [SEED=0]
// CHECKPOINT is a generator or training-state .safetensors, or a run directory of `gan train` (then
// the generator of its newest finished epoch).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include <gan/io/png.h>
#include <gan/train/checkpoint.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s CHECKPOINT OUT.png [N=64] [SEED=0]\n", argv[0]);
        return 2;
    }
    const int n = argc > 3 ? std::atoi(argv[3]) : 64;
    const uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0;
    try {
        // The model is rebuilt from the file alone: its metadata names the architecture.
        gan::LoadedModel loaded = gan::checkpoint_load_model(argv[1]);
        const gan::ModelConfig& c = loaded.model->config;
        // The latents' stream: seed and stream id 7, as `gan sample --seed` uses, so this grid is the PNG
        // `gan sample --checkpoint CHECKPOINT --n N --seed SEED` writes, byte for byte.
        gan::Rng rng(seed, 7);
        std::vector<uint8_t> pixels;  // n images of channels x rows x cols bytes (CHW)
        gan::gan_generate(*loaded.model, n, rng, pixels);
        const int cols = int(std::ceil(std::sqrt(double(n))));
        const gan::PngImage grid =
            gan::image_grid_planar(pixels.data(), n, c.channels, c.rows, c.cols, cols, /*pad=*/1, /*scale=*/2);
        gan::png_write_image(argv[2], grid);
        std::printf("%d %s images from %s -> %s (%dx%d)\n", n, c.channels == 1 ? "gray" : "RGB", loaded.path.c_str(),
                    argv[2], grid.width, grid.height);
    } catch (const std::exception& e) {  // gan::Error: one line naming the file and the problem
        std::fprintf(stderr, "sample_digits: %s\n", e.what());
        return 1;
    }
    return 0;
}
