// gan serve RUN_DIR [--port P] [--host H] [--web DIR]
//
// Serves the page in web/ (index.html, app.js, style.css), which runs the run's generator in the
// browser with onnxruntime-web (its dist files from web/node_modules/onnxruntime-web/dist, installed
// by `npm ci --omit=dev` in web/) and shows the run's losses.svg and progress.gif. The generator is
// exported to ONNX in memory at start (export/onnx.h), so the run directory is only read. Only the
// URLs listed below are answered (serve/http.h: an allow-list, no path ever joined onto a folder).
// Binds 127.0.0.1 by default; --port 0 picks a free port; prints the URL; Ctrl-C (or SIGTERM) stops.
//
// The web/ folder: --web DIR, else $GAN_WEB_DIR, else <prefix>/share/gan/web next to an installed
// bin/gan, else the source tree's web/ (this file's folder/../web, compiled in through __FILE__).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
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
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && is_web_dir(exe.parent_path().parent_path() / "share/gan/web"))
        return exe.parent_path().parent_path() / "share/gan/web";
    fs::path source = fs::path(__FILE__).parent_path().parent_path() / "web";
    GAN_CHECK(is_web_dir(source), "cannot find the web/ folder (pass --web DIR or set GAN_WEB_DIR)");
    return source;
}

int run_serve(const ServeArgs& a) {
    const fs::path web = find_web_dir(a.web);
    const fs::path ort = web / "node_modules/onnxruntime-web/dist";
    // Single-threaded wasm backend: the classic script, its Emscripten module and the wasm binary.
    const char* ort_files[] = {"ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"};
    for (const char* f : ort_files)
        GAN_CHECK(fs::is_regular_file(ort / f), (ort / f).string(),
                  ": missing (run `npm ci --omit=dev` in ", web.string(), ")");

    gan::LoadedModel loaded = gan::checkpoint_load_model(a.run);
    const gan::ModelConfig& c = loaded.model->config;
    std::map<std::string, std::string> extra;
    if (auto it = loaded.metadata.find("epoch"); it != loaded.metadata.end()) extra["epoch"] = it->second;
    std::string onnx = gan::onnx_generator_model(*loaded.model, extra);

    const fs::path run_dir = fs::is_directory(a.run) ? fs::path(a.run) : fs::path(a.run).parent_path();
    gan::HttpRoutes routes;
    for (const char* f : {"index.html", "app.js", "style.css"}) routes.add_file(std::string("/") + f, (web / f).string());
    for (const char* f : ort_files) routes.add_file(std::string("/ort/") + f, (ort / f).string());
    routes.add_bytes("/run/G.onnx", std::move(onnx));
    nlohmann::json files = nlohmann::json::object();
    for (const char* f : {"losses.svg", "progress.gif", "config.json"}) {
        const bool present = fs::is_regular_file(run_dir / f);
        files[f] = present;
        if (present) routes.add_file(std::string("/run/") + f, (run_dir / f).string());
    }
    // What the page needs to know about the model (the same facts as the ONNX metadata_props, which
    // onnxruntime-web does not expose).
    nlohmann::json info = {{"run", fs::absolute(run_dir).lexically_normal().filename().string()},
                           {"checkpoint", loaded.path},
                           {"arch", gan::to_string(c.arch)},
                           {"latent", gan::to_string(c.latent)},
                           {"z_dim", c.z_dim},
                           {"conditional", c.conditional},
                           {"num_classes", c.num_classes},
                           {"image_shape", {c.channels, c.rows, c.cols}},
                           {"epoch", extra.count("epoch") ? extra["epoch"] : ""},
                           {"files", files}};
    routes.add_bytes("/run/model.json", info.dump(), "application/json");

    gan::HttpServer server(a.host, a.port, std::move(routes));
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
    const bool v6 = a.host.find(':') != std::string::npos;
    std::printf("gan serve: %s %s generator of %s at http://%s%s%s:%d/ (Ctrl-C stops)\n", gan::to_string(c.arch),
                c.conditional ? "conditional" : "", loaded.path.c_str(), v6 ? "[" : "", a.host.c_str(), v6 ? "]" : "",
                server.port());
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
