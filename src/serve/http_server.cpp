// See http.h: the server. POSIX sockets, one detached thread per connection, no keep-alive.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/check.h"
#include "serve/http.h"

namespace gan {

namespace {

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

}  // namespace

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
            loopback_ = http_is_loopback(bound_address_);
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

// Reads the request head: up to the blank line, all of it before the deadline, refusing it early
// once it cannot fit the limits. Returns 0 with head set, an HTTP status to answer, or -1 when
// there is nothing to answer (an idle connection, a browser's preconnect, closed or timed out; a stop).
int HttpServer::read_head(int fd, std::string& head) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(limits_.head_timeout_ms);
    char buf[4096];
    while (true) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, ms_until(deadline));
        if (stopping_.load()) return -1;
        if (ready < 0 && errno == EINTR) continue;
        ssize_t n = ready > 0 ? ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) : -1;
        if (n < 0 && (errno == EINTR || errno == EAGAIN) && ready > 0) continue;
        if (n <= 0) return head.empty() ? -1 : n < 0 ? 408 : 400;
        head.append(buf, size_t(n));
        size_t crlf = head.find("\r\n\r\n"), lf = head.find("\n\n");
        size_t end = std::min(crlf == std::string::npos ? crlf : crlf + 4, lf == std::string::npos ? lf : lf + 2);
        if (end != std::string::npos) {
            head.resize(end);
            return 0;
        }
        if (head.find('\n') == std::string::npos && head.size() > kMaxRequestLine) return 414;
        if (head.size() > kMaxRequestHead) return 431;
    }
}

void HttpServer::handle(int fd, const std::string& local_address) {
    std::string head;
    int status = read_head(fd, head);
    if (status < 0) return;
    char buf[1 << 16];
    HttpRequest req;
    if (status == 0) status = http_parse_request(head, req);
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
