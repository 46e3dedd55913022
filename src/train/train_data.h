// The training images of a run, from whatever --data holds: MNIST's IDX files, CIFAR-10's binary
// batches or a folder of PNG and JPEG images (decoded once into a cache file in the run directory),
// at the options' image size and channels. Library code: progress goes through a callback, errors
// are gan::Error naming the folder.
#pragma once
#include <string>
#include <vector>

#include "data/image_folder.h"
#include "data/image_set.h"
#include "train/options.h"

namespace gan {

enum class DataFormat { mnist, cifar10, image_folder };
const char* to_string(DataFormat f);  // "MNIST (IDX)", "CIFAR-10 (binary)", "image folder"

// The image side an image folder gets when --image-size is 0.
inline constexpr int kFolderImageSize = 64;

struct TrainData {
    ImageSet set;
    DataFormat format = DataFormat::mnist;
    std::vector<SkippedImage> skipped;  // image folders with --bad-images skip: the files left out
    std::string cache_path;             // image folders: the decoded cache ("" for the others)
    bool cache_built = false;           // decoded now rather than read from the cache
    std::string why_built;              // why the cache was not used
};

// What data_dir holds: MNIST when it has train-images-idx3-ubyte (any spelling dataset_load takes),
// else CIFAR-10 when it has data_batch_1.bin, else an image folder. Throws when it is not a folder.
DataFormat detect_data_format(const std::string& data_dir);

// Where an image folder's decoded cache lives: RUN_DIR/data_cache.bin.
std::string train_cache_path(const TrainOptions& o);

// The training split of o.data_dir at o.image_size and o.channels (0: the data's own), labelled by
// class when o.model.conditional (an image folder's classes are its first-level folders).
// progress (may be null) is called while an image folder is being decoded.
TrainData load_train_data(const TrainOptions& o, const ImageProgress& progress = nullptr, int threads = 1);

// The model's image shape (and, for a conditional model, its class count) set to the data's.
// Throws when a conditional model gets fewer than 2 classes.
void fit_model_to_data(TrainOptions& o, const ImageSet& data);

}  // namespace gan
