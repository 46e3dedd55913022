// What a user asks of a training run, and the one place that turns it into the run's options: the
// defaults an architecture brings, an earlier run's config.json, where MNIST is found, the model fitted
// to the data, and what a resumed run may change. `gan train` fills a RunRequest from its flags (and the
// Python binding from its keyword arguments); Trainer::start and Trainer::resume take it from there, so
// no caller edits options after parsing them.
#pragma once
#include <string>
#include <vector>

#include "data/image_set.h"
#include "train/options.h"

namespace gan {

struct RunRequest {
    TrainOptions options;            // gan train's defaults (apply_cli_defaults) with the values asked for set
    std::vector<std::string> given;  // the options asked for, by flag ("--lr")
    std::string config;              // an earlier run's config.json to start from ("" for none)
    std::string command = "gan train";  // how the user starts a run, for the hints in messages

    bool has(const std::string& flag) const;
};

// The options of a new run before its data is read: config.json's with the values given on top when
// `config` is set, else the values given with each architecture's defaults for the rest (DCGAN:
// Radford et al.); the MNIST folder searched (metrics/evaluate.h's mnist_dir_find) when --data is not
// given. Not yet validated (Trainer::start validates, once).
TrainOptions new_run_options(const RunRequest& r);

// Once the data is read: the model's image shape and classes from the data (fit_model_to_data), and a
// conditional model's fixed grid made a whole number of rows of classes unless the options came from
// a config.json.
void fit_run_to_data(TrainOptions& o, const ImageSet& data, const RunRequest& r);

// A resumed run's stored options with the values given applied where the run allows it. Throws,
// changing nothing, when a value given asks for what a resumed run cannot change (the model's shape,
// the seed, the batch); returns the changes made ("lr 0.002 -> 0.01"), for the caller to report. The
// trainer records them in config.json and the checkpoints.
struct OptionChange {
    std::string flag, before, after;
};
std::vector<OptionChange> apply_resume_request(const RunRequest& r, const std::string& run_dir,
                                               TrainOptions& stored);

}  // namespace gan
