#include "train/eval_data.h"

#include <cstdio>
#include <filesystem>
#include <functional>

#include "core/check.h"
#include "data/cache.h"
#include "data/cifar.h"
#include "io/idx.h"
#include "metrics/classifier.h"

namespace gan {

namespace {

namespace fs = std::filesystem;

bool has_subfolder(const std::string& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec)) return true;
    return false;
}

ImageSet subset(const ImageSet& all, const std::vector<int>& index) {
    std::vector<uint8_t> px(index.size() * all.image_bytes());
    std::vector<int32_t> labels;
    for (size_t k = 0; k < index.size(); ++k) {
        std::copy_n(all.image(index[k]), all.image_bytes(), px.data() + k * all.image_bytes());
        labels.push_back(all.labels[size_t(index[k])]);
    }
    return make_image_set(int(index.size()), all.channels, all.rows, all.cols, std::move(px), std::move(labels),
                          all.class_names);
}

EvalData load_folder(const std::string& dir, int channels, int size, const ImageProgress& progress, int threads) {
    ImageLoadOptions lo;
    lo.image_size = size > 0 ? size : kFolderImageSize;
    lo.channels = channels > 0 ? channels : 3;
    lo.threads = threads;
    lo.progress = progress;
    const std::string cache = eval_cache_path(dir, lo.channels, lo.image_size);
    CachedImages c = load_image_folder_cached(dir, has_subfolder(dir), lo, cache);
    EvalData d;
    d.dir = dir;
    d.format = DataFormat::image_folder;
    split_held_out(c.images.set, kHeldOutEvery, d.train, d.test);
    GAN_CHECK(d.test.n >= 1 && d.train.n >= 1, dir, ": ", c.images.set.n,
              " images are too few to hold out every ", kHeldOutEvery, "th as the test set");
    return d;
}

}  // namespace

void split_held_out(const ImageSet& all, int every, ImageSet& train, ImageSet& test) {
    GAN_CHECK(every >= 2, "split_held_out: every must be at least 2");
    std::vector<int> seen(all.class_names.size(), 0), tr, te;
    for (int i = 0; i < all.n; ++i) {
        int& k = seen[size_t(all.labels[size_t(i)])];
        (++k % every == 0 ? te : tr).push_back(i);
    }
    train = subset(all, tr);
    test = subset(all, te);
}

std::string eval_cache_path(const std::string& dir, int channels, int size) {
    std::error_code ec;
    fs::path abs = fs::absolute(dir, ec);
    const std::string key = (ec ? fs::path(dir) : abs.lexically_normal()).string();
    char name[64];
    std::snprintf(name, sizeof name, "%016zx-%dx%d.bin", std::hash<std::string>{}(key), channels, size);
    return cache_dir() + "/images/" + name;
}

int eval_data_classes(const std::string& dir) {
    if (detect_data_format(dir) != DataFormat::image_folder) return 10;
    return int(scan_image_folder(dir, has_subfolder(dir)).class_names.size());
}

EvalData load_eval_data(const std::string& dir, int channels, int size, const ImageProgress& progress,
                        int threads) {
    const DataFormat format = detect_data_format(dir);
    if (format == DataFormat::image_folder) return load_folder(dir, channels, size, progress, threads);
    EvalData d;
    d.dir = dir;
    d.format = format;
    if (format == DataFormat::cifar10) {
        channels = channels > 0 ? channels : 3;
        size = size > 0 ? size : kCifarSide;
        d.train = read_cifar10(dir, CifarSplit::train, channels, size);
        d.test = read_cifar10(dir, CifarSplit::test, channels, size);
        return d;
    }
    d.train = image_set_from_idx(dataset_load(dir, true));
    d.test = image_set_from_idx(dataset_load(dir, false));
    GAN_CHECK((channels == 0 || channels == 1) && (size == 0 || (size == d.train.rows && size == d.train.cols)), dir,
              ": MNIST's images are 1x", d.train.rows, "x", d.train.cols, ", not ", channels, "x", size, "x", size);
    return d;
}

}  // namespace gan
