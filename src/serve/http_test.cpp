// serve/http.h: request parsing, the path checks that keep requests inside the allow-list, the Host
// allow-list, and a live server on a free port answering raw requests (good, traversing, malformed,
// overlong) and staying up; files that are links, FIFOs or too large refused; slow clients held to the
// head deadline and the per-client limit while others are answered; a stop that ends slow clients.
#include "serve/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "core/check.h"
#include "test_util.h"

namespace {

int parse(const std::string& head) {
    gan::HttpRequest r;
    return gan::http_parse_request(head, r);
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A connected socket to 127.0.0.1:port from the loopback address `from` (127.0.0.2 is another client
// address on the same machine); -1 when it cannot connect.
int connect_from(int port, const char* from = "127.0.0.1") {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &src.sin_addr);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Everything the server sends on fd until it closes (or timeout_s passes).
std::string read_all(int fd, double timeout_s = 30) {
    std::string out;
    char buf[4096];
    const auto end = Clock::now() + std::chrono::duration<double>(timeout_s);
    while (Clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, size_t(n));
    }
    return out;
}

// Sends raw bytes to 127.0.0.1:port, returns everything the server answered.
std::string roundtrip(int port, const std::string& request, const char* from = "127.0.0.1") {
    int fd = connect_from(port, from);
    if (fd < 0) return "connect failed";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    std::string out = read_all(fd);
    ::close(fd);
    return out;
}

std::string get(int port, const std::string& path, const char* from = "127.0.0.1") {
    return roundtrip(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n", from);
}

// A server on a free port of 127.0.0.1 serving routes in a thread until destroyed.
struct LiveServer {
    gan::HttpServer server;
    std::atomic<bool> stop{false};
    std::thread thread;
    LiveServer(gan::HttpRoutes routes, gan::HttpLimits limits = {})
        : server("127.0.0.1", 0, std::move(routes), limits), thread([this] { server.serve(stop); }) {}
    ~LiveServer() {
        stop = true;
        thread.join();
    }
    int port() const { return server.port(); }
};

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

}  // namespace

TEST(Http, SafePaths) {
    EXPECT_EQ(gan::http_safe_path("/"), "/");
    EXPECT_EQ(gan::http_safe_path("/index.html"), "/index.html");
    EXPECT_EQ(gan::http_safe_path("/run/G.onnx?x=../y#z"), "/run/G.onnx");
    EXPECT_EQ(gan::http_safe_path("/ort/ort%2Ewasm.min.js"), "/ort/ort.wasm.min.js");
    for (const char* bad : {"", "index.html", "http://x/index.html", "*", "/../config.json", "/run/../x",
                            "/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd", "//etc/passwd", "/web/..%2f..%2f",
                            "/a/./b", "/a//b", "/a/", "/a\\..\\b", "/%5c", "/%00", "/%2", "/%zz", "/%252e%252e/",
                            "/a%20b", "/\x01", "/caf\xc3\xa9"})
        EXPECT_EQ(gan::http_safe_path(bad), "") << bad;
}

TEST(Http, ParsesRequests) {
    gan::HttpRequest r;
    ASSERT_EQ(gan::http_parse_request("GET /app.js HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n", r), 0);
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.path, "/app.js");
    EXPECT_EQ(parse("HEAD / HTTP/1.0\n"), 0);
    EXPECT_EQ(parse("POST / HTTP/1.1\r\n"), 405);
    EXPECT_EQ(parse("GET / HTTP/2.0\r\n"), 505);
    EXPECT_EQ(parse("GET / FTP/1.0\r\n"), 400);
    EXPECT_EQ(parse("GET /\r\n"), 400);
    EXPECT_EQ(parse("GET  / HTTP/1.1\r\n"), 400);
    EXPECT_EQ(parse("GET / HTTP/1.1 x\r\n"), 400);
    EXPECT_EQ(parse(""), 400);
    EXPECT_EQ(parse("\r\n"), 400);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nno colon\r\n"), 400);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\n: empty name\r\n"), 400);
    EXPECT_EQ(parse("GET /../x HTTP/1.1\r\n"), 400);
    EXPECT_EQ(parse("GET /" + std::string(gan::kMaxRequestLine, 'a') + " HTTP/1.1\r\n"), 414);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: " + std::string(gan::kMaxRequestHead, 'a') + "\r\n"), 431);
}

