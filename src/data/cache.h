// The decoded cache of an image folder: the prepared images (uint8, CHW, as load_image_folder gives
// them), their labels, class names and the skipped files, in one file that is memory-mapped when
// read, so an epoch reads bytes instead of decoding images. The header holds a fingerprint of the
// folder (every image file's path, size and modification time, and the labels and class names) and
// of the options (image size, channels, classes, bad-image policy); a cache whose fingerprint
// differs, or that is truncated or corrupt (a CRC-32 covers the whole file and is checked when the
// file is opened), is never used: it is rebuilt. The file is written to a temporary name and renamed.
//
// Layout (little-endian): "GANIMGC1", u32 header bytes H, u64 fingerprint, i32 n, channels, rows,
// cols, u32 class count and each name (u32 length, bytes), u32 skipped count and each (path, reason)
// as two such strings, n i32 labels, zero padding to H (a multiple of 64); then n * channels * rows *
// cols pixel bytes; then u32 CRC-32 of everything before it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "data/image_folder.h"

namespace gan {

// The fingerprint of a scan with the options that shape its images (progress and threads aside).
uint64_t image_folder_fingerprint(const ImageFolderScan& scan, bool classes, const ImageLoadOptions& options);

// Writes images to path (atomically: temporary file, then rename), creating its folder.
void write_image_cache(const std::string& path, uint64_t fingerprint, const LoadedImages& images);

// The cache at path, memory-mapped, when it exists, is intact and has this fingerprint; otherwise
// nothing, and *why_not (when given) says why ("no cache file", "folder or options changed",
// "corrupt: ...").
std::optional<LoadedImages> open_image_cache(const std::string& path, uint64_t fingerprint,
                                             std::string* why_not = nullptr);

struct CachedImages {
    LoadedImages images;
    bool built = false;      // decoded now (and the cache written) rather than read from the cache
    std::string why_built;   // open_image_cache's reason when built
};

// scan_image_folder(root, classes), then the cache at cache_path when it matches, else
// load_image_folder and write_image_cache. options.progress is called only while building.
CachedImages load_image_folder_cached(const std::string& root, bool classes, const ImageLoadOptions& options,
                                      const std::string& cache_path);

}  // namespace gan
