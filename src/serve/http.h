// A small static HTTP/1.1 server for `gan serve`: GET/HEAD of an allow-list of paths, nothing else.
// Every URL it answers is named in a Routes table (a file on disk, read at request time, or bytes in
// memory); anything else is 404, so no request can reach a file outside the list whatever it spells
// (no path is ever joined onto a folder). Requests are checked before the lookup too: the target must
// be an origin-form path ("/a/b", query ignored) whose percent-decoded form has no "..", ".", empty
// segment ("//"), backslash, NUL or control character, else 400. One thread per connection
// (at most kMaxConnections at once, 503 above), "Connection: close" after each response, a 10 s
// timeout on reading the request, request line at most 8 KiB (414), head at most 16 KiB (431).
// Library code: nothing here prints or exits; errors are thrown as gan::Error.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace gan {

struct HttpRequest {
    std::string method, target, version;  // "GET", "/index.html?x", "HTTP/1.1"
    std::string path;                     // target's decoded, checked path ("/index.html")
};

// Parses the request head (everything before the blank line; "\r\n" or bare "\n" line ends). Returns 0
// and fills req when it is a well-formed GET or HEAD of a safe path, else the HTTP status to answer:
// 400 (malformed, unsafe path), 405 (other method), 414 (request line too long), 431 (head too long),
// 505 (not HTTP/1.x).
int http_parse_request(const std::string& head, HttpRequest& req);

// The checked path of a request target: percent-decoded, query and fragment dropped. Empty when the
// target is not a safe origin-form path (see the file comment).
std::string http_safe_path(const std::string& target);

// Content-Type by file extension (.html, .js, .mjs, .css, .wasm, .onnx, .svg, .gif, .png, .json, ...).
std::string http_content_type(const std::string& path);

// What the server answers: URL path -> a file read when requested, or fixed bytes.
class HttpRoutes {
  public:
    void add_file(const std::string& url_path, const std::string& file_path);
    void add_bytes(const std::string& url_path, std::string bytes, std::string content_type = "");
    // Fills status/body/content type for path; 404 when not listed, or when a listed file cannot be read.
    int lookup(const std::string& url_path, std::string& body, std::string& content_type) const;
    bool has(const std::string& url_path) const { return routes_.count(url_path) > 0; }

  private:
    struct Route {
        std::string file;  // empty: bytes
        std::shared_ptr<const std::string> bytes;
        std::string content_type;
    };
    std::map<std::string, Route> routes_;
};

inline constexpr size_t kMaxRequestLine = 8192;
inline constexpr size_t kMaxRequestHead = 16384;
inline constexpr int kMaxConnections = 64;

class HttpServer {
  public:
    // Binds host:port (an IPv4 address or "localhost"; port 0 picks a free one) and listens.
    // Throws gan::Error naming the address when it cannot.
    HttpServer(const std::string& host, int port, HttpRoutes routes);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    int port() const { return port_; }
    // Accepts and answers connections until stop becomes true (checked every 200 ms), then waits for
    // the connections in flight to finish.
    void serve(const std::atomic<bool>& stop);
    // Requests answered so far (any status), for tests.
    uint64_t requests() const { return requests_.load(); }

  private:
    void handle(int fd);
    int listen_fd_ = -1;
    int port_ = 0;
    HttpRoutes routes_;
    std::atomic<int> active_{0};
    std::atomic<uint64_t> requests_{0};
};

// The full response for status (headers, and body unless head_only) as sent on the wire.
std::string http_response(int status, const std::string& body, const std::string& content_type, bool head_only);

}  // namespace gan
