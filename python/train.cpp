// gancpp.train(...): `gan train` from Python. Every option of the one option table
// (train/option_table.cpp) is a keyword named as its flag (lr for --lr, d_steps for --d-steps); the
// run is built by the library as the CLI's (Trainer::start, Trainer::resume), on the data of a folder
// or of a NumPy array. Training runs without the GIL; Ctrl-C stops it at the next step with the state
// saved, then raises KeyboardInterrupt.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "arrays.h"
#include "core/check.h"
#include "gancpp.h"
#include "io/file.h"
#include "metrics/evaluate.h"
#include "train/report.h"
#include "train/run_dir.h"
#include "train/run_request.h"
#include "train/train_data.h"
#include "train/trainer.h"

namespace gancpp {

namespace {

namespace fs = std::filesystem;

// What config.json records as the data of a run trained on an array.
constexpr const char* kArrayData = "(a NumPy array)";

// The keyword for a flag and back: --d-steps <-> d_steps.
std::string name_of(const std::string& flag) {
    std::string n = flag.substr(2);
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}
std::string flag_of(const std::string& name) {
    std::string f = "--" + name;
    std::replace(f.begin() + 2, f.end(), '_', '-');
    return f;
}

// A Python value as the text TrainOption::parse reads (as it would follow the flag on the command line).
std::string option_text(const py::handle& v, const std::string& name) {
    if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
    if (py::isinstance<py::str>(v)) return v.cast<std::string>();
    if (py::hasattr(v, "__index__")) return py::str(py::int_(py::reinterpret_borrow<py::object>(v))).cast<std::string>();
    if (py::hasattr(v, "__float__")) return py::repr(py::float_(py::reinterpret_borrow<py::object>(v))).cast<std::string>();
    if (py::hasattr(v, "__fspath__")) return fspath(py::reinterpret_borrow<py::object>(v));
    throw py::value_error(gan::str(name, ": expected a number, a bool or a string, got ",
                                   py::str(v.get_type().attr("__name__")).cast<std::string>()));
}

// The keywords as `gan train` flags: each set on gan train's defaults, its flag recorded as given.
gan::RunRequest make_request(const py::kwargs& options, const std::string& config) {
    gan::RunRequest r;
    gan::apply_cli_defaults(r.options);
    r.config = config;
    for (auto [key, value] : options) {
        const std::string name = key.cast<std::string>(), flag = flag_of(name);
        const gan::TrainOption* t = gan::train_option_by_flag(flag);
        if (!t || name.find('-') != std::string::npos)
            throw py::type_error(gan::str("train() got an unexpected keyword argument '", name,
                                          "' (gancpp.options() lists the options)"));
        if (value.is_none()) continue;  // None: the default
        try {
            t->parse(r.options, option_text(value, name));
        } catch (const gan::Error& e) {
            throw py::value_error(e.what());
        }
        r.given.push_back(flag);
    }
    return r;
}

// The numbers `gan train` prints for an epoch, as a dict.
py::dict epoch_dict(const gan::EpochReport& r) {
    py::dict d;
    d["epoch"] = r.epoch, d["epochs"] = r.epochs, d["steps"] = r.steps;
    d["d_loss"] = r.d_loss_last, d["g_loss"] = r.g_loss_last;
    d["d_loss_mean"] = r.d_loss, d["g_loss_mean"] = r.g_loss;
    d["d_real"] = r.d_real, d["d_fake"] = r.d_fake;
    d["seconds"] = r.seconds, d["images_per_s"] = r.images_per_s, d["elapsed"] = r.elapsed;
    d["data_share"] = r.data_share, d["augment_p"] = r.augment_p;
    d["sample_png"] = r.sample_png, d["fixed_png"] = r.fixed_png;
    for (const auto& [name, v] : r.eval) d[py::str(name)] = v;
    return d;
}

// gan train's line for the epoch (without --loss's labels: D(x) is sigmoid(D(x)) for lsgan and hinge).
std::string epoch_line(const gan::EpochReport& r) {
    char line[256];
    std::snprintf(line, sizeof line, "Epoch %d/%d... Discriminator Loss: %.4f... Generator Loss: %.4f  (%.2f s, %.0f "
                  "img/s, D(x) %.3f, D(G(z)) %.3f)", r.epoch, r.epochs, r.d_loss_last, r.g_loss_last, r.seconds,
                  r.images_per_s, r.d_real, r.d_fake);
    std::string text = line;
    for (const auto& [name, v] : r.eval) {
        std::snprintf(line, sizeof line, "\n  %s %.4f", name.c_str(), v);
        text += line;
    }
    return text;
}

// The Python side of a training call, reached from the trainer's thread: Ctrl-C (checked with the GIL
// at most every 10 ms) and on_epoch. Either's exception stops the run (state saved) and is raised after.
struct PythonSide {
    py::object on_epoch;
    std::atomic<bool> stop{false};
    std::optional<py::error_already_set> error;
    std::chrono::steady_clock::time_point last_check = std::chrono::steady_clock::now();