TEST(Http, ContentTypes) {
    EXPECT_EQ(gan::http_content_type("/a.wasm"), "application/wasm");
    EXPECT_EQ(gan::http_content_type("/ort/x.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(gan::http_content_type("/run/losses.svg"), "image/svg+xml");
    EXPECT_EQ(gan::http_content_type("/x"), "application/octet-stream");
}

TEST(Http, ServesTheAllowListOnlyAndSurvivesBadRequests) {
    gan::HttpRoutes routes;
    routes.add_bytes("/index.html", "<p>hi</p>");
    routes.add_file("/missing.svg", "/nonexistent/file.svg");
    gan::HttpServer server("127.0.0.1", 0, std::move(routes));
    ASSERT_GT(server.port(), 0);
    std::atomic<bool> stop{false};
    std::thread t([&] { server.serve(stop); });
    const int port = server.port();

    std::string ok = roundtrip(port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    EXPECT_EQ(status_line(ok), "HTTP/1.1 200 OK");
    EXPECT_NE(ok.find("Content-Length: 9\r\n"), std::string::npos);
    EXPECT_EQ(ok.substr(ok.size() - 9), "<p>hi</p>");
    std::string head = roundtrip(port, "HEAD /index.html HTTP/1.1\r\n\r\n");
    EXPECT_EQ(status_line(head), "HTTP/1.1 200 OK");
    EXPECT_EQ(head.find("<p>"), std::string::npos);
    EXPECT_EQ(status_line(roundtrip(port, "GET /missing.svg HTTP/1.1\r\n\r\n")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(roundtrip(port, "GET /etc/passwd HTTP/1.1\r\n\r\n")), "HTTP/1.1 404 Not Found");
    for (const char* bad : {"GET /../config.json HTTP/1.1\r\n\r\n", "GET /%2e%2e/etc/passwd HTTP/1.1\r\n\r\n",
                            "GET //etc/passwd HTTP/1.1\r\n\r\n", "GET /web/..%2f..%2f HTTP/1.1\r\n\r\n",
                            "GET \\..\\x HTTP/1.1\r\n\r\n", "garbage\r\n\r\n", "\x16\x03\x01\x02\x00\r\n\r\n"})
        EXPECT_EQ(status_line(roundtrip(port, bad)), "HTTP/1.1 400 Bad Request") << bad;
    EXPECT_EQ(status_line(roundtrip(port, "DELETE / HTTP/1.1\r\n\r\n")), "HTTP/1.1 405 Method Not Allowed");
    const std::string long_run(100000, 'a');  // (outside the macros: its comma would split their arguments)
    EXPECT_EQ(status_line(roundtrip(port, "GET /" + long_run)), "HTTP/1.1 414 URI Too Long");
    EXPECT_EQ(status_line(roundtrip(port, "GET / HTTP/1.1\r\nX: " + long_run)),
              "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(status_line(roundtrip(port, "GET / HTTP/1.1\r\n")), "HTTP/1.1 400 Bad Request");  // cut short
    EXPECT_EQ(roundtrip(port, ""), "");  // connected and closed: no answer, no harm
    EXPECT_EQ(status_line(roundtrip(port, "GET / HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK");  // still up
    stop = true;
    t.join();
    EXPECT_GE(server.requests(), 15u);
}

TEST(Http, RefusesABadAddress) {
    EXPECT_THROW({ gan::HttpServer s("256.1.1.1", 0, gan::HttpRoutes{}); }, gan::Error);
    EXPECT_THROW({ gan::HttpServer s("127.0.0.1", 70000, gan::HttpRoutes{}); }, gan::Error);
}

TEST(Http, HostAllowList) {
    const std::set<std::string> bound = {"10.1.2.3", "::ffff:1"};
    for (const char* ok : {"", "localhost", "LocalHost:8000", "127.0.0.1", "127.0.0.1:1", "127.9.8.7:80", "[::1]",
                           "[::1]:8000", "10.1.2.3", "10.1.2.3:8000"})
        EXPECT_TRUE(gan::http_host_allowed(ok, bound)) << ok;
    for (const char* bad : {"evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io",
                            "10.1.2.4", "[::2]", "[::1", "[::1]x", "localhost:80x", "128.0.0.1", "0.0.0.0"})
        EXPECT_FALSE(gan::http_host_allowed(bad, bound)) << bad;
    gan::HttpRequest r;
    ASSERT_EQ(gan::http_parse_request("GET / HTTP/1.1\r\nhOsT:  a.b:1 \r\n", r), 0);
    EXPECT_EQ(r.host, "a.b:1");
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n"), 400);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost:\r\n"), 400);
}

TEST(Http, AnswersOnlyHostsOfThisMachine) {
    gan::HttpRoutes routes;
    routes.add_bytes("/index.html", "<p>hi</p>");
    LiveServer s(std::move(routes));
    EXPECT_TRUE(s.server.loopback());
    const std::string port = std::to_string(s.port());
    for (const std::string& host : std::vector<std::string>{"localhost:" + port, "127.0.0.1:" + port, "127.0.0.1"})
        EXPECT_EQ(status_line(roundtrip(s.port(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n")),
                  "HTTP/1.1 200 OK") << host;
    // A page of evil.example whose name was rebound to 127.0.0.1 sends its own name.
    for (const std::string& host : std::vector<std::string>{"evil.example:" + port, "evil.example"})
        EXPECT_EQ(status_line(roundtrip(s.port(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n")),
                  "HTTP/1.1 403 Forbidden") << host;
    EXPECT_EQ(status_line(roundtrip(s.port(), "GET / HTTP/1.0\r\n\r\n")), "HTTP/1.1 200 OK");  // no Host
}

TEST(Http, ServesOnlyRegularFilesInsideTheFolderAndStreamsThem) {
    gan::testing::TempFolder tmp("gan_http_files");
    const std::string run = tmp.path + "/run", outside = tmp.path + "/secret.txt";
    std::filesystem::create_directories(run);
    gan::testing::write_file(outside, "secret");
    gan::testing::write_file(run + "/config.json", "{}");
    std::string big(5 << 20, 0);  // several pieces of the server's buffer, each piece different
    for (size_t i = 0; i < big.size(); ++i) big[i] = char((i * 2654435761u) >> 24);
    gan::testing::write_file(run + "/progress.gif", big);
    std::filesystem::create_symlink(outside, run + "/losses.svg");
    std::filesystem::create_symlink("/dev/zero", run + "/zero.svg");
    ASSERT_EQ(::mkfifo((run + "/fifo.svg").c_str(), 0600), 0);
    gan::testing::write_file(run + "/large.gif", std::string(2000, 'x'));
    auto folder = std::make_shared<const gan::HttpFolder>(run);
    gan::HttpRoutes routes;
    for (const char* f : {"config.json", "progress.gif", "losses.svg", "zero.svg", "fifo.svg", "large.gif", "none.svg"})
        routes.add_file_in(std::string("/run/") + f, folder, f);
    routes.add_file("/web.txt", outside);  // add_file: the program's own files, links followed
    gan::HttpLimits limits;
    limits.max_file_bytes = 1 << 23;
    LiveServer s(std::move(routes), limits);

    EXPECT_EQ(status_line(get(s.port(), "/run/config.json")), "HTTP/1.1 200 OK");
    const std::string gif = get(s.port(), "/run/progress.gif");
    ASSERT_EQ(status_line(gif), "HTTP/1.1 200 OK");
    EXPECT_NE(gif.find("Content-Length: " + std::to_string(big.size()) + "\r\n"), std::string::npos);
    EXPECT_TRUE(gif.size() >= big.size() && gif.compare(gif.size() - big.size(), big.size(), big) == 0);
    EXPECT_EQ(status_line(get(s.port(), "/web.txt")), "HTTP/1.1 200 OK");
    const auto t0 = Clock::now();
    for (const char* refused : {"/run/losses.svg", "/run/zero.svg", "/run/fifo.svg"})
        EXPECT_EQ(status_line(get(s.port(), refused)), "HTTP/1.1 403 Forbidden") << refused;
    EXPECT_LT(seconds_since(t0), 10) << "a FIFO must be refused, not waited on";
    EXPECT_EQ(status_line(get(s.port(), "/run/none.svg")), "HTTP/1.1 404 Not Found");

    // A link swapped in after the start is refused too: the file is opened at each request.
    std::filesystem::remove(run + "/config.json");
    std::filesystem::create_symlink(outside, run + "/config.json");
    const std::string swapped = get(s.port(), "/run/config.json");
    EXPECT_EQ(status_line(swapped), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(swapped.find("secret"), std::string::npos);
    // Larger than the limit: refused before anything is read.
    gan::HttpLimits small = limits;
    small.max_file_bytes = 1000;
    gan::HttpRoutes r2;
    r2.add_file_in("/large.gif", folder, "large.gif");
    LiveServer s2(std::move(r2), small);
    EXPECT_EQ(status_line(get(s2.port(), "/large.gif")), "HTTP/1.1 403 Forbidden");
}

TEST(Http, SlowClientsMeetTheHeadDeadlineAndThePerClientLimitWhileOthersAreAnswered) {
    gan::HttpRoutes routes;
    routes.add_bytes("/index.html", "<p>hi</p>");
    gan::HttpLimits limits;
    limits.head_timeout_ms = 1500;
    limits.max_per_client = 4;
    LiveServer s(std::move(routes), limits);

    // Four slow clients from 127.0.0.1, each sending a byte at a time and never ending its head.
    std::vector<int> slow;
    for (int i = 0; i < 4; ++i) {
        slow.push_back(connect_from(s.port()));
        ASSERT_GE(slow.back(), 0);
        ::send(slow.back(), "G", 1, MSG_NOSIGNAL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // accepted (or not) by now
    // A fifth from the same address is refused at once; another address is answered meanwhile.
    EXPECT_EQ(status_line(get(s.port(), "/")), "HTTP/1.1 503 Service Unavailable");
    EXPECT_EQ(status_line(get(s.port(), "/", "127.0.0.2")), "HTTP/1.1 200 OK");
    // The slow ones keep sending, but the head has one deadline: 408 and closed, however they trickle.
    const auto t0 = Clock::now();
    std::vector<std::string> got(slow.size());
    bool all_closed = false;
    while (!all_closed && seconds_since(t0) < 20) {
        all_closed = true;
        for (size_t i = 0; i < slow.size(); ++i) {
            if (slow[i] < 0) continue;
            all_closed = false;
            ::send(slow[i], "E", 1, MSG_NOSIGNAL);
            char buf[512];
            ssize_t n = ::recv(slow[i], buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) got[i].append(buf, size_t(n));
            if (n == 0 || (n < 0 && errno != EAGAIN)) {
                ::close(slow[i]);
                slow[i] = -1;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int fd : slow)
        if (fd >= 0) ::close(fd);
    EXPECT_TRUE(all_closed) << "slow clients still connected after 20 s";
    for (const std::string& g : got) EXPECT_EQ(status_line(g), "HTTP/1.1 408 Request Timeout");
    EXPECT_EQ(status_line(get(s.port(), "/")), "HTTP/1.1 200 OK");  // their places are free again
}

TEST(Http, StopEndsSlowClientsAtOnce) {
    gan::HttpRoutes routes;
    routes.add_bytes("/index.html", "<p>hi</p>");
    gan::HttpServer server("127.0.0.1", 0, std::move(routes));  // the default 10 s head deadline
    std::atomic<bool> stop{false};
    std::thread t([&] { server.serve(stop); });
    std::vector<int> slow;
    for (int i = 0; i < 3; ++i) {
        slow.push_back(connect_from(server.port()));
        ASSERT_GE(slow.back(), 0);
        ::send(slow.back(), "GET / HT", 8, MSG_NOSIGNAL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto t0 = Clock::now();
    stop = true;
    t.join();
    const double s = seconds_since(t0);
    EXPECT_LT(s, 5) << "serve() must return soon after stop, slow clients or not";
    for (int fd : slow) {
        EXPECT_EQ(read_all(fd, 5), "");  // closed without an answer
        ::close(fd);
    }
}
