#include "train/train_data.h"

#include <sys/stat.h>

#include <cctype>
#include <filesystem>

#include "core/check.h"
#include "data/cache.h"
#include "data/cifar.h"
#include "io/idx.h"

namespace gan {

namespace {

bool is_folder(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Whether any file in dir or below it is named as an image (the names scan_image_folder takes);
// stops at the first.
bool has_image_file(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string ext = it->path().extension().string();
        for (char& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") return true;
    }
    return false;
}

// MNIST's one-channel images at channels and size x size (resized and centre-cropped as a folder's
// images are; unchanged when they already are so).
ImageSet reshape_gray(ImageSet s, int channels, int size) {
    if (channels == 1 && size == s.rows && size == s.cols) return s;
    const size_t out_bytes = size_t(channels) * size_t(size) * size_t(size);
    std::vector<uint8_t> out(size_t(s.n) * out_bytes);
    for (int i = 0; i < s.n; ++i) {
        Image img{s.rows, s.cols, 1, std::vector<uint8_t>(s.image(i), s.image(i) + s.image_bytes())};
        prepare_image(std::move(img), size, channels, out.data() + size_t(i) * out_bytes);
    }
    return make_image_set(s.n, channels, size, size, std::move(out), std::move(s.labels), std::move(s.class_names));
}

TrainData load_folder(const TrainOptions& o, const ImageProgress& progress, int threads) {
    ImageLoadOptions lo;
    lo.image_size = o.image_size > 0 ? o.image_size : kFolderImageSize;
    lo.channels = o.channels > 0 ? o.channels : 3;
    lo.on_bad = o.bad_images == "skip" ? BadImagePolicy::skip : BadImagePolicy::refuse;
    lo.threads = threads;
    lo.progress = progress;
    TrainData d;
    d.format = DataFormat::image_folder;
    d.cache_path = train_cache_path(o);
    CachedImages c = load_image_folder_cached(o.data_dir, o.model.conditional, lo, d.cache_path);
    d.set = std::move(c.images.set);
    d.skipped = std::move(c.images.skipped);
    d.cache_built = c.built;
    d.why_built = std::move(c.why_built);
    return d;
}

}  // namespace

const char* to_string(DataFormat f) {
    switch (f) {
        case DataFormat::mnist: return "MNIST (IDX)";
        case DataFormat::cifar10: return "CIFAR-10 (binary)";
        case DataFormat::image_folder: return "image folder";
    }
    return "?";
}

DataFormat detect_data_format(const std::string& data_dir) {
    GAN_CHECK(is_folder(data_dir), data_dir, ": no such data directory (run scripts/fetch_mnist.sh or pass --data DIR)");
    if (is_mnist_folder(data_dir)) return DataFormat::mnist;
    if (is_cifar10_folder(data_dir)) return DataFormat::cifar10;
    GAN_CHECK(has_image_file(data_dir), data_dir, ": no training images: no train-images-idx3-ubyte[.gz] (MNIST), "
              "no data_batch_1.bin (CIFAR-10), and no .png, .jpg or .jpeg file in it or below it");
    return DataFormat::image_folder;
}

std::string train_cache_path(const TrainOptions& o) { return o.out_dir + "/data_cache.bin"; }

TrainData load_train_data(const TrainOptions& o, const ImageProgress& progress, int threads) {
    TrainData d;
    d.format = detect_data_format(o.data_dir);
    if (d.format == DataFormat::image_folder) return load_folder(o, progress, threads);
    if (d.format == DataFormat::cifar10) {
        d.set = read_cifar10(o.data_dir, CifarSplit::train, o.channels > 0 ? o.channels : 3,
                             o.image_size > 0 ? o.image_size : kCifarSide);
        return d;
    }
    ImageSet s = image_set_from_idx(dataset_load(o.data_dir, true));
    const int channels = o.channels > 0 ? o.channels : 1;
    if (o.image_size == 0 && channels == 1) d.set = std::move(s);  // as the files hold them, any shape
    else {
        GAN_CHECK(o.image_size > 0 || s.rows == s.cols, "--channels 3: ", o.data_dir, " holds ", s.rows, "x", s.cols,
                  " images; give --image-size N to make them square");
        const int side = o.image_size > 0 ? o.image_size : s.rows;
        d.set = reshape_gray(std::move(s), channels, side);
    }
    return d;
}

void fit_model_to_data(TrainOptions& o, const ImageSet& data) {
    o.model.channels = data.channels;
    o.model.rows = data.rows;
    o.model.cols = data.cols;
    const bool dcgan_size = data.rows == data.cols && (data.rows == 28 || data.rows == 32 || data.rows == 64);
    GAN_CHECK(o.model.arch != Arch::dcgan || dcgan_size, "--arch dcgan draws 28x28, 32x32 or 64x64 images; ",
              o.data_dir, " gives ", data.rows, "x", data.cols, " (give --image-size 32 or 64, or --arch mlp)");
    if (!o.model.conditional) return;
    const int k = int(data.class_names.size());
    GAN_CHECK(k >= 2, "--conditional: ", o.data_dir, " has ", k,
              " class; a conditional model needs at least 2 (for an image folder: one subfolder per class)");
    GAN_CHECK(k <= kMaxClasses, "--conditional: ", o.data_dir, " has ", k, " classes; a conditional model takes at most ",
              kMaxClasses);
    o.model.num_classes = k;
    o.model.class_names = data.class_names;
}

}  // namespace gan
