// See http.h: request parsing, the path and Host checks, and the routes (http_server.cpp: the server).
#include "serve/http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

bool http_is_loopback(const std::string& h) {
    in_addr a4{};
    in6_addr a6{};
    if (::inet_pton(AF_INET, h.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return ::inet_pton(AF_INET6, h.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

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
    if (h == "localhost" || http_is_loopback(h)) return true;
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
    fd_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    GAN_CHECK(fd_.is_open(), path_, ": cannot open: ", std::strerror(errno));
}

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

}  // namespace gan
