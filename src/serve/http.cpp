// See http.h. POSIX sockets, one detached thread per connection, no keep-alive.
#include "serve/http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
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
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 414: return "URI Too Long";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
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
bool send_all(int fd, const char* data, size_t size) {
    size_t off = 0;
    while (off < size) {
        ssize_t n = ::send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += size_t(n);
    }
    return true;
}

bool send_all(int fd, const std::string& data) { return send_all(fd, data.data(), data.size()); }

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
    return int(std::max<long long>(0, std::min<long long>(ms, 1 << 30)));
}

// The numeric text of a socket address ("127.0.0.1", "::1"); an IPv4-mapped IPv6 address as IPv4.
std::string address_text(const sockaddr_storage& sa) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (sa.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(sa).sin_addr, buf, sizeof buf);
    } else if (sa.ss_family == AF_INET6) {
        const in6_addr& a = reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a)) ::inet_ntop(AF_INET, a.s6_addr + 12, buf, sizeof buf);
        else ::inet_ntop(AF_INET6, &a, buf, sizeof buf);
    }
    return buf;
}

bool is_loopback_text(const std::string& h) {
    in_addr a4{};
    in6_addr a6{};
    if (::inet_pton(AF_INET, h.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return ::inet_pton(AF_INET6, h.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

bool http_host_allowed(const std::string& host, const std::set<std::string>& addresses) {
    if (host.empty()) return true;
    std::string h = lower(host), port;
    if (h[0] == '[') {  // "[::1]:8000"
        const size_t close = h.find(']');
        if (close == std::string::npos) return false;
        port = h.substr(close + 1);
        h = h.substr(1, close - 1);
        if (!port.empty() && (port[0] != ':' || !all_digits(port.substr(1)))) return false;
    } else if (const size_t colon = h.find(':'); colon != std::string::npos) {
        if (!all_digits(h.substr(colon + 1))) return false;
        h = h.substr(0, colon);
    }
    if (h == "localhost" || is_loopback_text(h)) return true;
    for (const std::string& a : addresses)
        if (!a.empty() && lower(a) == h) return true;
    return false;
}

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
    bool seen_host = false;
    req.host.clear();
    size_t pos = eol == std::string::npos ? head.size() : eol + 1;
    while (pos < head.size()) {
        size_t next = head.find('\n', pos);
        std::string h = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (!h.empty() && h.back() == '\r') h.pop_back();
        pos = next == std::string::npos ? head.size() : next + 1;
        if (h.empty()) continue;
        size_t colon = h.find(':');
        if (colon == std::string::npos || !is_token(h.substr(0, colon))) return 400;
        if (lower(h.substr(0, colon)) == "host") {
            if (seen_host) return 400;  // two Hosts: which one the client meant is anyone's guess
            seen_host = true;
            const size_t b = h.find_first_not_of(" \t", colon + 1), e = h.find_last_not_of(" \t");
            req.host = b == std::string::npos ? "" : h.substr(b, e - b + 1);
            if (req.host.empty()) return 400;
        }
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

HttpFolder::HttpFolder(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    GAN_CHECK(fd_ >= 0, path_, ": cannot open: ", std::strerror(errno));
}

HttpFolder::~HttpFolder() { ::close(fd_); }

void HttpRoutes::add_file(const std::string& url_path, const std::string& file_path) {
    routes_[url_path] = Route{file_path, nullptr, nullptr, nullptr, http_content_type(url_path)};
}

void HttpRoutes::add_file_in(const std::string& url_path, std::shared_ptr<const HttpFolder> folder,
                             const std::string& name) {
    routes_[url_path] = Route{name, std::move(folder), nullptr, nullptr, http_content_type(url_path)};
}

void HttpRoutes::add_bytes(const std::string& url_path, std::string bytes, std::string content_type) {
    if (content_type.empty()) content_type = http_content_type(url_path);
    routes_[url_path] = Route{"", nullptr, std::make_shared<const std::string>(std::move(bytes)), nullptr, content_type};
}

void HttpRoutes::add_made(const std::string& url_path, MakeBytes make, std::string content_type) {
    if (content_type.empty()) content_type = http_content_type(url_path);
    routes_[url_path] = Route{"", nullptr, nullptr, std::move(make), content_type};
}

HttpContent HttpRoutes::lookup(const std::string& url_path, uint64_t max_file_bytes) const {
    HttpContent c;
    auto it = routes_.find(url_path);
    if (it == routes_.end()) return c;
    const Route& r = it->second;
    c.content_type = r.content_type;
    if (r.bytes) {
        c.bytes = r.bytes;
    } else if (r.make) {
        try {
            c.bytes = r.make();
        } catch (const std::exception&) {  // the run's checkpoint is being replaced, or is bad: say so
            c.status = 500;
            return c;
        }
        if (!c.bytes) return c;
    } else {
        // Opened at request time: the run's files are rewritten (atomically) while it trains. Missing is
        // 404; what FileReader refuses (a link out of the folder, a device, a FIFO) and oversized is 403.
        const int dir = r.folder ? r.folder->fd() : AT_FDCWD;
        struct stat st {};
        if (::fstatat(dir, r.file.c_str(), &st, r.folder ? AT_SYMLINK_NOFOLLOW : 0) != 0)
            return c;
        try {
            c.file = r.folder ? std::make_unique<FileReader>(dir, r.file, r.folder->path() + "/" + r.file)
                              : std::make_unique<FileReader>(r.file);
        } catch (const Error&) {
            c.status = 403;
            return c;
        }
        if (c.file->size() > max_file_bytes) {
            c.file.reset();
            c.status = 403;
            return c;
        }
    }
    c.status = 200;
    return c;
}

std::string http_response_head(int status, uint64_t content_length, const std::string& content_type) {
    return str("HTTP/1.1 ", status, " ", reason(status), "\r\n", "Content-Type: ", content_type, "\r\n",
               "Content-Length: ", content_length, "\r\n",
               // Local files only, always fresh, never sniffed into another type.
               "Cache-Control: no-store\r\n", "X-Content-Type-Options: nosniff\r\n",
               status == 405 ? "Allow: GET, HEAD\r\n" : "", "Connection: close\r\n\r\n");
}

std::string http_error_response(int status, bool head_only) {
    const std::string body = str(status, " ", reason(status), "\n");
    std::string out = http_response_head(status, body.size(), "text/plain; charset=utf-8");
    if (!head_only) out += body;
    return out;
}

HttpServer::HttpServer(const std::string& host, int port, HttpRoutes routes, HttpLimits limits)
    : routes_(std::move(routes)), limits_(limits) {
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
            bound_address_ = address_text(sa);
            loopback_ = is_loopback_text(bound_address_);
            listen_fd_ = fd;
            break;
        }
        err = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(res);
    GAN_CHECK(listen_fd_ >= 0, "cannot listen on ", host, ":", port, ": ", err);
    // Non-blocking: a client that gives up between poll() and accept() must not block the loop.
    ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
}

HttpServer::~HttpServer() {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    // Detached connection threads use *this: close their sockets and wait for them to end.
    stopping_.store(true);
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard<std::mutex> lock(mu_);  // the last thread has left the lock too
}

void HttpServer::end_connection(int fd, const std::string& client) {
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(fd);
    ::close(fd);  // under the lock: a stop never shuts down a number reused by a new connection
    if (--per_client_[client] <= 0) per_client_.erase(client);
    active_.fetch_sub(1);
}

void HttpServer::serve(const std::atomic<bool>& stop) {
    while (!stop.load()) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;  // wake up to look at stop (Ctrl-C) even with no traffic
        sockaddr_storage peer{}, local{};
        socklen_t peer_len = sizeof peer, local_len = sizeof local;
        int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
        if (fd < 0) continue;  // the client gave up, or no fd left: keep serving
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
        const std::string client = address_text(peer), local_address = address_text(local);
        timeval tv{limits_.send_timeout_ms / 1000, (limits_.send_timeout_ms % 1000) * 1000};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        bool full;
        {
            std::lock_guard<std::mutex> lock(mu_);
            full = active_.load() >= limits_.max_connections || per_client_[client] >= limits_.max_per_client;
            if (full) {
                if (per_client_[client] == 0) per_client_.erase(client);
            } else {
                open_fds_.insert(fd);
                ++per_client_[client];
                active_.fetch_add(1);
            }
        }
        if (full) {  // answered at once and without waiting: the loop never blocks on one client
            const std::string busy = http_error_response(503, false);
            ::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            // Read what already came (without waiting), so that close() does not reset the connection
            // before the client has read the answer.
            char sink[4096];
            ::shutdown(fd, SHUT_WR);
            while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
            }
            ::close(fd);
            continue;
        }
        try {
            std::thread([this, fd, client, local_address] {
                try {
                    handle(fd, local_address);
                } catch (...) {  // out of memory or the like: drop this connection, keep the server
                }
                end_connection(fd, client);
            }).detach();
        } catch (...) {  // no thread left: answer nothing, close
            end_connection(fd, client);
        }
    }
    // Stop: wake every connection (its poll/recv/send returns at once) and give them a moment to end.
    stopping_.store(true);
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    const auto give_up = Clock::now() + std::chrono::milliseconds(limits_.stop_timeout_ms);
    while (active_.load() > 0 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void HttpServer::handle(int fd, const std::string& local_address) {
    // Read the head: up to the blank line, all of it before the deadline, refusing it early once it
    // cannot fit the limits.
    const auto deadline = Clock::now() + std::chrono::milliseconds(limits_.head_timeout_ms);
    std::string head;
    char buf[1 << 16];
    int status = 0;
    size_t end = std::string::npos;
    while (true) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, ms_until(deadline));
        if (stopping_.load()) return;
        if (ready < 0 && errno == EINTR) continue;
        ssize_t n = ready > 0 ? ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) : -1;
        if (n < 0 && (errno == EINTR || errno == EAGAIN) && ready > 0) continue;
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
    if (status == 0 && !http_host_allowed(req.host, {bound_address_, local_address})) status = 403;
    HttpContent c;
    if (status == 0) {
        c = routes_.lookup(req.path == "/" ? "/index.html" : req.path, limits_.max_file_bytes);
        status = c.status;
    }
    requests_.fetch_add(1);
    const bool head_only = req.method == "HEAD";
    if (status != 200) {
        send_all(fd, http_error_response(status, head_only));
    } else if (c.bytes) {
        if (send_all(fd, http_response_head(200, c.bytes->size(), c.content_type)) && !head_only)
            send_all(fd, *c.bytes);
    } else {
        // The file in pieces of buf's size: memory stays flat whatever its size. A file that shrinks
        // meanwhile ends the connection early, which the client sees as a short body.
        bool ok = send_all(fd, http_response_head(200, c.file->size(), c.content_type)) && !head_only;
        for (uint64_t off = 0; ok && off < c.file->size() && !stopping_.load();) {
            const size_t n = size_t(std::min<uint64_t>(sizeof buf, c.file->size() - off));
            try {
                c.file->read_at(off, buf, n);
            } catch (const Error&) {
                return;
            }
            ok = send_all(fd, buf, n);
            off += n;
        }
    }
    ::shutdown(fd, SHUT_WR);
    // Drain what the client still sends (the rest of an overlong line, a body) for a moment, so close()
    // does not reset the connection before the client has read the answer.
    const auto drain_end = Clock::now() + std::chrono::seconds(1);
    for (size_t drained = 0; drained < (1u << 20) && !stopping_.load();) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms_until(drain_end)) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) break;
        drained += size_t(n);
    }
}

}  // namespace gan
