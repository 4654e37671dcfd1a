#pragma once
// The HTTP side of `chunkscope serve` and `chunkscope run --serve`: serves the dashboard page, its
// files (read once at start) and the traces it was given (held in memory, compact encoding). No
// request can name a file: every URL maps to one of those in-memory entries or gets 404, so
// nothing outside the served set is readable (no `..`, absolute paths or symlinks to follow).
// The connection limits, Host check and range limit are LocalHttpServer's (local_http_server.hpp).
#include <cstdint>
#include <memory>
#include <string>

namespace chunkscope::cli {

class DashboardServer {
 public:
  /// Reads the dashboard files from `assets_dir` (throws std::runtime_error naming a missing one).
  DashboardServer(const std::string& assets_dir, const std::string& title, bool live);
  ~DashboardServer();

  /// Adds a trace (already validated) under a display name, as compact bytes, with its findings
  /// (findings_to_json text; the page then skips the analysis).
  void add_trace(const std::string& name, std::string compact, std::string findings_json);
  /// Live runs: progress and the latest snapshot of the growing trace (compact bytes, may be empty).
  void set_live(const std::string& state, std::int64_t done, std::int64_t total, std::string compact_snapshot);

  /// Answers requests whatever host name their Host header gives (`serve --allow-remote`); by
  /// default only 127.0.0.1, localhost and [::1] with the served port are answered (others: 421).
  void allow_any_host();
  /// Binds host:port (port 0 = any free port) on a port no other socket may share; returns the
  /// port. Throws std::runtime_error naming host:port ("port in use" when another server has it).
  int bind(const std::string& host, int port);
  /// Serves on a background thread until stop().
  void start();
  /// Serves on this thread until stop() (e.g. from a signal handler through request_stop()).
  void serve_forever();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// True for 127.0.0.1, ::1 and localhost.
bool is_loopback(const std::string& host);

}  // namespace chunkscope::cli
