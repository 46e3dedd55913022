// The labelled images `gan classifier train` and `gan eval` compare against, from whatever a --data
// folder holds (train/train_data.h tells which): MNIST's training and test files, CIFAR-10's training
// and test batches, or an image folder. An image folder's classes are its first-level subfolders
// (torchvision's ImageFolder); it has no test split, so every tenth image of each class (the 10th,
// 20th, ... in path order) is held out as the test set. A folder without subfolders has one class:
// unlabelled. Folders are decoded once into a cache file (data/cache.h) in the cache folder.
#pragma once
#include <string>

#include "data/image_folder.h"
#include "data/image_set.h"
#include "train/train_data.h"

namespace gan {

inline constexpr int kHeldOutEvery = 10;

struct EvalData {
    std::string dir;
    DataFormat format = DataFormat::mnist;
    ImageSet train, test;
    bool labelled() const { return train.class_names.size() >= 2; }
};

// The images of dir at channels x size x size (0: the data's own: MNIST 1 x 28, CIFAR-10 3 x 32, an
// image folder 3 x kFolderImageSize). MNIST is taken only at its own shape. Throws naming dir.
EvalData load_eval_data(const std::string& dir, int channels = 0, int size = 0,
                        const ImageProgress& progress = nullptr, int threads = 1);

// How many classes load_eval_data would find in dir, without decoding an image (MNIST and CIFAR-10:
// 10; an image folder: its first-level subfolders that hold images, or 1 when it has none).
int eval_data_classes(const std::string& dir);

// Splits all into train and test, test taking each class's images number every, 2 * every, ... (1-based,
// in order).
void split_held_out(const ImageSet& all, int every, ImageSet& train, ImageSet& test);

// Where an image folder decoded for the metrics is cached: <cache_dir()>/images/<hash of its absolute
// path>-<channels>x<size>.bin.
std::string eval_cache_path(const std::string& dir, int channels, int size);

}  // namespace gan
