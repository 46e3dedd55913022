// gan serve RUN_DIR [--port P] [--host H] [--web DIR]
//
// Serves the page in web/ (index.html, app.js, style.css), which runs the run's generator in the
// browser with onnxruntime-web (its dist files from web/node_modules/onnxruntime-web/dist, installed
// by scripts/setup_web.sh: `npm ci --omit=dev --ignore-scripts` in web/) and shows the run's
// losses.svg and progress.gif. The run is served as it is now, so a run that is training can be watched: the run's files are opened at each request
// (inside the run directory, never through a link), and the generator is exported to ONNX in memory
// (export/onnx.h) again whenever the checkpoint it comes from is another file or has changed; the run
// directory is only read. Only the URLs listed below are answered (serve/http.h: an allow-list, no
// path ever joined onto a folder, Host names of this machine only). Binds 127.0.0.1 by default and
// warns on another address; --port 0 picks a free port; prints the URL; Ctrl-C (or SIGTERM) stops.
//
// The web/ folder: --web DIR, else $GAN_WEB_DIR, else <prefix>/share/gan/web next to an installed
// bin/gan, else the source tree's web/ (paths.h: the tree the program was compiled from).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "paths.h"
#include "core/check.h"
#include "export/onnx.h"
#include "serve/http.h"
#include "train/checkpoint.h"

namespace gan_cli {

namespace {

namespace fs = std::filesystem;

struct ServeArgs {
    std::string run, host = "127.0.0.1", web;
    int port = 8000;
};

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

bool is_web_dir(const fs::path& d) { return fs::is_regular_file(d / "index.html"); }

fs::path find_web_dir(const std::string& flag) {
    if (!flag.empty()) {
        GAN_CHECK(is_web_dir(flag), "--web ", flag, ": no index.html there");
        return flag;
    }
    if (const char* env = std::getenv("GAN_WEB_DIR"); env && *env) {
        GAN_CHECK(is_web_dir(env), "GAN_WEB_DIR=", env, ": no index.html there");
        return env;
    }
    if (is_web_dir(installed_path("web"))) return installed_path("web");
    const fs::path source = source_tree_path("web");
    GAN_CHECK(is_web_dir(source), "cannot find the web/ folder (pass --web DIR or set GAN_WEB_DIR)");
    return source;
}

// The generator the page draws from, as the run is now: each request resolves the run's newest
// generator checkpoint again (a stat and a directory listing) and exports it anew only when that is
// another file or it has changed. When a new checkpoint cannot be read, the one before stays served.
class CurrentGenerator {
  public:
    explicit CurrentGenerator(std::string run) : run_(std::move(run)) {}
    struct Export {
        std::shared_ptr<const std::string> onnx;
        nlohmann::json info;  // what the page needs to know about the model (model.json less "files")
        std::string arch, path;
        bool conditional = false;
    };
    std::shared_ptr<const Export> get() {
        std::lock_guard<std::mutex> lock(mu_);
        try {
            const std::string path = gan::checkpoint_resolve(run_);
            struct stat st {};
            GAN_CHECK(::stat(path.c_str(), &st) == 0, path, ": cannot open: ", std::strerror(errno));
            const std::string key = gan::str(path, " ", st.st_dev, ":", st.st_ino, " ", st.st_size, " ",
                                             st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec);
            if (key != key_) {
                current_ = load();
                key_ = key;
            }
        } catch (const gan::Error&) {
            if (!current_) throw;
        }
        return current_;
    }

