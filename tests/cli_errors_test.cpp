// Hostile input through the real `gan` program (GAN_BINARY): every case must exit with code 2,
// print one line "gan: error: ..." on stderr that names the file or option at fault, and neither
// crash, hang nor leave a stack trace. One table row per case (issue 7, "Clear errors").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/check.h"
#include "io/idx.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "metrics/classifier.h"
#include "train/checkpoint.h"
#include "test_util.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

namespace {

using gan::testing::gzip_bytes;
using gan::testing::read_bytes;
using gan::testing::RunOptions;
using gan::testing::RunResult;
using gan::testing::run_gan;
using gan::testing::TempFolder;
using gan::testing::write_bytes;
using gan::testing::write_sparse;

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

// A hostile file must be refused within kBoundedSeconds, with a peak RSS at most kBoundedRssKb above
// what `gan --version` takes in the same build (a sanitized build's shadow memory and libraries are its
// own; a file claiming terabytes must not add to them), and the program is killed after
// kBoundedTimeout seconds.
constexpr double kBoundedSeconds = 1.0;
constexpr long kBoundedRssKb = 64 * 1024;
constexpr double kBoundedTimeout = 5;

// ---- files for the cases ------------------------------------------------------------------------

// A per-case scratch folder (removed afterwards, unmounting anything mounted in it).
struct Scratch {
    TempFolder folder{"gan_cli_errors"};
    std::string dir = folder.path;
    std::vector<std::string> mounts;
    Scratch() { ::chmod(dir.c_str(), 0755); }  // traversable when a case runs as nobody
    ~Scratch() {
        for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
    }
    std::string path(const std::string& name) const { return dir + "/" + name; }
    std::string mkdir(const std::string& name) const {
        fs::create_directories(path(name));
        return path(name);
    }
    // A tmpfs of `bytes` at name; "" when mounting is not permitted here.
    std::string tmpfs(const std::string& name, size_t bytes, bool read_only = false) {
        const std::string at = mkdir(name);
        const std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
        if (::mount("tmpfs", at.c_str(), "tmpfs", read_only ? MS_RDONLY : 0, opts.c_str()) != 0) return "";
        mounts.push_back(at);
        return at;
    }
    // A copy of the fixture's training split in folder `name`, with each file plain (gz = false)
    // or gzip; then `edit` may change any of the four files before they are written.
    std::string data_dir(const std::string& name, bool gz,
                         const std::function<void(std::vector<uint8_t>& images, std::vector<uint8_t>& labels)>&
                             edit = nullptr) const {
        const std::string d = mkdir(name);
        gan::IdxImages im = gan::idx_read_images(kMini + "/train-images-idx3-ubyte.gz");
        gan::IdxLabels lb = gan::idx_read_labels(kMini + "/train-labels-idx1-ubyte.gz");
        gan::idx_write_images(d + "/plain-images", im.pixels.data(), im.n, im.rows, im.cols);
        gan::idx_write_labels(d + "/plain-labels", lb.labels.data(), int(lb.labels.size()));
        std::vector<uint8_t> images = read_bytes(d + "/plain-images"), labels = read_bytes(d + "/plain-labels");
        fs::remove(d + "/plain-images");
        fs::remove(d + "/plain-labels");
        if (gz) images = gzip_bytes(images), labels = gzip_bytes(labels);
        if (edit) edit(images, labels);
        const std::string ext = gz ? ".gz" : "";
        write_bytes(d + "/train-images-idx3-ubyte" + ext, images);
        write_bytes(d + "/train-labels-idx1-ubyte" + ext, labels);
        return d;
    }
    std::string images_file(const std::string& data, bool gz = false) const {
        return data + "/train-images-idx3-ubyte" + (gz ? ".gz" : "");
    }
};

// A full-state run folder (checkpoints/last.safetensors) made by the library without training:
// a Trainer built on the fixture saves its initial state.
std::string make_run(Scratch& s, const std::string& name, const std::function<void(gan::TrainOptions&)>& tweak = nullptr) {
    gan::TrainOptions o;
    o.data_dir = kMini;
    o.out_dir = s.path(name);
    o.batch = 100;
    o.epochs = 1;
    if (tweak) tweak(o);
    gan::Trainer t(o, gan::image_set_from_idx(gan::dataset_load(o.data_dir, true)));
    t.save_state();
    return o.out_dir;
}

// A generator checkpoint of the default model.
std::string make_generator(Scratch& s, const std::string& name, const gan::ModelConfig& c = {}) {
    auto m = gan::gan_build(c);
    gan::Rng rng(1);
    gan::gan_init(*m, rng);
    const std::string p = s.path(name);
    gan::checkpoint_save_generator(p, *m);
    return p;
}

// Rewrites a safetensors file through `edit` (tensors and metadata as the library reads them).
void edit_safetensors(const std::string& path,
                      const std::function<void(std::map<std::string, gan::StoredTensor>&, gan::Metadata&)>& edit) {
    gan::SafetensorsFile f = gan::safetensors_read(path);
    edit(f.tensors, f.metadata);
    std::vector<gan::TensorView> views;
    for (auto& [name, t] : f.tensors) views.push_back({name, t.shape, t.data.data()});
    gan::safetensors_write(path, views, f.metadata);
}

// Replaces the first occurrence of `from` in the file's bytes by `to` (same length keeps offsets).
void patch_bytes(const std::string& path, const std::string& from, const std::string& to) {
    std::vector<uint8_t> b = read_bytes(path);
    std::string s(b.begin(), b.end());
    size_t at = s.find(from);
    if (at == std::string::npos) throw std::runtime_error("patch_bytes: '" + from + "' not in " + path);
    s.replace(at, from.size(), to);
    write_bytes(path, std::vector<uint8_t>(s.begin(), s.end()));
}

// `gan train` on data into out, 1 epoch of batch 100 on one thread unless extra says otherwise.
std::vector<std::string> train_args(const std::string& data, const std::string& out,
                                    std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"train", "--data", data, "--out", out, "--threads", "1"};
    auto given = [&](const char* flag) { return std::find(extra.begin(), extra.end(), flag) != extra.end(); };
    if (!given("--epochs")) a.insert(a.end(), {"--epochs", "1"});
    if (!given("--batch")) a.insert(a.end(), {"--batch", "100"});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

// head, then a hole up to 1 TiB; false where the file system cannot hold such a file.
bool write_terabyte_sparse(const std::string& path, const std::vector<uint8_t>& head) {
    return write_sparse(path, head, uint64_t(1) << 40);
}

// The 8-byte little-endian length that starts a safetensors file, then '{'.
std::vector<uint8_t> safetensors_head(uint64_t header_len) {
    std::vector<uint8_t> v;
    for (int i = 0; i < 8; ++i) v.push_back(uint8_t(header_len >> (8 * i)));
    v.push_back('{');
    return v;
}

// `gan sample` from checkpoint c into a PNG in the scratch folder.
std::vector<std::string> sample_args(Scratch& s, const std::string& c, std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"sample", "-c", c, "--n", "4", "--out", s.path("x.png")};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

const std::string kNotRegular = ", not a regular file";

// ---- the table ----------------------------------------------------------------------------------

RunOptions separate_err_within(double timeout_s) {
    RunOptions ro;
    ro.separate_err = true;
    ro.timeout_s = timeout_s;
    return ro;
}

struct Staged {
    Staged(std::vector<std::string> a, std::vector<std::string> e) : args(std::move(a)), expect(std::move(e)) {}
    std::vector<std::string> args;
    std::vector<std::string> expect;  // substrings of the error line (the file or option, and the problem)
    RunOptions run = separate_err_within(60);
    bool bounded = false;             // see kBoundedSeconds
    std::string skip;                 // non-empty: this environment cannot stage the case
};

Staged skipped(const std::string& why) {
    Staged s({}, {});
    s.skip = why;
    return s;
}

// A case whose file is not a file or claims far more than it holds.
Staged bounded(std::vector<std::string> args, std::vector<std::string> expect) {
    Staged st(std::move(args), std::move(expect));
    st.bounded = true;
    st.run.timeout_s = kBoundedTimeout;
    return st;
}

struct Case {
    const char* name;
    std::function<Staged(Scratch&)> stage;
    bool cli11 = false;  // an error found by the flag parser (CLI11) rather than by gan itself
};

const Case kCases[] = {
    // ---- data: missing, unreadable, malformed --------------------------------------------------
    {"DataFolderMissing",
     [](Scratch& s) {
         return Staged{train_args(s.path("nope"), s.path("run")), {s.path("nope"), "no such data directory"}};
     }},
    {"DataFilesMissing",  // neither MNIST, CIFAR-10 nor an image: all three are named
     [](Scratch& s) {
         std::string d = s.mkdir("empty");
         write_bytes(d + "/readme.txt", {'h', 'i'});
         return Staged{train_args(d, s.path("run")),
                       {d, "no train-images-idx3-ubyte", "data_batch_1.bin", "no .png, .jpg or .jpeg file"}};
     }},
    {"ImageFolderBadImageRefused",  // --bad-images refuse (the default) stops at the first, naming it
     [](Scratch& s) {
         std::string d = s.mkdir("pictures");
         write_bytes(d + "/broken.png", {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'});
         return Staged{train_args(d, s.path("run")), {d + "/broken.png", "not a PNG or JPEG file"}};
     }},
    {"ImageFolderNothingDecodable",  // --bad-images skip, and every file is bad
     [](Scratch& s) {
         std::string d = s.mkdir("pictures");
         write_bytes(d + "/broken.jpg", {0xff, 0xd8, 0xff, 0});
         return Staged{train_args(d, s.path("run"), {"--bad-images", "skip"}), {d, "none of its 1 images"}};
     }},
    {"ImageFolderConditionalOneClass",
     [](Scratch& s) {
         std::string d = s.mkdir("pictures/cats");
         std::vector<uint8_t> px(64, 128);
         gan::png_write_gray(d + "/a.png", px.data(), 8, 8);
         return Staged{train_args(s.path("pictures"), s.path("run"), {"--conditional", "--batch", "1"}),
                       {"--conditional", s.path("pictures"), "has 1 class"}};
     }},
    {"ImageFolderEvalEvery",  // the metrics are MNIST's
     [](Scratch& s) {
         std::string d = s.mkdir("pictures");
         std::vector<uint8_t> px(64, 128);
         gan::png_write_gray(d + "/a.png", px.data(), 8, 8);
         return Staged{train_args(d, s.path("run"), {"--eval-every", "1", "--batch", "1"}),
                       {"--eval-every", d, "not an MNIST folder"}};
     }},
    {"LabelsMissing",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false);
         fs::remove(d + "/train-labels-idx1-ubyte");
         return Staged{train_args(d, s.path("run")), {"train-labels-idx1-ubyte"}};
     }},
    {"ImagesFileIsAFolder",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false);
         fs::remove(d + "/train-images-idx3-ubyte");
         fs::create_directory(d + "/train-images-idx3-ubyte");
         return Staged{train_args(d, s.path("run")), {d + "/train-images-idx3-ubyte", "is a directory"}};
     }},
    {"ImagesFileUnreadable",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false);
         ::chmod(s.images_file(d).c_str(), 0);
         Staged st{train_args(d, s.path("run")), {s.images_file(d), "Permission denied"}};
         st.run.as_nobody = ::geteuid() == 0;  // root reads anything: drop to nobody
         return st;
     }},
    {"ImagesEmptyFile",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto&) { im.clear(); });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "not an IDX file"}};
     }},
    {"ImagesWrongMagic",  // a label file where the images should be
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto& lb) { im = lb; });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "magic number is 0x00000801"}};
     }},
    {"ImagesNotIdxAtAll",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto&) {
             const std::string html = "<html><body>404 Not Found</body></html>\n";
             im.assign(html.begin(), html.end());
         });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "not an IDX image file"}};
     }},
    {"ImagesTruncated",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto&) { im.resize(im.size() - 1000); });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "truncated"}};
     }},
    {"ImagesHeaderTruncated",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto&) { im.resize(10); });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "truncated: the header needs 16 bytes"}};
     }},
    {"ImagesTrailingData",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto&) { im.resize(im.size() + 7, 0); });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "trailing data"}};
     }},
    {"ImagesGzipTruncated",  // an interrupted download
     [](Scratch& s) {
         std::string d = s.data_dir("data", true, [](auto& im, auto&) { im.resize(im.size() / 2); });
         return Staged{train_args(d, s.path("run")), {s.images_file(d, true), "the stream ends early"}};
     }},
    {"ImagesGzipCorrupt",
     [](Scratch& s) {
         std::string d = s.data_dir("data", true, [](auto& im, auto&) {
             for (size_t i = 40; i < 400; ++i) im[i] ^= 0x5a;
         });
         return Staged{train_args(d, s.path("run")), {s.images_file(d, true), "corrupt compressed data"}};
     }},
    {"ImagesHeaderClaimsHuge",  // 2^31-1 images of 28x28 in a 16-byte file: refused before allocating
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto& im, auto&) {
             im.resize(16);
             im[4] = 0x7f, im[5] = 0xff, im[6] = 0xff, im[7] = 0xff;
         });
         return Staged{train_args(d, s.path("run")), {s.images_file(d), "more than the limit"}};
     }},
    {"LabelImageCountMismatch",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false, [](auto&, auto& lb) {
             lb.pop_back();  // 999 labels
             lb[7] = 0xe7;   // header count 1000 -> 999 (0x3e7)
             lb[6] = 0x03;
         });
         return Staged{train_args(d, s.path("run")), {"holds 1000 images but", "999 labels"}};
     }},
    {"ImagesWrongSizeForModel",  // a 48x48 set for the DCGAN, which draws 28x28, 32x32 or 64x64
     [](Scratch& s) {
         std::string d = s.mkdir("data48");
         std::vector<uint8_t> px(size_t(200) * 48 * 48, 7), lb(200, 1);
         gan::idx_write_images(d + "/train-images-idx3-ubyte", px.data(), 200, 48, 48);
         gan::idx_write_labels(d + "/train-labels-idx1-ubyte", lb.data(), 200);
         return Staged{train_args(d, s.path("run"), {"--arch", "dcgan"}),
                       {"--arch dcgan", d, "gives 48x48", "--image-size 32 or 64"}};
     }},

    // ---- nonsense options ----------------------------------------------------------------------
    {"ChannelsTwo",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--channels", "2"}), {"--channels", "0, 1 or 3"}}; }},
    {"ChannelsFour",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--channels", "4"}), {"--channels", "0, 1 or 3"}}; }},
    {"ImageSizeTooLarge",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--image-size", "5000"}), {"--image-size", "[0, 4096]"}};
     }},
    {"BadImagesUnknown",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--bad-images", "maybe"}), {"--bad-images", "skip or refuse"}};
     }},
    {"DeviceUnknown",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--device", "tpu"}), {"--device", "cpu or cuda"}}; }},
    {"BatchZero",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--batch", "0"}), {"--batch", "at least 1"}}; }},
    {"BatchNegative",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--batch", "-5"}), {"--batch", "at least 1"}}; }},
    {"BatchLargerThanData",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--batch", "5000"}), {"--batch 5000", "larger than the data"}};
     }},
    {"BatchNotANumber",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--batch", "ten"}), {"--batch", "ten"}}; },
     true},
    {"LrZero",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--lr", "0"}), {"--lr", "positive"}}; }},
    {"LrNegative",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--lr", "-0.01"}), {"--lr", "positive"}}; }},
    {"LrNan",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--lr", "nan"}), {"--lr", "positive"}}; }},
    {"EpochsZero",
     [](Scratch& s) { return Staged{train_args(kMini, s.path("run"), {"--epochs", "0"}), {"--epochs", "at least 1"}}; }},
    {"EpochsNegative",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--epochs", "-3"}), {"--epochs", "at least 1"}};
     }},
    {"EpochsOverflowInt",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--epochs", "99999999999"}), {"--epochs", "99999999999"}};
     },
     true},
    {"UnknownArch",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--arch", "transformer"}), {"--arch", "transformer"}};
     }},
    {"UnknownFlag",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--bogus"}), {"--bogus: no such flag of gan train",
                                                                       "(see gan train --help)"}};
     },
     true},
    // A typo is named with the closest flag or command, before CLI11 reports what it misses for it.
    {"TypoOfARequiredFlag",  // CLI11 alone said "--checkpoint is required"
     [](Scratch& s) {
         return Staged{{"sample", "--checkpiont", s.path("run"), "--out", s.path("a.png")},
                       {"--checkpiont: no such flag of gan sample; did you mean --checkpoint?",
                        "(see gan sample --help)"}};
     },
     true},
    {"TypoOfAFlagWithAValue",  // CLI11 alone said "The following arguments were not expected: 2 --epoch"
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--epoch", "2"}),
                       {"--epoch: no such flag of gan train; did you mean --epochs?", "(see gan train --help)"}};
     },
     true},
    {"TypoOfACommand",  // CLI11 alone said "A subcommand is required"
     [](Scratch&) {
         return Staged{{"trian", "--epochs", "2"}, {"trian: no such command of gan; did you mean gan train?",
                                                   "(see gan --help)"}};
     },
     true},
    {"TypoOfASubcommand",
     [](Scratch&) {
         return Staged{{"classifier", "trian"}, {"trian: no such command of gan classifier; did you mean gan "
                                                 "classifier train?"}};
     },
     true},
    {"NoCommand",
     [](Scratch&) {
         return Staged{{}, {"gan needs a command: train, sample, classifier, eval", "(see gan --help)"}};
     },
     true},
    {"FlagOfAnotherCommand",
     [](Scratch& s) {
         return Staged{sample_args(s, make_generator(s, "g.safetensors"), {"--epochs", "3"}),
                       {"--epochs: no such flag of gan sample (a flag of gan train or gan classifier train; see gan "
                        "sample --help)"}};
     },
     true},
    {"ValueErrorPointsToTheCommandsHelp",
     [](Scratch& s) {
         return Staged{sample_args(s, make_generator(s, "g.safetensors"), {"--scale", "99"}),
                       {"--scale", "(see gan sample --help)"}};
     },
     true},
    {"ClassifierChannelsAreTheImages",  // --channels means the images' channels in every command
     [](Scratch& s) {
         return Staged{{"classifier", "train", "--data", kMini, "--out", s.path("c.safetensors"), "--channels", "8"},
                       {"--channels", "not 0, 1 or 3", "--width"}};
     },
     true},
    {"FetchUnknownDataSet",
     [](Scratch&) { return Staged{{"fetch", "cifar"}, {"cifar", "mnist", "fashion-mnist", "gan fetch --help"}}; },
     true},
    {"FetchCacheAndOut",
     [](Scratch& s) {
         return Staged{{"fetch", "mnist", "--cache", "--out", s.path("m")}, {"--cache and --out", "give one"}};
     }},
    {"PyTorchZipCheckpoint",  // torch.save's zip, as PyTorch's examples/dcgan writes netG_epoch_24.pth
     [](Scratch& s) {
         std::vector<uint8_t> zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0};
         zip.resize(722, 0);
         write_bytes(s.path("netG_epoch_24.pth"), zip);
         return Staged{sample_args(s, s.path("netG_epoch_24.pth")),
                       {s.path("netG_epoch_24.pth") + ": a zip archive, as PyTorch's torch.save writes",
                        "save_file(torch.load(", s.path("netG_epoch_24.safetensors"), "docs/parity.md"}};
     }},
    {"PyTorchPickleCheckpoint",  // torch.save before PyTorch 1.6: a pickle, protocol 2
     [](Scratch& s) {
         std::vector<uint8_t> pickle = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20};
         pickle.resize(300, 0);
         write_bytes(s.path("netG.pt"), pickle);
         return Staged{{"train", "--data", kMini, "--out", s.path("run"), "--init-generator", s.path("netG.pt")},
                       {"--init-generator " + s.path("netG.pt") + ": a Python pickle, as PyTorch's torch.save writes"}};
     }},
    {"InitGeneratorOfAnotherModel",  // an MLP generator for a DCGAN run
     [](Scratch& s) {
         const std::string g = make_generator(s, "g.safetensors");
         return Staged{train_args(kMini, s.path("run"), {"--arch", "dcgan", "--init-generator", g}),
                       {"--init-generator " + g, "wrong shape for this model", "model flags"}};
     }},
    {"EvalFolderTooSmallForTheNeighbours",  // 49 images: every tenth held out leaves 4 for k = 5
     [](Scratch& s) {
         std::string d = s.mkdir("pictures");
         std::vector<uint8_t> px(64);
         for (int i = 0; i < 49; ++i) {
             std::fill(px.begin(), px.end(), uint8_t(i * 5));
             gan::png_write_gray(d + "/" + std::to_string(100 + i) + ".png", px.data(), 8, 8);
         }
         return Staged{{"eval", "-c", make_generator(s, "g.safetensors"), "--data", d, "--n", "10"},
                       {d + ": 49 images, of which 4 (every 10th of each class) are held out as the reference",
                        "more than --k 5", "about 60 images"}};
     }},
    {"SampleCountZero",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         return Staged{{"sample", "-c", g, "--n", "0", "--out", s.path("x.png")}, {"--n"}};
     }},
    {"SampleUnknownOutputType",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         return Staged{{"sample", "-c", g, "--out", s.path("x.jpg")}, {s.path("x.jpg"), "unknown output type"}};
     }},

    // ---- output that cannot be written ---------------------------------------------------------
    {"OutFolderUnderARegularFile",
     [](Scratch& s) {
         write_bytes(s.path("file"), {1, 2, 3});
         return Staged{train_args(kMini, s.path("file/run")), {s.path("file"), "Not a directory"}};
     }},
    {"OutFolderReadOnly",
     [](Scratch& s) {
         std::string ro = s.tmpfs("ro", 1 << 20, true);
         if (ro.empty()) {
             if (::geteuid() == 0) return skipped("cannot mount a read-only tmpfs (not permitted)");
             ro = s.mkdir("ro");
             ::chmod(ro.c_str(), 0555);
         }
         return Staged{train_args(kMini, ro + "/run"), {ro + "/run", "cannot create directory"}};
     }},
    {"SampleOutUnderARegularFile",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         write_bytes(s.path("file"), {1});
         return Staged{{"sample", "-c", g, "--out", s.path("file/x.png")}, {s.path("file/x.png"), "cannot write"}};
     }},
    {"DiskFullDuringTraining",  // 256 KiB: the run files fit, the first checkpoint does not
     [](Scratch& s) {
         std::string small = s.tmpfs("small", 256 << 10);
         if (small.empty()) return skipped("cannot mount a tmpfs (not permitted)");
         return Staged{train_args(kMini, small + "/run"), {small + "/run/", "No space left on device"}};
     }},
    {"DiskFullWritingSamples",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         std::string tiny = s.tmpfs("tiny", 4096);
         if (tiny.empty()) return skipped("cannot mount a tmpfs (not permitted)");
         return Staged{{"sample", "-c", g, "--n", "64", "--out", tiny + "/x.png"}, {tiny + "/x.png", "No space left"}};
     }},
    {"FileSizeLimitWritingSamples",  // every write is checked: a short write fails, however it comes
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         Staged st{{"sample", "-c", g, "--n", "64", "--out", s.path("x.npy")}, {s.path("x.npy"), "File too large"}};
         st.run.fsize_limit = 1000;
         return st;
     }},

    // ---- checkpoints ---------------------------------------------------------------------------
    {"CheckpointMissing",
     [](Scratch& s) {
         return Staged{{"sample", "-c", s.path("none.safetensors"), "--out", s.path("x.png")},
                      {s.path("none.safetensors"), "No such file"}};
     }},
    {"CheckpointRunFolderWithoutCheckpoints",
     [](Scratch& s) {
         std::string d = s.mkdir("run");
         return Staged{{"sample", "-c", d, "--out", s.path("x.png")}, {d, "no generator.safetensors"}};
     }},
    {"CheckpointIsAnIdxFile",
     [](Scratch& s) {
         std::string p = kMini + "/train-images-idx3-ubyte.gz";
         return Staged{{"sample", "-c", p, "--out", s.path("x.png")}, {p, "header length"}};
     }},
    {"CheckpointTruncated",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         std::vector<uint8_t> b = read_bytes(g);
         b.resize(b.size() / 2);
         write_bytes(g, b);
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "past the end"}};
     }},
    {"CheckpointHeaderNotJson",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         patch_bytes(g, "{\"__metadata__\"", "[\"__metadata__\"");
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "not valid JSON"}};
     }},
    {"CheckpointNotFromGanCpp",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         edit_safetensors(g, [](auto&, gan::Metadata& m) { m.erase("format"); });
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "not a gan.cpp checkpoint"}};
     }},
    {"CheckpointOtherArchitecture",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         edit_safetensors(g, [](auto&, gan::Metadata& m) { m["arch"] = "stylegan9"; });
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "unknown architecture 'stylegan9'"}};
     }},
    {"CheckpointOfALargerModel",  // weights of hidden=256 in a file whose metadata says 128
     [](Scratch& s) {
         gan::ModelConfig big;
         big.hidden = 256;
         std::string g = make_generator(s, "g.safetensors", big);
         edit_safetensors(g, [](auto&, gan::Metadata& m) { m["hidden"] = "128"; });
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "generator.0.weight", "wrong shape"}};
     }},
    {"CheckpointTransposedWeight",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         edit_safetensors(g, [](std::map<std::string, gan::StoredTensor>& t, auto&) {
             auto& w = t.at("generator.2.weight");
             std::swap(w.shape[0], w.shape[1]);
         });
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "generator.2.weight", "wrong shape"}};
     }},
    {"CheckpointMissingTensor",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         edit_safetensors(g, [](std::map<std::string, gan::StoredTensor>& t, auto&) { t.erase("generator.0.bias"); });
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "missing tensor 'generator.0.bias'"}};
     }},
    {"CheckpointWrongDtype",  // F16 in place of F32, offsets unchanged
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         patch_bytes(g, "\"F32\"", "\"F16\"");
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "dtype F16"}};
     }},
    {"CheckpointBadMetadataValue",
     [](Scratch& s) {
         std::string g = make_generator(s, "g.safetensors");
         edit_safetensors(g, [](auto&, gan::Metadata& m) { m["z_dim"] = "-100"; });
         return Staged{{"sample", "-c", g, "--out", s.path("x.png")}, {g, "'z_dim'"}};
     }},
    // ---- files that are not files, reads that would never end (each bounded) ------------------
    {"CheckpointIsDevZero",
     [](Scratch& s) {
         return bounded(sample_args(s, "/dev/zero"), {"/dev/zero: cannot open: is a character device" + kNotRegular});
     }},
    {"CheckpointIsDevNull",
     [](Scratch& s) {
         return bounded(sample_args(s, "/dev/null"), {"/dev/null: cannot open: is a character device" + kNotRegular});
     }},
    {"SamplesAreDevUrandom",
     [](Scratch&) {
         return bounded({"eval", "--samples", "/dev/urandom"},
                        {"/dev/urandom: cannot open: is a character device" + kNotRegular});
     }},
    {"CheckpointIsFifoWithoutWriter",
     [](Scratch& s) {
         const std::string fifo = s.path("g.safetensors");
         if (::mkfifo(fifo.c_str(), 0644) != 0) return skipped("mkfifo failed");
         return bounded(sample_args(s, fifo), {fifo + ": cannot open: is a named pipe (FIFO)" + kNotRegular});
     }},
    {"SamplesFifoWithoutWriter",
     [](Scratch& s) {
         const std::string fifo = s.path("x.npy");
         if (::mkfifo(fifo.c_str(), 0644) != 0) return skipped("mkfifo failed");
         return bounded({"eval", "--samples", fifo}, {fifo + ": cannot open: is a named pipe (FIFO)" + kNotRegular});
     }},
    {"DataImagesFifoWithoutWriter",
     [](Scratch& s) {
         std::string d = s.data_dir("data", true);
         fs::remove(s.images_file(d, true));
         if (::mkfifo(s.images_file(d, true).c_str(), 0644) != 0) return skipped("mkfifo failed");
         return bounded(train_args(d, s.path("run")),
                        {s.images_file(d, true) + ": cannot open: is a named pipe (FIFO)" + kNotRegular});
     }},
    {"TrainConfigIsFifoWithoutWriter",  // --config: the options of an earlier run
     [](Scratch& s) {
         const std::string fifo = s.path("config.json");
         if (::mkfifo(fifo.c_str(), 0644) != 0) return skipped("mkfifo failed");
         return bounded({"train", "--config", fifo, "--out", s.path("run")},
                        {fifo + ": cannot open: is a named pipe (FIFO)" + kNotRegular});
     }},
    {"CheckpointHeaderNestedTwentyMillionDeep",  // refused before parsing: no value built per bracket
     [](Scratch& s) {
         const std::string json = "{\"a\":" + std::string(20000000, '[');
         std::vector<uint8_t> f = safetensors_head(json.size());
         f.pop_back();  // safetensors_head's '{' is the header's first byte, written below
         f.insert(f.end(), json.begin(), json.end());
         const std::string p = s.path("deep.safetensors");
         write_bytes(p, f);
         return bounded(sample_args(s, p), {p, "nested more than 64 deep"});
     }},
    {"TrainConfigNestedDeep",
     [](Scratch& s) {
         const std::string p = s.path("config.json");
         const std::string json = "{\"epochs\":" + std::string(500000, '[');
         write_bytes(p, std::vector<uint8_t>(json.begin(), json.end()));
         return bounded({"train", "--config", p, "--out", s.path("run")}, {p, "nested more than 64 deep"});
     }},
    {"TrainConfigIsDevZero",
     [](Scratch& s) {
         return bounded({"train", "--config", "/dev/zero", "--out", s.path("run")},
                        {"/dev/zero: cannot open: is a character device" + kNotRegular});
     }},
    {"CheckpointFolderNamedLikeOne",  // a folder is read as a run directory
     [](Scratch& s) {
         std::string d = s.mkdir("x.safetensors");
         return bounded(sample_args(s, d), {d, "no generator.safetensors"});
     }},
    {"SamplesFolderNamedLikeNpy",
     [](Scratch& s) {
         std::string d = s.mkdir("x.npy");
         return bounded({"eval", "--samples", d}, {d + ": cannot open: is a directory" + kNotRegular});
     }},
    {"SamplesSymlinkToDevZero",
     [](Scratch& s) {
         const std::string link = s.path("x.npy");
         fs::create_symlink("/dev/zero", link);
         return bounded({"eval", "--samples", link}, {link + ": cannot open: is a character device" + kNotRegular});
     }},
    {"DataImagesSymlinkToDevZero",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false);
         fs::remove(s.images_file(d));
         fs::create_symlink("/dev/zero", s.images_file(d));
         return bounded(train_args(d, s.path("run")),
                        {s.images_file(d) + ": cannot open: is a character device" + kNotRegular});
     }},
    {"CheckpointIsProcFile",
     [](Scratch& s) {
         if (::access("/proc/self/status", R_OK) != 0) return skipped("no /proc");
         return bounded(sample_args(s, "/proc/self/status"),
                        {"/proc/self/status: cannot open: reports size 0 but has content"});
     }},
    {"SamplesAreProcFile",
     [](Scratch&) {
         if (::access("/proc/self/status", R_OK) != 0) return skipped("no /proc");
         return bounded({"eval", "--samples", "/proc/self/status"},
                        {"/proc/self/status: cannot open: reports size 0 but has content"});
     }},
    {"CheckpointSparseTerabyteClaimedByHeader",
     [](Scratch& s) {
         const std::string p = s.path("huge.safetensors");
         if (!write_terabyte_sparse(p, safetensors_head((uint64_t(1) << 40) - 8))) return skipped("no 1 TiB files");
         return bounded(sample_args(s, p), {p + ": file is 1099511627776 bytes, more than the limit"});
     }},
    {"CheckpointSparseHeaderOfZeros",  // 64 MiB, under every limit: refused at the header's first NUL
     [](Scratch& s) {
         const std::string p = s.path("zeros.safetensors");
         write_bytes(p, safetensors_head((uint64_t(64) << 20) - 8));
         if (::truncate(p.c_str(), off_t(64) << 20) != 0) return skipped("truncate failed");
         return bounded(sample_args(s, p), {p + ": header is not valid JSON: it contains a NUL byte"});
     }},
    {"SamplesSparseTerabyteClaimedByShape",
     [](Scratch& s) {
         const std::string p = s.path("huge.npy");
         std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627648,), }";
         dict.append(128 - 10 - dict.size() - 1, ' ');
         std::string head = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size() + 1) + '\0' + dict + "\n";
         if (!write_terabyte_sparse(p, std::vector<uint8_t>(head.begin(), head.end()))) return skipped("no 1 TiB files");
         return bounded({"eval", "--samples", p}, {p + ": file is 1099511627776 bytes, more than the limit"});
     }},
    {"DataImagesSparseTerabyte",
     [](Scratch& s) {
         std::string d = s.data_dir("data", false);
         std::vector<uint8_t> head = read_bytes(s.images_file(d));
         head.resize(16);
         if (!write_terabyte_sparse(s.images_file(d), head)) return skipped("no 1 TiB files");
         return bounded(train_args(d, s.path("run")), {s.images_file(d) + ": file is 1099511627776 bytes"});
     }},

    // ---- numeric flags out of range: refused, never wrapped --------------------------------------
    {"SampleSeedNegative",
     [](Scratch& s) {
         return Staged{sample_args(s, make_generator(s, "g.safetensors"), {"--seed", "-1"}),
                       {"--seed", "Value -1 not in range 0 to 18446744073709551615"}};
     },
     true},
    {"SampleSeedPast64Bits",
     [](Scratch& s) {
         return Staged{sample_args(s, make_generator(s, "g.safetensors"), {"--seed", "18446744073709551616"}),
                       {"--seed", "Value 18446744073709551616 not in range"}};
     },
     true},
    {"SampleCountNegative",
     [](Scratch& s) {
         return Staged{{"sample", "-c", make_generator(s, "g.safetensors"), "--n", "-5", "--out", s.path("x.png")},
                       {"--n must be in [1, 10000000] (got -5)"}};
     }},
    {"SampleColsNegative",
     [](Scratch& s) {
         return Staged{sample_args(s, make_generator(s, "g.safetensors"), {"--cols", "-3"}),
                       {"--cols", "Value -3 not in range 0 to 10000000"}};
     },
     true},
    {"TrainSeedNegative",
     [](Scratch& s) {
         return Staged{train_args(kMini, s.path("run"), {"--seed", "-1"}), {"--seed", "Value -1 not in range"}};
     },
     true},
    {"TrainThreadsNegative",
     [](Scratch& s) {
         return Staged{{"train", "--data", kMini, "--out", s.path("run"), "--epochs", "1", "--threads", "-1"},
                       {"--threads must be in [0, 256] (got -1)"}};
     }},
    {"EvalThreadsNegative",
     [](Scratch& s) {
         return Staged{{"eval", "--samples", s.path("x.npy"), "--threads", "-1"},
                       {"--threads", "Value -1 not in range 0 to 256"}};
     },
     true},
    {"EvalCountNegative",
     [](Scratch& s) {
         return Staged{{"eval", "-c", make_generator(s, "g.safetensors"), "--n", "-5"},
                       {"--n must be in [6, 1000000] (got -5)"}};
     }},
    {"ClassifierBatchNegative",
     [](Scratch& s) {
         return Staged{{"classifier", "train", "--data", kMini, "--out", s.path("c.safetensors"), "--batch", "-1"},
                       {"--batch", "Value -1 not in range 1 to 100000"}};
     },
     true},
    {"ClassifierFolderOneClass",  // an image folder's classes are its subfolders: a flat folder has one
     [](Scratch& s) {
         std::string d = s.mkdir("pictures");
         std::vector<uint8_t> px(64, 128);
         gan::png_write_gray(d + "/a.png", px.data(), 8, 8);
         return Staged{{"classifier", "train", "--data", d, "--out", s.path("c.safetensors")},
                       {d, "1 class;", "needs at least 2"}};
     }},
    {"EvalClassifierOfAnotherShape",  // a folder classifier of 3x16x16 images, an MNIST generator
     [](Scratch& s) {
         std::string d = s.mkdir("pictures/a");
         std::vector<uint8_t> px(64, 128);
         gan::png_write_gray(d + "/a.png", px.data(), 8, 8);
         auto c = gan::classifier_build(4, 8, gan::ClassifierInput{.channels = 3, .size = 16}, {"a", "b"});
         gan::classifier_describe_input(*c);
         const std::string file = s.path("c.safetensors");
         gan::classifier_save(file, *c);
         return Staged{{"eval", "-c", make_generator(s, "g.safetensors"), "--data", s.path("pictures"), "--classifier",
                        file, "--n", "10"},
                       {file, "the classifier takes 3x16x16 images", "the generator makes 1x28x28"}};
     }},
    {"InterpolateSeedNegative",
     [](Scratch& s) {
         return Staged{{"interpolate", "-c", make_generator(s, "g.safetensors"), "--out", s.path("w.gif"), "--seed",
                        "-2"},
                       {"--seed", "Value -2 not in range 0 to 18446744073709551615"}};
     },
     true},

    {"ResumeNothingToResume",
     [](Scratch& s) {
         std::string d = s.mkdir("run");
         return Staged{{"train", "--resume", d}, {d, "nothing to resume"}};
     }},
    {"ResumeFromAGeneratorOnlyCheckpoint",
     [](Scratch& s) {
         std::string d = s.mkdir("run/checkpoints");
         fs::rename(make_generator(s, "g.safetensors"), d + "/last.safetensors");
         return Staged{{"train", "--resume", s.path("run")}, {"last.safetensors", "not a full training state"}};
     }},
    {"ResumeWrongShapes",
     [](Scratch& s) {
         std::string run = make_run(s, "run");
         edit_safetensors(run + "/checkpoints/last.safetensors", [](std::map<std::string, gan::StoredTensor>& t, auto&) {
             auto& w = t.at("discriminator.0.weight");
             w.shape = {w.shape[1], w.shape[0]};
         });
         return Staged{{"train", "--resume", run}, {"last.safetensors", "discriminator.0.weight", "wrong shape"}};
     }},
    {"ResumeWrongDtype",
     [](Scratch& s) {
         std::string run = make_run(s, "run");
         patch_bytes(run + "/checkpoints/last.safetensors", "\"F32\"", "\"I32\"");
         return Staged{{"train", "--resume", run}, {"last.safetensors", "dtype I32"}};
     }},
    {"ResumeOptimizerStateMissing",
     [](Scratch& s) {
         std::string run = make_run(s, "run");
         edit_safetensors(run + "/checkpoints/last.safetensors", [](std::map<std::string, gan::StoredTensor>& t, auto&) {
             t.erase("optimizer.generator.exp_avg_sq");
         });
         return Staged{{"train", "--resume", run}, {"last.safetensors", "optimizer.generator.exp_avg_sq"}};
     }},
    {"ResumeOptionsNotJson",
     [](Scratch& s) {
         std::string run = make_run(s, "run");
         edit_safetensors(run + "/checkpoints/last.safetensors",
                          [](auto&, gan::Metadata& m) { m["train_options"] = "{\"arch\": mlp"; });
         return Staged{{"train", "--resume", run}, {"last.safetensors", "bad training options"}};
     }},
    {"ResumeOptionsNonsense",  // a checkpoint whose stored options say batch -4
     [](Scratch& s) {
         std::string run = make_run(s, "run");
         edit_safetensors(run + "/checkpoints/last.safetensors", [](auto&, gan::Metadata& m) {
             std::string& o = m["train_options"];
             size_t at = o.find("\"batch\": 100");
             if (at == std::string::npos) throw std::runtime_error("no batch in train_options");
             o.replace(at, 12, "\"batch\": -4");
         });
         return Staged{{"train", "--resume", run}, {"--batch"}};
     }},
    {"ResumeWithAnotherOut",  // --resume trains its run in place: an --out elsewhere is refused, both ways named
     [](Scratch& s) {
         std::string run = make_run(s, "run"), other = s.path("other");
         return Staged{{"train", "--resume", run, "--out", other},
                       {"--out " + other, "--resume " + run, "--resume " + other, "--config " + run + "/config.json"}};
     }},
    {"ResumeTruncatedCheckpoint",
     [](Scratch& s) {
         std::string run = make_run(s, "run");
         std::string p = run + "/checkpoints/last.safetensors";
         std::vector<uint8_t> b = read_bytes(p);
         b.resize(b.size() - 4);
         write_bytes(p, b);
         return Staged{{"train", "--resume", run}, {p, "past the end"}};
     }},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CliError : public ::testing::TestWithParam<Case> {};

