// serve/http.h: request parsing, the path checks that keep requests inside the allow-list, and a live
// server on a free port answering raw requests (good, traversing, malformed, overlong) and staying up.
#include "serve/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "core/check.h"

namespace {

int parse(const std::string& head) {
    gan::HttpRequest r;
    return gan::http_parse_request(head, r);
}

// Sends raw bytes to 127.0.0.1:port, returns everything the server answered.
std::string roundtrip(int port, const std::string& request) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return "connect failed";
    }
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, size_t(n));
    ::close(fd);
    return out;
}

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

    std::string ok = roundtrip(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
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
