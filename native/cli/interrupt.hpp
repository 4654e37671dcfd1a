#pragma once
// Ctrl-C during `chunkscope run` / `demo`.
//
//   std::atomic<bool> cancel{false};
//   RunOptions opt; opt.cancel = &cancel;
//   {
//     InterruptGuard guard(cancel, run_outputs(g, trace_path, html_path));
//     ex.run(g, opt);   // first Ctrl-C: sets `cancel`; kernels stop at their next row or block
//     ...               // the trace is written, marked "cancelled"
//   }                   // the previous SIGINT handler is back
//
// The first SIGINT sets the cancel flag and prints one line. A second SIGINT removes this
// process's temporaries of the given outputs ("<path>.tmp-<pid>" and "<path>.tmp-<pid>.<n>", files
// or folders: the sinks' and write_file_atomic's) and ends the process at once with exit code 130,
// without waiting for the run. The signal handler only stores a flag and writes to a pipe; the
// removal runs on a watcher thread that the guard owns.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "chunkscope/core/graph.hpp"

namespace chunkscope::cli {

/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
inline constexpr int kInterrupted = 130;

/// The final paths a run of `g` may write: its to_npy / to_zarr sinks, the trace and the HTML page
/// (empty paths skipped).
std::vector<std::string> run_outputs(const Graph& g, const std::string& trace_path, const std::string& html_path);

/// Installs the SIGINT handler described above for its lifetime. One at a time per process.
class InterruptGuard {
 public:
  /// `cancel` is the flag handed to the executor (RunOptions::cancel); `outputs` the final paths
  /// whose temporaries a second Ctrl-C removes.
  InterruptGuard(std::atomic<bool>& cancel, std::vector<std::string> outputs);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void watch();
  std::vector<std::string> outputs_;
  int pipe_[2] = {-1, -1};
  void (*previous_)(int) = nullptr;
  std::thread watcher_;
};

/// Removes "<path>.tmp-<this pid>" and "<path>.tmp-<this pid>.<n>" (files or folders). Best effort.
void remove_own_temporaries(const std::string& path);

}  // namespace chunkscope::cli
