// A folder of PNG and JPEG images as an ImageSet: found (nested folders, in a fixed order), decoded,
// converted to 1 or 3 channels, resized so the shorter side is the image size and centre-cropped to a
// square, as torchvision's ImageFolder with Resize(n) + CenterCrop(n) would give them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/image_decode.h"
#include "data/image_set.h"

namespace gan {

struct ImageFile {
    std::string path;  // relative to the scanned folder, '/'-separated
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    int32_t label = 0;
};

struct ImageFolderScan {
    std::string root;
    std::vector<ImageFile> files;          // sorted by path (byte order)
    std::vector<std::string> class_names;  // sorted; a single "" when scanned without classes
};

// Lists the files under root whose names end in .png, .jpg or .jpeg (any case), in every folder
// below it (symbolic links to files are followed, to folders not). With `classes`, each folder
// directly in root is a class (ImageFolder's convention: classes are the sorted folder names, label
// i for the i-th) and files directly in root are left out; without, every image has label 0.
// Throws when root is not a folder, cannot be read, holds no image, or (with classes) when a class
// folder holds none.
ImageFolderScan scan_image_folder(const std::string& root, bool classes);

// Reports progress while images are decoded: done of total images.
using ImageProgress = std::function<void(size_t done, size_t total)>;

struct ImageLoadOptions {
    int image_size = 64;  // output is image_size x image_size, 1 <= image_size <= 4096
    int channels = 3;     // 1 or 3
    BadImagePolicy on_bad = BadImagePolicy::refuse;
    int threads = 1;      // decoding threads
    ImageProgress progress;
};

struct LoadedImages {
    ImageSet set;
    std::vector<SkippedImage> skipped;  // full paths, in scan order (empty unless on_bad is skip)
};

// Decodes every file of the scan (its path: root + "/" + path) and prepares it (prepare_image).
// A file that cannot be read or decoded is skipped or refused as on_bad says; refusing throws
// "<path>: <what is wrong>" for the first such file in scan order. Throws when nothing is left.
LoadedImages load_image_folder(const ImageFolderScan& scan, const ImageLoadOptions& options);

// convert_channels to `channels`, resize_and_crop to size, and the result written planar (CHW) to
// dst, which holds channels * size * size bytes.
void prepare_image(Image img, int size, int channels, uint8_t* dst);

}  // namespace gan
