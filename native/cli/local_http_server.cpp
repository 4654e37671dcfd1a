// LocalHttpServer (local_http_server.hpp): the connection loop, request checks and worker pool
// that cpp-httplib 0.11's Server lacks for a page served to the local user only.
#include "local_http_server.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace chunkscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A thread per connection up to `max` threads (kept for the next connections); beyond that the
// connections wait in a queue. httplib's own pool has max(8, cores - 1) threads, so eight idle
// clients were enough to keep a ninth waiting.
class WorkerPool : public httplib::TaskQueue {
 public:
  explicit WorkerPool(size_t max) : max_(max) {}

  void enqueue(std::function<void()> fn) override {
    std::lock_guard lk(m_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && threads_.size() < max_)
      threads_.emplace_back([this] { work(); });
    else
      cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lk(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();  // threads_ only grows on the accepting thread, which calls this
  }

 private:
  void work() {
    std::unique_lock lk(m_);
    for (;;) {
      ++idle_;
      cv_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // stopping, and every queued connection served
      auto fn = std::move(jobs_.front());
      jobs_.pop_front();
      lk.unlock();
      fn();
      lk.lock();
    }
  }

  const size_t max_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

// Waits up to `ms` (<= 0: no wait) for `events` on `sock`; true when ready.
bool wait_for(socket_t sock, short events, long long ms) {
  pollfd p{sock, events, 0};
  int n;
  do n = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(ms, 0, 60'000)));
  while (n < 0 && errno == EINTR);
  return n > 0 && (p.revents & (events | POLLHUP | POLLERR));
}

void address_text(const sockaddr_storage& a, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

// One connection's socket for httplib's request parser: buffered reads that fail once the
// current request's deadline has passed, writes that give up after `write_timeout_s` without
// progress.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(socket_t sock, time_t write_timeout_s) : sock_(sock), write_timeout_ms_(write_timeout_s * 1000) {}

  void set_deadline(Clock::time_point d) { deadline_ = d; }
  bool has_buffered() const { return off_ < len_; }

  bool is_readable() const override { return has_buffered() || wait_for(sock_, POLLIN, ms_left()); }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      if (!wait_for(sock_, POLLIN, ms_left())) return -1;
      ssize_t got;
      do got = ::recv(sock_, buf_, sizeof buf_, 0);
      while (got < 0 && errno == EINTR);
      if (got <= 0) return got;
      off_ = 0;
      len_ = static_cast<size_t>(got);
    }
    const size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_ + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t sent;
    do sent = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t n = sizeof a;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&a), &n) == 0) address_text(a, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t n = sizeof a;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&a), &n) == 0) address_text(a, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  long long ms_left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
  }

  socket_t sock_;
  long long write_timeout_ms_;
  Clock::time_point deadline_ = Clock::now();
  char buf_[4096];
  size_t off_ = 0, len_ = 0;
};

// httplib hands the pre-routing handler the request it owns (a non-const object) as const, and
// would still cut our refusal's body into the requested ranges; a refusal is sent whole.
void drop_ranges(const httplib::Request& req) { const_cast<httplib::Request&>(req).ranges.clear(); }

void refuse(const httplib::Request& req, httplib::Response& res, int status, const std::string& why) {
  drop_ranges(req);
  res.status = status;
  res.set_content(why + "\n", "text/plain; charset=utf-8");
}

}  // namespace

bool is_local_host_header(const std::string& host, int port) {
  std::string h = host;
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string name, port_text;
  bool has_port = false;
  if (!h.empty() && h[0] == '[') {
    const auto close = h.find(']');
    if (close == std::string::npos) return false;
    name = h.substr(0, close + 1);
    const std::string rest = h.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = h.find(':');
    name = h.substr(0, colon);
    if (colon != std::string::npos) {
      has_port = true;
      port_text = h.substr(colon + 1);
    }
  }
  if (name != "127.0.0.1" && name != "localhost" && name != "[::1]") return false;
  if (!has_port) return port == 80;
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::stoi(port_text) == port;
}

LocalHttpServer::LocalHttpServer() {
  // SO_REUSEADDR (restart while old connections linger) but not httplib's default SO_REUSEPORT,
  // which let a second server bind the same port and take half of the connections.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  new_task_queue = [] { return new WorkerPool(kMaxWorkers); };
  set_payload_max_length(64 * 1024);  // only GETs are served: no request needs a body
  set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return check_request(req, res); });
}

int LocalHttpServer::bind_local(const std::string& host, int port) {
  const std::string where =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  errno = 0;
  const int p = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  const int err = errno;
  if (p < 0) {
    if (err == EADDRINUSE)
      throw std::runtime_error("cannot listen on " + where +
                               ": port in use (another program listens there; --port 0 picks a free port)");
    throw std::runtime_error("cannot listen on " + where +
                             (err ? std::string(": ") + std::strerror(err) : std::string()));
  }
  port_ = p;
  return p;
}

httplib::Server::HandlerResponse LocalHttpServer::check_request(const httplib::Request& req,
                                                                httplib::Response& res) const {
  if (!any_host_ &&
      (req.get_header_value_count("Host") != 1 || !is_local_host_header(req.get_header_value("Host"), port_))) {
    const std::string p = std::to_string(port_);
    refuse(
        req, res, 421,
        "misdirected request: this server answers to 127.0.0.1:" + p + ", localhost:" + p + " or [::1]:" + p + " only");
    return HandlerResponse::Handled;
  }
  if (req.ranges.size() > 1) {
    refuse(req, res, 416, "several byte ranges in one request are not served; ask for one range at a time");
    return HandlerResponse::Handled;
  }
  return HandlerResponse::Unhandled;
}

bool LocalHttpServer::process_and_close_socket(socket_t sock) {
  // httplib's loop, with a deadline for each request's head instead of a timeout per read (which
  // a client sending a byte every few seconds never hits) and idle waits that end on stop().
  ConnectionStream strm(sock, write_timeout_sec_);
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    bool readable = strm.has_buffered();
    for (auto idle_end = Clock::now() + std::chrono::seconds(kIdleSeconds); !readable && Clock::now() < idle_end;) {
      if (svr_sock_ == INVALID_SOCKET) break;
      readable = wait_for(sock, POLLIN, 100);
    }
    if (!readable) break;
    strm.set_deadline(Clock::now() + std::chrono::seconds(kRequestHeadSeconds));
    bool closed = false;
    ok = process_request(strm, left == 1, closed, nullptr);
    if (!ok || closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace chunkscope::cli
