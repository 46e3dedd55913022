// The trainer's per-epoch sample grids (trainer.h): the fresh samples and the fixed latents' grid.
#include "train/trainer.h"

#include <cmath>
#include <cstdio>

#include "io/npy.h"
#include "io/png.h"

namespace gan {

namespace {

std::string epoch_name(int epoch) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%03d", epoch);
    return buf;
}

}  // namespace

// The tutorial's fresh samples of this epoch, as a grid and in the all-epochs file.
void Trainer::write_samples(EpochReport& r) {
    const ModelConfig& m = o_.model;
    const int n = o_.samples_per_epoch;
    std::vector<uint8_t> px;
    gan_generate(*model_, n, sample_rng_, px);
    const std::vector<uint8_t> hwc = planar_to_interleaved(px.data(), size_t(n), m.channels, m.rows, m.cols);
    all_samples_.insert(all_samples_.end(), hwc.begin(), hwc.end());
    const int grid_cols = int(std::ceil(std::sqrt(double(n))));
    r.sample_png = o_.out_dir + "/samples/epoch_" + epoch_name(r.epoch) + ".png";
    png_write_image(r.sample_png, image_grid_planar(px.data(), n, m.channels, m.rows, m.cols, grid_cols, 1, 3));
    // (epochs, samples, rows, cols), with a last axis of 3 for colour (NumPy's and PIL's layout).
    std::vector<int64_t> shape = {int64_t(r.epoch), n, m.rows, m.cols};
    if (m.channels != 1) shape.push_back(m.channels);
    npy_write_u8(o_.out_dir + "/samples/all_samples.npy", all_samples_.data(), shape);
}

// The same latents every epoch, so samples/fixed_epoch_*.png show one set of digits taking shape
// (batch-norm models in eval mode: running statistics, so the images depend on nothing else).
void Trainer::write_fixed_samples(EpochReport& r) {
    Tensor gin;
    make_g_input(gin, fixed_z_, o_.model.conditional ? fixed_labels_.data() : nullptr, o_.model);
    std::vector<uint8_t> px(size_t(fixed_z_.shape.n) * size_t(o_.model.image_values()));
    {
        ModeScope eval(model_->g, {.training = false, .precision = model_->g.precision(),
                                   .precision_first = model_->g.precision_first()});
        gin.on(model_->g.backend());
        const Tensor& y = model_->g.forward(gin);
        to_pixels(px.data(), y.data(), y.size(), model_->g.backend());
    }
    const int cols =
        o_.model.conditional ? o_.model.num_classes : int(std::ceil(std::sqrt(double(o_.fixed_samples))));
    r.fixed_png = o_.out_dir + "/samples/fixed_epoch_" + epoch_name(r.epoch) + ".png";
    png_write_image(r.fixed_png, image_grid_planar(px.data(), o_.fixed_samples, o_.model.channels, o_.model.rows,
                                                   o_.model.cols, cols, 1, 2));
}

}  // namespace gan