    void step(const gan::StepReport&) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_check < std::chrono::milliseconds(10)) return;
        last_check = now;
        py::gil_scoped_acquire held;
        if (PyErr_CheckSignals() != 0) fail();
    }
    void epoch(const gan::EpochReport& r) {
        py::gil_scoped_acquire held;
        try {
            if (on_epoch.is_none()) py::print(epoch_line(r), py::arg("flush") = true);
            else on_epoch(epoch_dict(r));
        } catch (py::error_already_set& e) {
            e.restore();
            fail();
        }
    }
    void fail() {
        if (!error) error.emplace();  // takes the Python error set
        else PyErr_Clear();
        stop = true;
    }
};

}  // namespace

namespace {

// A metrics.csv or eval.csv value: the counts as ints.
py::object cell(const std::string& column, double v) {
    if (column == "epoch" || column == "steps" || column == "classes_covered") return py::int_(int64_t(v));
    return py::float_(v);
}

// A run directory: its metrics (metrics.csv, with eval.csv's columns joined by epoch), its options.
struct Run {
    std::string directory;

    py::list metrics() const {
        const gan::MetricsCsv m = gan::metrics_csv_read(directory + "/metrics.csv");
        std::optional<gan::MetricsCsv> eval;
        if (gan::file_exists(directory + "/eval.csv")) eval = gan::metrics_csv_read(directory + "/eval.csv");
        // An epoch logged twice (a run stopped between its row and its checkpoint, then resumed): the later row.
        std::vector<const std::vector<double>*> kept;
        for (const std::vector<double>& row : m.rows) {
            while (!kept.empty() && (*kept.back())[0] >= row[0]) kept.pop_back();
            kept.push_back(&row);
        }
        py::list rows;
        for (const std::vector<double>* row : kept) {
            py::dict d;
            for (size_t i = 0; i < m.header.size(); ++i) d[py::str(m.header[i])] = cell(m.header[i], (*row)[i]);
            if (eval)
                for (const std::vector<double>& e : eval->rows)
                    if (e[0] == (*row)[0])
                        for (size_t i = 1; i < eval->header.size(); ++i)
                            d[py::str(eval->header[i])] = cell(eval->header[i], e[i]);
            rows.append(d);
        }
        return rows;
    }
    py::object options() const {
        const std::vector<uint8_t> text = gan::file_read_all(directory + "/config.json", size_t(1) << 20);
        return py::module_::import("json").attr("loads")(py::str(std::string(text.begin(), text.end())));
    }
    bool finished() const { return gan::file_exists(directory + "/generator.safetensors"); }
};

// The images of a run: the array's when one was given, else what its --data folder holds.
gan::Trainer::DataLoader data_loader(const std::optional<gan::ImageSet>& array) {
    return [array](const gan::TrainOptions& o) {
        if (array) return *array;
        GAN_CHECK(o.data_dir != kArrayData, o.out_dir, " was trained on a NumPy array: give train() the same array "
                  "as data= to resume it");
        return gan::load_train_data(o, nullptr, o.threads > 0 ? o.threads : 1).set;
    };
}

// The out directory of a new run, locked; a run already there is an error unless overwrite.
std::unique_ptr<gan::RunDirLock> claim_out_dir(const std::string& out, bool overwrite) {
    gan::make_dirs(out);
    auto lock = std::make_unique<gan::RunDirLock>(out);
    if (gan::run_dir_holds_run(out)) {
        GAN_CHECK(overwrite, out, " already holds a run: continue it with resume=True, or give overwrite=True to "
                  "delete it and start afresh (or choose another out)");
        gan::run_dir_clear(out);
    }
    return lock;
}

// A new run (its out directory claimed once the options say where it is) or the run in out continued,
// with the changes asked for printed as gan train --resume prints them.
std::unique_ptr<gan::Trainer> start_run(const gan::RunRequest& req, bool resume, bool overwrite,
                                        const gan::Trainer::DataLoader& load, std::unique_ptr<gan::RunDirLock>& lock) {
    if (!resume)
        return gan::Trainer::start(req, [&](const gan::TrainOptions& o) {
            lock = claim_out_dir(o.out_dir, overwrite);
            return load(o);
        });
    const std::string out = req.options.out_dir;
    if (fs::is_directory(out)) lock = std::make_unique<gan::RunDirLock>(out);
    auto trainer = gan::Trainer::resume(
        out,
        [&](gan::TrainOptions& stored) {
            for (const gan::OptionChange& c : gan::apply_resume_request(req, out, stored))
                python_log()(gan::str(name_of(c.flag), " ", c.before, " -> ", c.after));
        },
        load);
    const int done = trainer->progress().epoch, epochs = trainer->options().epochs;
    GAN_CHECK(done <= epochs, "epochs=", epochs, ": ", out, " has already trained ", done, " epochs; give a larger total");
    if (done == epochs)
        python_log()(gan::str(out, " is finished: it has trained all ", epochs, " of its epochs (give a larger epochs= "
                              "to train it further)"));
    return trainer;
}

Run train(const py::object& data, const py::object& labels, bool resume, const py::object& on_epoch,
          const py::object& config, bool overwrite, const py::kwargs& options) {
    gan::RunRequest req = make_request(options, config.is_none() ? "" : fspath(config));
    std::optional<gan::ImageSet> array;
    if (!data.is_none() && (py::isinstance<py::str>(data) || py::hasattr(data, "__fspath__"))) {
        req.options.data_dir = fspath(data);
        req.given.push_back("--data");
    } else if (!data.is_none()) {
        if (req.options.eval_every > 0)
            throw py::value_error("eval_every: the metrics during training are MNIST's, for data in an MNIST folder "
                                  "(score an array's run afterwards with gancpp.evaluate)");
        if (req.has("--image-size") || req.has("--channels"))
            throw py::value_error("image_size and channels are for data in a folder: an array's images are taken as "
                                  "they are (resize them before)");
        array = image_set_from_arrays(py::array::ensure(data), labels);
        if (!resume) req.options.data_dir = kArrayData, req.given.push_back("--data");
    }
    if (!labels.is_none() && !array) throw py::value_error("labels are for data given as an array");
    if (resume && !req.has("--out")) throw py::value_error("resume=True continues the run in out: give out=");
    if (resume && (overwrite || !req.config.empty()))
        throw py::value_error("resume=True continues a run; overwrite and config start a new one: give one of them");
    PythonSide side;
    side.on_epoch = on_epoch;
    std::string out;
    bool finished = false;
    {
        py::gil_scoped_release free;
        std::unique_ptr<gan::RunDirLock> lock;
        auto trainer = start_run(req, resume, overwrite, data_loader(array), lock);
        const gan::TrainOptions& o = trainer->options();
        out = o.out_dir;
        GAN_CHECK(o.eval_every == 0 || gan::detect_data_format(o.data_dir) == gan::DataFormat::mnist,
                  "eval_every: the metrics are MNIST's, and ", o.data_dir, " is not an MNIST folder (give eval_every=0)");
        if (o.eval_every > 0) trainer->evaluator = gan::training_evaluator(o.data_dir, 10000, o.seed, python_log());
        finished = trainer->progress().epoch == o.epochs ||
                   trainer->run([&](const gan::EpochReport& r) { side.epoch(r); },
                                [&](const gan::StepReport& s) { side.step(s); }, &side.stop);
        if (finished) gan::report_write(out);
        else if (side.error)
            python_log()(gan::str("Stopped at epoch ", trainer->progress().epoch + 1, " step ", trainer->progress().step,
                                  "; state saved to ", trainer->last_checkpoint(), "; resume with gancpp.train(out='",
                                  out, "', resume=True)"));
    }
    if (side.error) throw *side.error;
    return Run{out};
}

}  // namespace

