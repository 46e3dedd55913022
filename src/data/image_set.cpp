#include "data/image_set.h"

#include <algorithm>

#include "core/check.h"
#include "io/idx.h"

namespace gan {

ImageSet make_image_set(int n, int channels, int rows, int cols, std::vector<uint8_t> pixels,
                        std::vector<int32_t> labels, std::vector<std::string> class_names) {
    GAN_CHECK(n >= 0 && channels >= 1 && rows >= 1 && cols >= 1, "image set: bad shape ", n, " x ",
              channels, " x ", rows, " x ", cols);
    ImageSet set;
    set.n = n;
    set.channels = channels;
    set.rows = rows;
    set.cols = cols;
    GAN_CHECK(pixels.size() == set.total_bytes(), "image set: ", pixels.size(),
              " pixel bytes for ", n, " images of ", set.image_bytes(), " bytes");
    GAN_CHECK(labels.size() == size_t(n), "image set: ", labels.size(), " labels for ", n, " images");
    GAN_CHECK(!class_names.empty(), "image set: no class names");
    for (int32_t l : labels)
        GAN_CHECK(l >= 0 && size_t(l) < class_names.size(), "image set: label ", l, " outside [0, ",
                  class_names.size(), ")");
    set.labels = std::move(labels);
    set.class_names = std::move(class_names);
    auto owned = std::make_shared<std::vector<uint8_t>>(std::move(pixels));
    set.data = std::shared_ptr<const uint8_t>(owned, owned->data());
    return set;
}

ImageSet image_set_from_idx(Dataset data) {
    const IdxImages& im = data.images;
    std::vector<int32_t> labels(data.labels.labels.begin(), data.labels.labels.end());
    int32_t top = 9;
    for (int32_t l : labels) top = std::max(top, l);
    std::vector<std::string> names;
    for (int32_t c = 0; c <= top; ++c) names.push_back(std::to_string(c));
    return make_image_set(im.n, 1, im.rows, im.cols, std::move(data.images.pixels), std::move(labels),
                          std::move(names));
}

}  // namespace gan
