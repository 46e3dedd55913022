// See http.h. POSIX sockets, one detached thread per connection, no keep-alive.
#include "serve/http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core/check.h"

namespace gan {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

const char* reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 414: return "URI Too Long";
        case 431: return "Request Header Fields Too Large";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        default: return "Error";
    }
}

bool is_token(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f || std::strchr("()<>@,;:\\\"/[]?={}", c)) return false;
    return true;
}

// send() all of data; false when the peer went away or the send timed out. MSG_NOSIGNAL: a closed
// peer must not raise SIGPIPE and kill the server.
bool send_all(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += size_t(n);
    }
    return true;
}

}  // namespace

std::string http_safe_path(const std::string& target) {
    if (target.empty() || target[0] != '/') return {};  // origin form only: no "http://host/...", no "*"
    std::string raw = target.substr(0, target.find_first_of("?#"));
    std::string path;
    for (size_t i = 0; i < raw.size(); ++i) {
        unsigned char c = raw[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\') return {};
        if (c == '%') {
            if (i + 2 >= raw.size()) return {};  // "%" needs two hex digits
            int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
            if (hi < 0 || lo < 0) return {};
            c = static_cast<unsigned char>(hi * 16 + lo);
            i += 2;
            // Decoded, it must still be a plain path character: no %2f-hidden separators or dots that
            // a second decoding would turn into "../", no backslash, NUL or control characters.
            if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '%' || c == '/') return {};
        }
        path += char(c);
    }
    if (path == "/") return path;
    // Every segment between slashes must be non-empty and neither "." nor "..".
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string seg = path.substr(start, end - start);
        if (seg.empty() || seg == "." || seg == "..") return {};
        start = end + 1;
    }
    return path;
}

int http_parse_request(const std::string& head, HttpRequest& req) {
    if (head.size() > kMaxRequestHead) return 431;
    size_t eol = head.find('\n');
    std::string line = head.substr(0, eol);
    if (line.size() > kMaxRequestLine) return 414;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // METHOD SP TARGET SP VERSION, single spaces (RFC 9112 3).
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos || line.find(' ', sp2 + 1) != std::string::npos) return 400;
    req.method = line.substr(0, sp1);
    req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    req.version = line.substr(sp2 + 1);
    if (!is_token(req.method) || req.target.empty()) return 400;
    if (req.version != "HTTP/1.1" && req.version != "HTTP/1.0")
        return req.version.rfind("HTTP/", 0) == 0 ? 505 : 400;
    // Header lines: "name: value", name a token (no space before the colon).
    size_t pos = eol == std::string::npos ? head.size() : eol + 1;
    while (pos < head.size()) {
        size_t next = head.find('\n', pos);
        std::string h = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (!h.empty() && h.back() == '\r') h.pop_back();
        pos = next == std::string::npos ? head.size() : next + 1;
        if (h.empty()) continue;
        size_t colon = h.find(':');
        if (colon == std::string::npos || !is_token(h.substr(0, colon))) return 400;
    }
    if (req.method != "GET" && req.method != "HEAD") return 405;
    req.path = http_safe_path(req.target);
    return req.path.empty() ? 400 : 0;
}

std::string http_content_type(const std::string& path) {
    static const std::pair<const char*, const char*> types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".wasm", "application/wasm"}, {".onnx", "application/octet-stream"},
        {".svg", "image/svg+xml"}, {".gif", "image/gif"}, {".png", "image/png"},
        {".json", "application/json"}, {".ico", "image/x-icon"}};
    for (auto& [ext, type] : types) {
        size_t n = std::strlen(ext);
        if (path.size() >= n && path.compare(path.size() - n, n, ext) == 0) return type;
    }
    return "application/octet-stream";
}

void HttpRoutes::add_file(const std::string& url_path, const std::string& file_path) {
    routes_[url_path] = Route{file_path, nullptr, http_content_type(url_path)};
}

void HttpRoutes::add_bytes(const std::string& url_path, std::string bytes, std::string content_type) {
    if (content_type.empty()) content_type = http_content_type(url_path);
    routes_[url_path] = Route{"", std::make_shared<const std::string>(std::move(bytes)), content_type};
}

int HttpRoutes::lookup(const std::string& url_path, std::string& body, std::string& content_type) const {
    auto it = routes_.find(url_path);
    if (it == routes_.end()) return 404;
    content_type = it->second.content_type;
    if (it->second.bytes) {
        body = *it->second.bytes;
        return 200;
    }
    // Read at request time: the run's losses.svg / progress.gif may be rewritten (atomically) meanwhile.
    std::ifstream f(it->second.file, std::ios::binary);
    if (!f) return 404;
    std::ostringstream ss;
    ss << f.rdbuf();
    if (f.bad()) return 404;
    body = ss.str();
    return 200;
}

