// libFuzzer target: training options and command-line flags.
//  - Input starting with '{': TrainOptions::from_json (the options stored in config.json and in
//    every full-state checkpoint, so a hostile checkpoint reaches it on --resume), then validate();
//    options that validate must survive to_json -> from_json unchanged, or --resume would fail.
//  - Anything else: one argument per line, parsed by the real `gan` command line (cli/cmd_*.cpp
//    registered on a CLI11 app as cli/main.cpp does); nothing is run.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
#include "train/trainer.h"

namespace {

bool same(const gan::TrainOptions& a, const gan::TrainOptions& b) {
    return a.to_json() == b.to_json();
}

void fuzz_json(const std::string& text) {
    gan::TrainOptions o;
    try {
        o = gan::TrainOptions::from_json(text, "fuzz.json");
        o.validate();
    } catch (const gan::Error&) {
        return;
    }
    gan::TrainOptions back;
    try {
        back = gan::TrainOptions::from_json(o.to_json(), "round trip");
    } catch (const gan::Error& e) {
        std::fprintf(stderr, "valid options do not survive to_json/from_json: %s\n", e.what());
        std::abort();
    }
    if (!same(o, back)) {
        std::fprintf(stderr, "round trip changed the options:\n%s---\n%s", o.to_json().c_str(),
                     back.to_json().c_str());
        std::abort();
    }
}

void fuzz_argv(const std::string& text) {
    std::vector<std::string> args{"gan"};
    size_t start = 0;
    while (start <= text.size() && args.size() < 64) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        args.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    // Built once (building the app costs more than parsing); clear() forgets the last parse.
    // Bound variables keep values from earlier inputs, which only widens what gets exercised.
    static CLI::App app{"gan"};
    static bool ready = false;
    if (!ready) {
        app.set_version_flag("--version", "fuzz");
        app.require_subcommand(1);
        static gan_cli::Run run_train = gan_cli::add_train(*app.add_subcommand("train", ""));
        static gan_cli::Run run_sample = gan_cli::add_sample(*app.add_subcommand("sample", ""));
        ready = true;
    }
    app.clear();
    try {
        app.parse(int(argv.size()), argv.data());
    } catch (const CLI::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (!text.empty() && text[0] == '{')
        fuzz_json(text);
    else
        fuzz_argv(text);
    return 0;
}
