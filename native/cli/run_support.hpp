#pragma once
// Shared by `run` and `demo`: run a pipeline with a recorder, a progress bar and Ctrl-C handling,
// write the trace, print the summary.
#include <cstdint>
#include <string>

#include "chunkscope/core/graph.hpp"

namespace chunkscope::cli {

struct RunRequest {
  int threads = 0;
  std::string executor = "cpu";
  std::int64_t memory_limit = 0;
  std::int64_t device_memory_limit = 0;  ///< --executor cuda: bytes of live device chunks; 0 = 90% of free
  std::string trace_path;                ///< empty = "<pipeline name>.cstrace.json"
  bool no_trace = false;
  int sample_resources_ms = 10;  ///< --sample-resources-ms: RSS and CPU% every N ms into the trace; 0 = off
  bool quiet = false;
  std::string html_path;  ///< --html: write the self-contained dashboard page here at the end
  bool serve = false;     ///< --serve: serve the dashboard live during the run (and after it, until Ctrl-C)
  int port = 8790;        ///< --port for --serve (0 = any free port); kDefaultServePort in commands.hpp
};

/// Runs `g`; returns the exit code (0 ok, 1 run failed, 2 bad input).
int run_pipeline(const Graph& g, const RunRequest& req);

}  // namespace chunkscope::cli