// The peak RSS of `gan --version`: the program loaded and its static state built, nothing read.
long baseline_rss_kb() {
    static const long kb = [] {
        RunResult r = run_gan(std::vector<std::string>{"--version"});
        EXPECT_EQ(r.code, 0) << r.err;
        return r.max_rss_kb;
    }();
    return kb;
}

TEST_P(CliError, ExitsTwoWithOneLineNamingTheCause) {
    const Case& c = GetParam();
    Scratch scratch;
    Staged st = c.stage(scratch);
    if (!st.skip.empty()) GTEST_SKIP() << st.skip;
    if (st.run.as_nobody && ::access(GAN_BINARY, X_OK) != 0) GTEST_SKIP() << "binary not executable";
    RunResult r = run_gan(st.args, st.run);
    std::string cmd = "gan";
    for (const std::string& a : st.args) cmd += " " + a;
    SCOPED_TRACE(cmd + "\nstdout: " + r.out + "\nstderr: " + r.err);

    ASSERT_FALSE(r.timed_out) << "hung";
    ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
    if (st.bounded) {
        EXPECT_LT(r.seconds, kBoundedSeconds) << "a hostile file must be refused at once";
        EXPECT_LT(r.max_rss_kb - baseline_rss_kb(), kBoundedRssKb)
            << "peak RSS in KiB while refusing a hostile file, above the baseline " << baseline_rss_kb();
    }
    if (st.run.as_nobody && r.code == 122) GTEST_SKIP() << "cannot drop privileges here";
    EXPECT_EQ(r.code, 2);

    // One line, no sanitizer report or trace (flag parsing errors included: cli/main.cpp prints
    // CLI11's message on one line too).
    const size_t nl = r.err.find('\n');
    ASSERT_NE(nl, std::string::npos) << "stderr is empty or not newline-terminated";
    const std::string first = r.err.substr(0, nl);
    EXPECT_EQ(nl, r.err.size() - 1) << "more than one line";
    EXPECT_EQ(first.rfind("gan: error: ", 0), 0u) << "does not start with 'gan: error: '";
    for (const char* bad : {"terminate called", "Sanitizer", "runtime error", "Aborted", "what():"})
        EXPECT_EQ(r.err.find(bad), std::string::npos) << "found '" << bad << "'";
    for (const std::string& want : st.expect)
        EXPECT_NE(first.find(want), std::string::npos) << "the message lacks '" << want << "'";

    // A failed write leaves no temp files behind.
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(scratch.dir, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (ec) break;
        EXPECT_EQ(it->path().filename().string().find(".tmp."), std::string::npos) << it->path();
    }
}

INSTANTIATE_TEST_SUITE_P(Table, CliError, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

}  // namespace
