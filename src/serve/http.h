// A small static HTTP/1.1 server for `gan serve`: GET/HEAD of an allow-list of paths, nothing else.
//
// Hand-written on POSIX sockets rather than built on cpp-httplib (Debian's libcpp-httplib-dev 0.11):
// httplib's read timeout applies to each read, not to the whole request head, its fixed thread pool
// has no per-client limit (so slow clients hold every worker while new requests queue), and its stop()
// waits for the workers' reads; every one of those is a limit below, and the parser here is small and
// tested on its own (http_test.cpp, scripts/check_web.sh's hostile requests).
//
// Every URL it answers is named in an HttpRoutes table: a file read at request time, a file inside a
// folder opened once (never through a symbolic link), bytes in memory, or bytes made at request time;
// anything else is 404, so no request can reach a file outside the list whatever it spells (no request
// path is ever joined onto a folder). Requests are checked before the lookup too: the target must be an
// origin-form path ("/a/b", query ignored) whose percent-decoded form has no "..", ".", empty segment
// ("//"), backslash, NUL or control character, else 400; a Host header must name this machine (see
// http_host_allowed), else 403, so a page of another site that a DNS name was rebound to 127.0.0.1
// cannot read the answers. Files are read through FileReader (regular files only, so a device or FIFO
// is refused at once) and sent in pieces, so a large file costs no memory.
//
// Bounds (HttpLimits): the whole request head within head_timeout_ms of the connection's accept (408),
// request line at most 8 KiB (414), head at most 16 KiB (431); at most max_connections connections at
// once and max_per_client from one address (503 above either, answered at once); each send of a
// response within send_timeout_ms; "Connection: close" after each response; once stop is set, every
// open connection is closed and serve() returns within stop_timeout_ms.
// Library code: nothing here prints or exits; errors are thrown as gan::Error.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "io/file.h"

namespace gan {

struct HttpRequest {
    std::string method, target, version;  // "GET", "/index.html?x", "HTTP/1.1"
    std::string path;                     // target's decoded, checked path ("/index.html")
    std::string host;                     // the Host header's value ("" when there is none)
};

// Parses the request head (everything before the blank line; "\r\n" or bare "\n" line ends). Returns 0
// and fills req when it is a well-formed GET or HEAD of a safe path, else the HTTP status to answer:
// 400 (malformed, unsafe path, more than one Host), 405 (other method), 414 (request line too long),
// 431 (head too long), 505 (not HTTP/1.x).
int http_parse_request(const std::string& head, HttpRequest& req);

// The checked path of a request target: percent-decoded, query and fragment dropped. Empty when the
// target is not a safe origin-form path (see the file comment).
std::string http_safe_path(const std::string& target);

// Whether a request's Host header names this machine as it was reached: no Host at all (HTTP/1.0
// clients; browsers always send one), or, with any ":port", "localhost", a loopback address
// (127.0.0.0/8, [::1]), or one of `addresses` (the address bound, the address the connection came
// in on). Anything else is a name that only a browser lured onto another site would send.
bool http_host_allowed(const std::string& host, const std::set<std::string>& addresses);

// Whether a numeric address ("127.0.0.1", "::1") is a loopback one (127.0.0.0/8, ::1).
bool http_is_loopback(const std::string& numeric_address);

// Content-Type by file extension (.html, .js, .mjs, .css, .wasm, .onnx, .svg, .gif, .png, .json, ...).
std::string http_content_type(const std::string& path);

// A folder opened once (O_DIRECTORY); files named in it are opened relative to it, never following a
// link (FileReader's folder form), so a file served from it is inside it when it is opened even if
// the folder's path is later swapped. Throws "<path>: cannot open: ..." when it is not a folder.
class HttpFolder {
  public:
    explicit HttpFolder(std::string path);
    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    UniqueFd fd_;
};

// What a route answers with: status 200 and bytes or an open file, or an error status.
struct HttpContent {
    int status = 404;
    std::string content_type;
    std::shared_ptr<const std::string> bytes;  // the body, or
    std::unique_ptr<FileReader> file;          // the file to send (its size as opened)
};

// What the server answers: URL path -> content, looked up per request.
class HttpRoutes {
  public:
    // A file read when requested (links followed, then a regular file is required).
    void add_file(const std::string& url_path, const std::string& file_path);
    // The file `name` in folder, opened when requested without following links.
    void add_file_in(const std::string& url_path, std::shared_ptr<const HttpFolder> folder, const std::string& name);
    void add_bytes(const std::string& url_path, std::string bytes, std::string content_type = "");
    // Bytes made when requested (the current generator of a run that is training); null means 404.
    // make may throw gan::Error (then 500). It is called from several connections at once.
    using MakeBytes = std::function<std::shared_ptr<const std::string>()>;
    void add_made(const std::string& url_path, MakeBytes make, std::string content_type = "");
    bool has(const std::string& url_path) const { return routes_.count(url_path) > 0; }
    // The content for path: 404 when not listed, or when a listed file is missing; 403 when it is not
    // a regular file (a link out of a folder, a device, a FIFO) or larger than max_file_bytes.
    HttpContent lookup(const std::string& url_path, uint64_t max_file_bytes) const;