std::string http_response(int status, const std::string& body, const std::string& content_type, bool head_only) {
    std::string b = body, type = content_type;
    if (status != 200) {
        b = str(status, " ", reason(status), "\n");
        type = "text/plain; charset=utf-8";
    }
    std::string out = str("HTTP/1.1 ", status, " ", reason(status), "\r\n", "Content-Type: ", type, "\r\n",
                          "Content-Length: ", b.size(), "\r\n",
                          // Local files only, always fresh, never sniffed into another type.
                          "Cache-Control: no-store\r\n", "X-Content-Type-Options: nosniff\r\n",
                          status == 405 ? "Allow: GET, HEAD\r\n" : "", "Connection: close\r\n\r\n");
    if (!head_only) out += b;
    return out;
}

HttpServer::HttpServer(const std::string& host, int port, HttpRoutes routes) : routes_(std::move(routes)) {
    GAN_CHECK(port >= 0 && port <= 65535, "--port ", port, ": not a TCP port (0-65535)");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port_s = std::to_string(port);
    int rc = ::getaddrinfo(host.c_str(), port_s.c_str(), &hints, &res);
    GAN_CHECK(rc == 0 && res, "--host ", host, ": ", rc ? gai_strerror(rc) : "no address");
    std::string err;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
            sockaddr_storage sa{};
            socklen_t len = sizeof sa;
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
            port_ = ntohs(sa.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port
                                                   : reinterpret_cast<sockaddr_in*>(&sa)->sin_port);
            listen_fd_ = fd;
            break;
        }
        err = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(res);
    GAN_CHECK(listen_fd_ >= 0, "cannot listen on ", host, ":", port, ": ", err);
}

HttpServer::~HttpServer() {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    // Detached connection threads use *this: wait for them (each ends within its 10 s timeouts).
    while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void HttpServer::serve(const std::atomic<bool>& stop) {
    while (!stop.load()) {
        pollfd p{listen_fd_, POLLIN, 0};
        int r = ::poll(&p, 1, 200);  // wake up to look at stop (Ctrl-C) even with no traffic
        if (r <= 0) continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;  // the client gave up, or no fd left: keep serving
        timeval tv{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (active_.load() >= kMaxConnections) {
            send_all(fd, http_response(503, "", "", false));
            ::close(fd);
            continue;
        }
        active_.fetch_add(1);
        try {
            std::thread([this, fd] {
                try {
                    handle(fd);
                } catch (...) {  // out of memory or the like: drop this connection, keep the server
                }
                ::close(fd);
                active_.fetch_sub(1);
            }).detach();
        } catch (...) {  // no thread left: answer nothing, close
            ::close(fd);
            active_.fetch_sub(1);
        }
    }
    while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void HttpServer::handle(int fd) {
    // Read the head: up to the blank line, refusing it early once it cannot fit the limits.
    std::string head;
    char buf[4096];
    int status = 0;
    size_t end = std::string::npos;
    while (true) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (head.empty()) return;  // an idle connection (a browser's preconnect) closed or timed out
            status = n < 0 ? 408 : 400;
            break;
        }
        head.append(buf, size_t(n));
        size_t crlf = head.find("\r\n\r\n"), lf = head.find("\n\n");
        end = std::min(crlf == std::string::npos ? crlf : crlf + 4, lf == std::string::npos ? lf : lf + 2);
        if (end != std::string::npos) break;
        if (head.find('\n') == std::string::npos && head.size() > kMaxRequestLine) { status = 414; break; }
        if (head.size() > kMaxRequestHead) { status = 431; break; }
    }
    HttpRequest req;
    if (status == 0) status = http_parse_request(head.substr(0, end), req);
    std::string body, type;
    if (status == 0) status = routes_.lookup(req.path == "/" ? "/index.html" : req.path, body, type);
    requests_.fetch_add(1);
    send_all(fd, http_response(status, body, type, req.method == "HEAD"));
    ::shutdown(fd, SHUT_WR);
    // Drain what the client still sends (the rest of an overlong line, a body) for a moment, so close()
    // does not reset the connection before the client has read the answer.
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (size_t drained = 0; drained < (1u << 20);) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        drained += size_t(n);
    }
}

}  // namespace gan
