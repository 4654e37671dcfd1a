#pragma once
// CudaExecutor: runs a Graph on one NVIDIA GPU (issue 8, docs/gpu.md).
#include <cstdint>
#include <string>

#include "chunkscope/exec/executor.hpp"

namespace chunkscope {

/// Options fixed when the executor is made.
struct CudaOptions {
  int device = 0;                        ///< CUDA device ordinal
  std::int64_t device_memory_limit = 0;  ///< bytes of live device chunks; 0 = 90% of the free device memory
};

/// Runs a Graph's tasks on a GPU: one host thread issues tasks in the CPU executor's memory-aware
/// order onto a compute stream; uploads go on a host->device stream and downloads on a
/// device->host stream, so transfers overlap kernels. Chunks stay on the device between device
/// tasks. Layers without a device kernel (reductions, filters, file sources and sinks; see
/// docs/gpu.md) run through exec's CPU kernels on the issuing thread, with explicit transfers.
/// Device memory comes from a pool and is accounted exactly (Trace::device_memory); with a limit,
/// a task whose device bytes do not fit waits, and a task that can never fit makes run() throw
/// InputError before anything runs. Kernel times come from CUDA events.
///
///   std::string why;
///   if (!CudaExecutor::device_available(&why)) return fail(why);
///   CudaExecutor ex({.device_memory_limit = 4LL << 30});
///   Recorder rec;
///   RunOptions o; o.observer = &rec;
///   RunResult r = ex.run(graph, o);   // workers in the trace: 0 = the GPU, 1 = host fallback
class CudaExecutor : public Executor {
 public:
  explicit CudaExecutor(CudaOptions options = {}) : options_(options) {}
  std::string name() const override { return "cuda"; }
  RunResult run(const Graph& graph, const RunOptions& options) override;

  /// Device bytes still accounted after the last run (0 unless a bug leaks a chunk).
  std::int64_t last_device_live_bytes() const { return last_live_; }
  /// Peak of live device chunk bytes of the last run.
  std::int64_t last_device_peak_bytes() const { return last_peak_; }

  /// True when a CUDA driver and at least one device are present; else false and `why` says
  /// e.g. "cudaGetDeviceCount: CUDA driver version is insufficient for CUDA runtime version".
  static bool device_available(std::string* why);

 private:
  CudaOptions options_;
  std::int64_t last_live_ = 0, last_peak_ = 0;
};

}  // namespace chunkscope
