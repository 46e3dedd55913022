// Sub-commands of the `gan` program. Each registers its flags on the app and returns the function
// that runs it (after parsing). Only cli/ prints and chooses exit codes.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace gan_cli {

using Run = std::function<int()>;
Run add_train(CLI::App& app);
Run add_sample(CLI::App& app);
Run add_classifier(CLI::App& app);
Run add_eval(CLI::App& app);
Run add_report(CLI::App& app);
Run add_interpolate(CLI::App& app);
Run add_export(CLI::App& app);
Run add_serve(CLI::App& app);
Run add_fetch(CLI::App& app);

}  // namespace gan_cli
