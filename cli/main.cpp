// gan: train GANs on small images, sample from them. Dispatch only.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "commands.h"
#include "core/check.h"
#include "flags.h"
#include "parse_error.h"

int main(int argc, char** argv) {
    CLI::App app{"gan.cpp: train Generative Adversarial Networks on MNIST-sized images and sample from them"};
    app.set_version_flag("--version", std::string("gan.cpp ") + GAN_VERSION);
    app.require_subcommand(1);
    std::vector<std::pair<CLI::App*, gan_cli::Run>> cmds;
    auto* train = app.add_subcommand("train", "Train a GAN (default: the classic MLP GAN of the tutorial)");
    cmds.push_back({train, gan_cli::add_train(*train)});
    auto* sample = app.add_subcommand("sample", "Generate images from a checkpoint (PNG grid, .npy or IDX)");
    cmds.push_back({sample, gan_cli::add_sample(*sample)});
    auto* classifier = app.add_subcommand("classifier", "Train the MNIST classifier behind `gan eval`");
    cmds.push_back({classifier, gan_cli::add_classifier(*classifier)});
    auto* eval = app.add_subcommand("eval", "Score generated digits: MNIST-FID, classifier score, coverage, ...");
    cmds.push_back({eval, gan_cli::add_eval(*eval)});
    { auto* c = app.add_subcommand("report", "Write progress.gif, losses.svg and probabilities.svg of a run"); cmds.push_back({c, gan_cli::add_report(*c)}); }
    { auto* c = app.add_subcommand("interpolate", "Animated GIF of a smooth walk through latent space"); cmds.push_back({c, gan_cli::add_interpolate(*c)}); }
    { auto* c = app.add_subcommand("export", "Write the generator as an ONNX model (.onnx) for other runtimes"); cmds.push_back({c, gan_cli::add_export(*c)}); }
    { auto* c = app.add_subcommand("serve", "Serve a page that draws samples of a run in the browser (onnxruntime-web)"); cmds.push_back({c, gan_cli::add_serve(*c)}); }
    { auto* c = app.add_subcommand("fetch", "Download MNIST or Fashion-MNIST (checked by MD5) where gan looks for it"); cmds.push_back({c, gan_cli::add_fetch(*c)}); }
    gan_cli::check_unsigned_flags(app);  // no unsigned flag (--seed) may wrap "-1" round to 2^64 - 1
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // The unknown word named, with the closest command or flag and the command's own --help.
        const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
        std::fprintf(stderr, "gan: error: %s\n", gan_cli::explain_parse_error(app, args, e.what()).c_str());
        return 2;
    }
    try {
        for (auto& [cmd, run] : cmds)
            if (cmd->parsed()) return run();
    } catch (const gan::Error& e) {
        std::fprintf(stderr, "gan: error: %s\n", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "gan: error: out of memory\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gan: error: %s\n", e.what());
        return 2;
    }
    return 2;
}