void add_train(py::module_& m) {
    py::class_<Run>(m, "Run", "A run directory: what gancpp.train returns")
        .def(py::init([](const py::object& dir) { return Run{fspath(dir)}; }), py::arg("directory"))
        .def_readonly("directory", &Run::directory)
        .def_property_readonly("metrics", &Run::metrics, "One dict per epoch: metrics.csv's columns (and eval.csv's)")
        .def_property_readonly("options", &Run::options, "The run's options (config.json)")
        .def_property_readonly("finished", &Run::finished, "Whether it has trained all its epochs")
        .def_property_readonly("generator", [](const Run& r) { return py::module_::import("gancpp").attr("load")(r.directory); },
                               "Its generator (gancpp.load(directory))")
        .def("__fspath__", [](const Run& r) { return r.directory; })
        .def("__repr__", [](const Run& r) { return "<gancpp.Run " + r.directory + ">"; });
    m.def("train", &train, py::kw_only(), py::arg("data") = py::none(), py::arg("labels") = py::none(),
          py::arg("resume") = false, py::arg("on_epoch") = py::none(), py::arg("config") = py::none(),
          py::arg("overwrite") = false,
          "`gan train` from Python. data: a folder as --data takes it, or uint8 images (N, H, W) or (N, H, W, C) "
          "with optional integer labels (N,). Every option of `gan train` is a keyword named as its flag: lr for "
          "--lr, d_steps for --d-steps, out, arch, epochs, ... (gancpp.options() lists them). resume=True continues "
          "the run in out. on_epoch(report) gets each epoch's numbers as a dict (default: the CLI's line is "
          "printed). Ctrl-C stops at the next step with the state saved, then raises KeyboardInterrupt. Returns "
          "the Run.");
    m.def("options", [] {
        py::list l;
        for (const gan::TrainOption& t : gan::train_option_table()) {
            if (!t.has_flag()) continue;
            gan::TrainOptions o;
            gan::apply_cli_defaults(o);
            l.append(py::dict(py::arg("name") = name_of(t.flag), py::arg("flag") = t.flag, py::arg("default") = t.show(o),
                              py::arg("help") = t.help));
        }
        return l;
    }, "train()'s options: one dict per option of `gan train` (name, flag, default, help)");
}

}  // namespace gancpp