  private:
    struct Route {
        std::string file;                          // add_file, add_file_in (the name in folder)
        std::shared_ptr<const HttpFolder> folder;  // add_file_in
        std::shared_ptr<const std::string> bytes;  // add_bytes
        MakeBytes make;                            // add_made
        std::string content_type;
    };
    std::map<std::string, Route> routes_;
};

struct HttpLimits {
    int head_timeout_ms = 10000;  // the whole request head, counted from the accept
    int send_timeout_ms = 10000;  // each send() of the response
    int max_connections = 64;
    int max_per_client = 32;                // connections from one client address at once
    uint64_t max_file_bytes = 1ull << 30;   // larger files are refused (403)
    int stop_timeout_ms = 2000;             // serve() returns this long after stop at the latest
};

inline constexpr size_t kMaxRequestLine = 8192;
inline constexpr size_t kMaxRequestHead = 16384;

class HttpServer {
  public:
    // Binds host:port (an IPv4 or IPv6 address or "localhost"; port 0 picks a free one) and listens.
    // Throws gan::Error naming the address when it cannot.
    HttpServer(const std::string& host, int port, HttpRoutes routes, HttpLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    int port() const { return port_; }
    // Whether the bound address is a loopback one (127.0.0.0/8, ::1): only this machine can connect.
    bool loopback() const { return loopback_; }
    // Accepts and answers connections until stop becomes true (checked every 100 ms), then closes
    // the connections in flight and returns once they have ended (stop_timeout_ms at most).
    void serve(const std::atomic<bool>& stop);
    // Requests answered so far (any status), for tests.
    uint64_t requests() const { return requests_.load(); }

  private:
    int read_head(int fd, std::string& head);
    void handle(int fd, const std::string& local_address);
    void end_connection(int fd, const std::string& client);
    int listen_fd_ = -1;
    int port_ = 0;
    bool loopback_ = false;
    std::string bound_address_;
    HttpRoutes routes_;
    HttpLimits limits_;
    std::atomic<uint64_t> requests_{0};
    // The connections in flight: their sockets (shut down on stop) and how many each address holds.
    std::mutex mu_;
    std::set<int> open_fds_;
    std::map<std::string, int> per_client_;
    std::atomic<int> active_{0};
    std::atomic<bool> stopping_{false};
};

// The head of a response (status line and headers) for status; for an error status the body is a
// one-line text of the status, included here unless head_only.
std::string http_response_head(int status, uint64_t content_length, const std::string& content_type);
std::string http_error_response(int status, bool head_only);

}  // namespace gan
