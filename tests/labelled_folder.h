// Test helper (not part of the library): a small labelled image folder of synthetic RGB pictures,
// one subfolder per class ("blue", "green", "red"), each picture noise around its class's colour,
// of assorted sizes, PNG and JPEG alternately. Needs libpng and libjpeg (data/data_test_util.h).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "data/data_test_util.h"
#include "test_util.h"

namespace gan::testing {

inline const std::vector<std::string>& colour_class_names() {
    static const std::vector<std::string> names = {"blue", "green", "red"};
    return names;
}

// A picture of class c (0 blue, 1 green, 2 red): channel 2 - c around 190, the others around 70,
// each byte moved by up to +-50 from noise_image's sequence for seed.
inline Image colour_class_image(int c, int height, int width, uint32_t seed) {
    Image img = noise_image(height, width, 3, seed);
    for (size_t i = 0; i < img.pixels.size(); ++i) {
        const int centre = int(i % 3) == 2 - c ? 190 : 70;
        img.pixels[i] = uint8_t(centre - 50 + img.pixels[i] * 100 / 255);
    }
    return img;
}

// per_class pictures of each class under root/<class name>/ (or, flat, directly in root); returns root.
inline std::string colour_classes_folder(const std::string& root, int per_class, bool flat = false) {
    namespace fs = std::filesystem;
    const auto& names = colour_class_names();
    for (int c = 0; c < int(names.size()); ++c) {
        const std::string dir = flat ? root : root + "/" + names[size_t(c)];
        fs::create_directories(dir);
        for (int i = 0; i < per_class; ++i) {
            const Image img = colour_class_image(c, 18 + i % 7, 20 + i % 5, uint32_t(1000 * c + i + 1));
            const std::string stem = dir + "/" + names[size_t(c)] + std::to_string(i);
            if (i % 2 == 0) write_bytes(stem + ".png", png_of(img));
            else write_bytes(stem + ".jpg", jpeg_of(img, 90));
        }
    }
    return root;
}

}  // namespace gan::testing
