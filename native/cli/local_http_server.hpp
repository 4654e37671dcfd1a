#pragma once
// LocalHttpServer: Debian's cpp-httplib server, hardened for a page that only the local user
// should read (`chunkscope serve`, `run --serve`). What it adds to httplib::Server:
//   - Host check: a request whose Host header is not 127.0.0.1, localhost or [::1] with the
//     served port gets 421 (a page on another origin that rebinds its DNS name to 127.0.0.1
//     cannot read the traces). Off with allow_any_host() (`--allow-remote`).
//   - One byte range at most: a Range header with several ranges gets 416 (httplib would build
//     every part in memory; 1,000 ranges of a 1.3 MB trace were 1.3 GB).
//   - A thread per connection, up to kMaxWorkers, and a deadline for each request's head: a
//     client that sends its request line and headers slowly (or not at all) is cut off after
//     kRequestHeadSeconds and never holds the worker that another client needs.
//   - An exclusive port: no SO_REUSEPORT, so a second server on a port in use fails to bind.
//
//   LocalHttpServer svr;
//   svr.Get("/", handler);
//   const int port = svr.bind_local("127.0.0.1", 0);   // throws "... port 8790 in use ..."
//   svr.listen_after_bind();
#include <httplib.h>

#include <atomic>
#include <string>

namespace chunkscope::cli {

class LocalHttpServer : public httplib::Server {
 public:
  static constexpr int kMaxWorkers = 64;         ///< connections served at once; more wait in a queue
  static constexpr int kRequestHeadSeconds = 5;  ///< the request line and headers must arrive within this
  static constexpr int kIdleSeconds = 5;         ///< an idle keep-alive connection is closed after this

  LocalHttpServer();

  /// Serves any Host header (for --allow-remote: the server is then reachable under other names).
  void allow_any_host() { any_host_ = true; }
  /// Binds host:port (0 = any free port) without SO_REUSEPORT and returns the port. Throws
  /// std::runtime_error naming host:port ("port in use" when another socket listens there).
  int bind_local(const std::string& host, int port);

 private:
  bool process_and_close_socket(socket_t sock) override;
  httplib::Server::HandlerResponse check_request(const httplib::Request& req, httplib::Response& res) const;

  bool any_host_ = false;
  std::atomic<int> port_{0};
};

/// True when a Host header value names this machine's loopback address with `port`:
/// 127.0.0.1:port, localhost:port or [::1]:port (case-insensitive; the port may be left out only
/// when it is 80).
bool is_local_host_header(const std::string& host, int port);

}  // namespace chunkscope::cli
