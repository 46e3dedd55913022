// `gan serve` as a program (GAN_BINARY) against hostile run directories (issue 29, cases 2, 4, 5, 6):
// a 200 MB progress.gif fetched four times at once costs no memory (streamed), SIGTERM ends the
// server at once while a client trickles its request, binding a non-loopback address prints a
// warning, and the run is served as it is now (a newer generator and new files appear).
// The page's own files are stand-ins in a scratch --web folder: only the server is under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include "models/gan_model.h"
#include "test_util.h"
#include "train/checkpoint.h"

namespace fs = std::filesystem;

namespace {

using gan::testing::GanProcess;
using gan::testing::read_file;
using gan::testing::TempFolder;
using gan::testing::write_file;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A scratch --web folder with the files gan serve checks for.
std::string make_web(const TempFolder& tmp) {
    const std::string web = tmp.file("web"), ort = web + "/node_modules/onnxruntime-web/dist";
    fs::create_directories(ort);
    for (const char* f : {"index.html", "app.js", "style.css"}) write_file(web + "/" + f, f);
    for (const char* f : {"ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"})
        write_file(ort + "/" + f, f);
    return web;
}

// The generator of a finished epoch, as the trainer names it.
void save_epoch(const std::string& run, int epoch, uint64_t seed) {
    auto m = gan::gan_build(gan::ModelConfig{});
    gan::Rng rng(seed);
    gan::gan_init(*m, rng);
    char name[64];
    std::snprintf(name, sizeof name, "/checkpoints/generator_epoch_%03d.safetensors", epoch);
    fs::create_directories(run + "/checkpoints");
    gan::checkpoint_save_generator(run + name, *m, {{"epoch", std::to_string(epoch)}});
}

// gan serve RUN on a free port; waits for the URL line.
struct Server {
    std::unique_ptr<GanProcess> p;
    int port = 0;
    std::string out, err;  // its stdout and stderr files
    Server(const TempFolder& tmp, std::vector<std::string> args, const std::string& name = "serve")
        : out(tmp.file(name + ".out")), err(tmp.file(name + ".err")) {
        args.insert(args.begin(), "serve");
        args.insert(args.end(), {"--port", "0", "--web", make_web(tmp)});
        p = std::make_unique<GanProcess>(args, out, err);
        const std::regex url(R"(http://[^ ]*:(\d+)/)");
        for (int i = 0; i < 600 && !p->poll(); ++i) {
            std::smatch m;
            const std::string text = read_file(out);
            if (std::regex_search(text, m, url)) {
                port = std::stoi(m[1]);
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
};

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// GET path; the status line and the number of bytes received (the body kept only when keep).
struct Reply {
    std::string status, text;
    uint64_t bytes = 0;
};
Reply get(int port, const std::string& path, bool keep = true) {
    Reply r;
    int fd = connect_to(port);
    if (fd < 0) return {"connect failed", "", 0};
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[1 << 16];
    std::string head;
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
        if (head.size() < 256) head.append(buf, size_t(std::min<ssize_t>(n, 256)));
        if (keep) r.text.append(buf, size_t(n));
        r.bytes += uint64_t(n);
    }
    ::close(fd);
    r.status = head.substr(0, head.find("\r\n"));
    return r;
}

TEST(Serve, StreamsLargeRunFilesInLittleMemory) {
    TempFolder tmp("gan_serve");
    const std::string run = tmp.file("run");
    save_epoch(run, 1, 1);
    const uint64_t size = 200ull << 20;  // sparse: costs no disk
    ASSERT_TRUE(gan::testing::write_sparse(run + "/progress.gif", {'G', 'I', 'F'}, size));
    Server s(tmp, {run});
    ASSERT_GT(s.port, 0) << read_file(s.err);
    std::vector<Reply> got(4);
    std::vector<std::thread> clients;
    for (Reply& r : got) clients.emplace_back([&] { r = get(s.port, "/run/progress.gif", false); });
    for (std::thread& c : clients) c.join();
    for (const Reply& r : got) {
        EXPECT_EQ(r.status, "HTTP/1.1 200 OK");
        EXPECT_GT(r.bytes, size);  // the head and the whole file
    }
    s.p->kill_and_reap(SIGTERM);
    EXPECT_EQ(s.p->exit_code(), 0);
    // Read whole, four copies would be 800 MB; streamed, the server stays near its size at start
    // (an MLP generator and its ONNX export: tens of MB).
    EXPECT_LT(s.p->max_rss_kb(), 150 * 1024) << "peak RSS of gan serve in KiB";
}

TEST(Serve, SigtermEndsItWhileAClientTrickles) {
    TempFolder tmp("gan_serve");
    const std::string run = tmp.file("run");
    save_epoch(run, 1, 1);
    Server s(tmp, {run});
    ASSERT_GT(s.port, 0) << read_file(s.err);
    const int fd = connect_to(s.port);
    ASSERT_GE(fd, 0);
    ::send(fd, "GET / HT", 8, MSG_NOSIGNAL);  // and nothing more: the head deadline is 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto t0 = Clock::now();
    ::kill(s.p->pid(), SIGTERM);
    ASSERT_TRUE(s.p->wait(30)) << "gan serve did not end after SIGTERM";
    EXPECT_LT(seconds_since(t0), 5) << "it must not wait for the slow client";
    EXPECT_EQ(s.p->exit_code(), 0);
    EXPECT_NE(read_file(s.out).find("stopped after"), std::string::npos);
    ::close(fd);
}

TEST(Serve, WarnsWhenBoundToANonLoopbackAddress) {
    TempFolder tmp("gan_serve");
    const std::string run = tmp.file("run");
    save_epoch(run, 1, 1);
    for (const char* host : {"127.0.0.1", "0.0.0.0"}) {
        Server s(tmp, {run, "--host", host}, host);
        ASSERT_GT(s.port, 0) << read_file(s.err);
        s.p->kill_and_reap(SIGTERM);
        const std::string err = read_file(s.err);
        if (std::string(host) == "127.0.0.1") EXPECT_EQ(err, "");
        else EXPECT_NE(err.find("warning: --host 0.0.0.0 is not a loopback address"), std::string::npos) << err;
    }
}

// Without onnxruntime-web the page cannot run: one line naming the missing file and the one command.
TEST(Serve, APageWithoutOnnxruntimeWebNamesTheCommandThatInstallsIt) {
    TempFolder tmp("gan_serve");
    const std::string run = tmp.file("run"), web = tmp.file("bare_web");
    save_epoch(run, 1, 1);
    fs::create_directories(web);
    for (const char* f : {"index.html", "app.js", "style.css"}) write_file(web + "/" + f, f);
    gan::testing::RunOptions ro;
    ro.separate_err = true;
    const gan::testing::RunResult r = gan::testing::run_gan({"serve", run, "--port", "0", "--web", web}, ro);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(web + "/node_modules/onnxruntime-web/dist/"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("scripts/setup_web.sh"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("npm ci --omit=dev --ignore-scripts"), std::string::npos) << r.err;
}

// A conditional run's class names reach the page (its class buttons), in model.json.
TEST(Serve, ModelJsonNamesAConditionalRunsClasses) {
    TempFolder tmp("gan_serve");
    const std::string run = tmp.file("run");
    gan::ModelConfig c;
    c.conditional = true;
    c.num_classes = 2;
    c.class_names = {"cats", "dogs"};
    auto m = gan::gan_build(c);
    gan::Rng rng(1);
    gan::gan_init(*m, rng);
    fs::create_directories(run + "/checkpoints");
    gan::checkpoint_save_generator(run + "/checkpoints/generator_epoch_001.safetensors", *m, {{"epoch", "1"}});
    Server s(tmp, {run});
    ASSERT_GT(s.port, 0) << read_file(s.err);
    const Reply info = get(s.port, "/run/model.json");
    EXPECT_NE(info.text.find("\"class_names\":[\"cats\",\"dogs\"]"), std::string::npos) << info.text;
    s.p->kill_and_reap(SIGTERM);
}

TEST(Serve, ServesTheRunAsItIsNow) {
    TempFolder tmp("gan_serve");
    const std::string run = tmp.file("run");
    save_epoch(run, 1, 1);
    Server s(tmp, {run});
    ASSERT_GT(s.port, 0) << read_file(s.err);
    Reply info = get(s.port, "/run/model.json");
    EXPECT_NE(info.text.find("\"epoch\":\"1\""), std::string::npos) << info.text;
    EXPECT_NE(info.text.find("\"losses.svg\":false"), std::string::npos) << info.text;
    EXPECT_EQ(get(s.port, "/run/losses.svg").status, "HTTP/1.1 404 Not Found");
    const std::string onnx1 = get(s.port, "/run/G.onnx").text;

    // The run trains on: epoch 2's generator, and the report's files.
    save_epoch(run, 2, 2);
    write_file(run + "/losses.svg", "<svg/>");
    info = get(s.port, "/run/model.json");
    EXPECT_NE(info.text.find("\"epoch\":\"2\""), std::string::npos) << info.text;
    EXPECT_NE(info.text.find("\"losses.svg\":true"), std::string::npos) << info.text;
    const Reply svg = get(s.port, "/run/losses.svg");
    EXPECT_EQ(svg.status, "HTTP/1.1 200 OK");
    EXPECT_EQ(svg.text.substr(svg.text.size() - 6), "<svg/>");
    const std::string onnx2 = get(s.port, "/run/G.onnx").text;
    EXPECT_NE(onnx1, onnx2) << "G.onnx must be epoch 2's generator";
    s.p->kill_and_reap(SIGTERM);
}

}  // namespace