  private:
    std::shared_ptr<const Export> load() const {
        gan::LoadedModel loaded = gan::checkpoint_load_model(run_);
        const gan::ModelConfig& c = loaded.model->config;
        std::map<std::string, std::string> extra;
        if (auto it = loaded.metadata.find("epoch"); it != loaded.metadata.end()) extra["epoch"] = it->second;
        auto e = std::make_shared<Export>();
        e->onnx = std::make_shared<const std::string>(gan::onnx_generator_model(*loaded.model, extra));
        e->arch = gan::to_string(c.arch);
        e->path = loaded.path;
        e->conditional = c.conditional;
        // The same facts as the ONNX metadata_props, which onnxruntime-web does not expose.
        const fs::path run_dir = fs::is_directory(run_) ? fs::path(run_) : fs::path(run_).parent_path();
        e->info = {{"run", fs::absolute(run_dir).lexically_normal().filename().string()},
                   {"checkpoint", loaded.path},
                   {"arch", gan::to_string(c.arch)},
                   {"latent", gan::to_string(c.latent)},
                   {"z_dim", c.z_dim},
                   {"conditional", c.conditional},
                   {"num_classes", c.num_classes},
                   {"class_names", c.class_names},  // the page's buttons (empty: numbered)
                   {"image_shape", {c.channels, c.rows, c.cols}},
                   {"epoch", extra.count("epoch") ? extra["epoch"] : ""}};
        return e;
    }
    std::string run_, key_;
    std::mutex mu_;
    std::shared_ptr<const Export> current_;
};

int run_serve(const ServeArgs& a) {
    const fs::path web = find_web_dir(a.web);
    const fs::path ort = web / "node_modules/onnxruntime-web/dist";
    // Single-threaded wasm backend: the classic script, its Emscripten module and the wasm binary.
    const char* ort_files[] = {"ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"};
    for (const char* f : ort_files)
        GAN_CHECK(fs::is_regular_file(ort / f), (ort / f).string(),
                  ": missing: the page's onnxruntime-web is not installed (scripts/setup_web.sh in the source tree "
                  "installs it: npm ci --omit=dev --ignore-scripts in web/; an installed gan takes it along at "
                  "cmake --install)");

    auto generator = std::make_shared<CurrentGenerator>(a.run);
    const std::shared_ptr<const CurrentGenerator::Export> first = generator->get();  // its errors end here
    const fs::path run_dir = fs::is_directory(a.run) ? fs::path(a.run) : fs::path(a.run).parent_path();
    auto run_folder = std::make_shared<const gan::HttpFolder>(run_dir.empty() ? "." : run_dir.string());

    gan::HttpRoutes routes;
    for (const char* f : {"index.html", "app.js", "style.css"}) routes.add_file(std::string("/") + f, (web / f).string());
    for (const char* f : ort_files) routes.add_file(std::string("/ort/") + f, (ort / f).string());
    const char* run_files[] = {"losses.svg", "progress.gif", "config.json"};
    for (const char* f : run_files) routes.add_file_in(std::string("/run/") + f, run_folder, f);
    routes.add_made("/run/G.onnx", [generator] { return generator->get()->onnx; });
    routes.add_made(
        "/run/model.json",
        [generator, run_folder, run_files] {
            nlohmann::json info = generator->get()->info, files = nlohmann::json::object();
            for (const char* f : run_files) {  // present now, as a regular file (what /run/<f> would serve)
                struct stat st {};
                files[f] = ::fstatat(run_folder->fd(), f, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
            }
            info["files"] = files;
            return std::make_shared<const std::string>(info.dump());
        },
        "application/json");

    gan::HttpServer server(a.host, a.port, std::move(routes));
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
    const bool v6 = a.host.find(':') != std::string::npos;
    if (!server.loopback())
        std::fprintf(stderr, "gan serve: warning: --host %s is not a loopback address: anyone who can reach this "
                     "machine can load the page, the run's config.json (which holds local paths) and its generator\n",
                     a.host.c_str());
    std::printf("gan serve: %s %s generator of %s at http://%s%s%s:%d/ (Ctrl-C stops)\n", first->arch.c_str(),
                first->conditional ? "conditional" : "", first->path.c_str(), v6 ? "[" : "", a.host.c_str(),
                v6 ? "]" : "", server.port());
    std::fflush(stdout);
    server.serve(g_stop);
    std::printf("gan serve: stopped after %llu requests\n", static_cast<unsigned long long>(server.requests()));
    return 0;
}

}  // namespace

Run add_serve(CLI::App& app) {
    auto a = std::make_shared<ServeArgs>();
    app.add_option("run", a->run, "Run directory (or a checkpoint file) whose generator the page draws from")
        ->required();
    app.add_option("--port,-p", a->port, "TCP port (0: any free one; the URL printed names it)")
        ->capture_default_str()->check(CLI::Range(0, 65535));
    app.add_option("--host", a->host, "Address to bind (127.0.0.1: this machine only; 0.0.0.0: every interface)")
        ->capture_default_str();
    app.add_option("--web", a->web, "The page's folder (default: $GAN_WEB_DIR, <prefix>/share/gan/web, the source web/)");
    return [a] { return run_serve(*a); };
}

}  // namespace gan_cli
