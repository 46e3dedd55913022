// gan export --checkpoint FILE|RUN_DIR --out G.onnx
//
// Writes the generator as a standard ONNX model (export/onnx.h: input z (N, z_dim) [and label (N)],
// output images (N, C, H, W) in [-1, 1]) for ONNX runtimes outside gan.cpp: Python, the browser, ...
#include <cstdio>
#include <string>

#include "commands.h"
#include "core/check.h"
#include "flags.h"
#include "export/onnx.h"
#include "train/checkpoint.h"

namespace gan_cli {

namespace {

struct ExportArgs {
    std::string checkpoint, out;
};

int run_export(const ExportArgs& a) {
    GAN_CHECK(a.out.size() > 5 && a.out.compare(a.out.size() - 5, 5, ".onnx") == 0, a.out,
              ": the output must be an .onnx file");
    gan::LoadedModel loaded = gan::checkpoint_load_model(a.checkpoint);
    const gan::ModelConfig& c = loaded.model->config;
    std::map<std::string, std::string> extra;
    if (auto it = loaded.metadata.find("epoch"); it != loaded.metadata.end()) extra["epoch"] = it->second;
    const size_t bytes = gan::onnx_export_generator(a.out, *loaded.model, extra);
    std::printf("wrote %s (%zu bytes, ONNX opset %d) from %s: %s%s generator, z %s (N, %d)%s -> images (N, %d, %d, %d) "
                "in [-1, 1]\n",
                a.out.c_str(), bytes, gan::kOnnxOpset, loaded.path.c_str(), gan::to_string(c.arch),
                c.conditional ? " conditional" : "", c.latent == gan::Latent::normal ? "~ N(0, 1)" : "~ U(-1, 1)", c.z_dim,
                c.conditional ? (", label int64 (N) in [0, " + std::to_string(c.num_classes) + ")").c_str() : "",
                c.channels, c.rows, c.cols);
    return 0;
}

}  // namespace

Run add_export(CLI::App& app) {
    auto a = args_with_checkpoint_and_out<ExportArgs>(app, "The ONNX model to write (.onnx)");
    return [a] { return run_export(*a); };
}

}  // namespace gan_cli
