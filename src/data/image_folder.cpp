#include "data/image_folder.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include "core/check.h"
#include "core/thread_pool.h"
#include "data/resize.h"

namespace gan {
namespace fs = std::filesystem;
namespace {

bool has_image_extension(const std::string& name) {
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) return false;
    std::string ext = name.substr(dot + 1);
    for (char& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return ext == "png" || ext == "jpg" || ext == "jpeg";
}

// The image files below dir (relative to root), with their size and modification time.
void collect_images(const std::string& root, const fs::path& dir, int32_t label,
                    std::vector<ImageFile>& out) {
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, ec), end;
    GAN_CHECK(!ec, dir.string(), ": cannot list folder: ", ec.message());
    for (; it != end; it.increment(ec)) {
        GAN_CHECK(!ec, dir.string(), ": cannot list folder: ", ec.message());
        const fs::path& p = it->path();
        if (!has_image_extension(p.filename().string())) continue;
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        ImageFile f;
        f.path = p.lexically_relative(root).generic_string();
        f.size = uint64_t(st.st_size);
        f.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        f.label = label;
        out.push_back(std::move(f));
    }
    GAN_CHECK(!ec, dir.string(), ": cannot list folder: ", ec.message());
}

std::vector<std::string> class_folders(const std::string& root) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; it != end; it.increment(ec)) {
        if (it->is_directory(ec)) names.push_back(it->path().filename().string());
    }
    GAN_CHECK(!ec, root, ": cannot list folder: ", ec.message());
    std::sort(names.begin(), names.end());
    GAN_CHECK(!names.empty(), root, ": no class folders (with classes, each folder in it is a class)");
    return names;
}

// "<path>: msg" unless msg already starts with the path.
std::string with_path(const std::string& path, const std::string& msg) {
    return msg.compare(0, path.size(), path) == 0 ? msg : path + ": " + msg;
}

struct Decoded {
    bool ok = false;
    std::string error;
};

}  // namespace

ImageFolderScan scan_image_folder(const std::string& root, bool classes) {
    std::error_code ec;
    GAN_CHECK(fs::is_directory(root, ec), root, ": not a folder");
    ImageFolderScan scan;
    scan.root = root;
    if (classes) {
        scan.class_names = class_folders(root);
        for (size_t c = 0; c < scan.class_names.size(); ++c) {
            const size_t before = scan.files.size();
            collect_images(root, fs::path(root) / scan.class_names[c], int32_t(c), scan.files);
            GAN_CHECK(scan.files.size() > before, root, "/", scan.class_names[c],
                      ": class folder holds no .png, .jpg or .jpeg file");
        }
    } else {
        scan.class_names = {""};
        collect_images(root, fs::path(root), 0, scan.files);
    }
    GAN_CHECK(!scan.files.empty(), root, ": no .png, .jpg or .jpeg file in it or below it");
    std::sort(scan.files.begin(), scan.files.end(),
              [](const ImageFile& a, const ImageFile& b) { return a.path < b.path; });
    return scan;
}

void prepare_image(Image img, int size, int channels, uint8_t* dst) {
    convert_channels(img, channels);
    const Image sq = resize_and_crop(img, size);
    const size_t plane = size_t(size) * size_t(size);
    for (int c = 0; c < channels; ++c)
        for (size_t i = 0; i < plane; ++i) dst[size_t(c) * plane + i] = sq.pixels[i * size_t(channels) + size_t(c)];
}

LoadedImages load_image_folder(const ImageFolderScan& scan, const ImageLoadOptions& opt) {
    GAN_CHECK(opt.image_size >= 1 && opt.image_size <= 4096, "image size must be in [1, 4096], not ",
              opt.image_size);
    GAN_CHECK(opt.channels == 1 || opt.channels == 3, "channels must be 1 or 3, not ", opt.channels);
    const size_t total = scan.files.size();
    const size_t bytes = size_t(opt.channels) * size_t(opt.image_size) * size_t(opt.image_size);
    std::vector<uint8_t> pixels(total * bytes);
    std::vector<Decoded> results(total);
    ThreadPool pool(std::max(1, opt.threads));
    // Chunks of images decoded in parallel; progress is reported between them, from this thread.
    const size_t chunk = size_t(pool.size()) * 16;
    for (size_t begin = 0; begin < total; begin += chunk) {
        const size_t end = std::min(total, begin + chunk);
        pool.run([&](int part) {
            for (size_t i = begin + size_t(part); i < end; i += size_t(pool.size())) {
                try {
                    Image img = read_image(scan.root + "/" + scan.files[i].path, opt.channels);
                    prepare_image(std::move(img), opt.image_size, opt.channels, pixels.data() + i * bytes);
                    results[i].ok = true;
                } catch (const std::exception& e) {
                    results[i].error = with_path(scan.root + "/" + scan.files[i].path, e.what());
                }
            }
        });
        if (opt.progress) opt.progress(end, total);
    }
    LoadedImages out;
    std::vector<int32_t> labels;
    size_t kept = 0;
    for (size_t i = 0; i < total; ++i) {
        const std::string path = scan.root + "/" + scan.files[i].path;
        if (!results[i].ok) {
            GAN_CHECK(opt.on_bad == BadImagePolicy::skip, results[i].error);
            out.skipped.push_back({path, results[i].error});
            continue;
        }
        if (kept != i) std::copy_n(pixels.data() + i * bytes, bytes, pixels.data() + kept * bytes);
        labels.push_back(scan.files[i].label);
        ++kept;
    }
    GAN_CHECK(kept > 0, scan.root, ": none of its ", total, " images could be decoded");
    pixels.resize(kept * bytes);
    out.set = make_image_set(int(kept), opt.channels, opt.image_size, opt.image_size, std::move(pixels),
                             std::move(labels), scan.class_names);
    return out;
}

}  // namespace gan
