#pragma once
// The Executor interface shared by the CPU and CUDA executors.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/exec/buffer.hpp"
#include "chunkscope/exec/observer.hpp"

namespace chunkscope {

/// Options of one run.
struct RunOptions {
  int threads = 0;                            ///< workers; 0 = number of cores
  std::int64_t memory_limit = 0;              ///< bytes of live chunks allowed; 0 = no limit
  ExecutionObserver* observer = nullptr;      ///< e.g. a Recorder; not owned
  const std::atomic<bool>* cancel = nullptr;  ///< set to true to cancel (Ctrl-C); not owned
  /// Called about every 100 ms from the calling thread with (tasks done, tasks total).
  std::function<void(std::int64_t, std::int64_t)> progress;
  /// In-memory outputs up to this many bytes are assembled into contiguous arrays.
  std::int64_t max_output_bytes = 256LL << 20;
};

/// A pipeline output kept in memory.
struct OutputArray {
  int layer = -1;
  ArrayMeta meta;                    ///< shape and dtype (chunks: one chunk)
  Buffer data;                       ///< C-order elements; empty if larger than max_output_bytes
  double sum = 0, min = 0, max = 0;  ///< summary over all elements (as float64)
  bool has_data() const { return data.size() > 0 || meta.size() == 0; }
};

/// What a run produced.
struct RunResult {
  RunStatus status = RunStatus::Ok;
  std::string error;  ///< one line naming the layer and chunk when failed
  int failed_layer = -1;
  std::int64_t failed_chunk = -1;
  std::int64_t wall_ns = 0;
  std::int64_t peak_bytes = 0;
  std::int64_t tasks_run = 0;
  std::vector<OutputArray> outputs;  ///< in-memory outputs, in the order of Graph::outputs()
  bool ok() const { return status == RunStatus::Ok; }
};

/// Runs a Graph's tasks. Implementations: CpuExecutor (exec/), CudaExecutor (gpu/).
///
///   CpuExecutor ex;
///   Recorder rec;
///   RunOptions opt; opt.observer = &rec;
///   RunResult r = ex.run(graph, opt);
///   Trace t = rec.trace();
class Executor {
 public:
  virtual ~Executor() = default;
  /// "cpu", "cuda".
  virtual std::string name() const = 0;
  /// Runs every task once. Never throws for kernel errors: they end the run with status
  /// "failed" and an error naming the layer and chunk. Throws InputError when the run cannot
  /// start (a task that can never fit the memory limit), before any task runs, and
  /// std::bad_alloc when memory runs out outside the tasks (e.g. a worker thread's stack).
  virtual RunResult run(const Graph& graph, const RunOptions& options) = 0;
};

}  // namespace chunkscope
