#pragma once
// Observing a run: the executor calls these hooks; the Recorder is one observer. With no
// observer attached the executor skips every hook (one pointer test per event).
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/trace.hpp"  // TaskStatus

namespace chunkscope {

/// How a run ended.
enum class RunStatus : std::uint8_t { Ok = 0, Failed = 1, Cancelled = 2 };
/// "ok", "failed", "cancelled" (the trace's meta.status).
const char* run_status_name(RunStatus s);
/// Writes run_status_name(s).
std::ostream& operator<<(std::ostream& os, RunStatus s);

/// One finished (or failed) task. Times are nanoseconds since the run began.
struct TaskEvent {
  std::int64_t task = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::int64_t bytes = 0;  ///< output bytes
  std::int32_t worker = 0;
  TaskStatus status = TaskStatus::Done;
  bool fused = false;  ///< ran as a continuation of its producer in the same worker (fused chain)
};

/// A change of live memory: +bytes on allocation, -bytes on release, by a task of `layer`.
struct MemoryEvent {
  std::int64_t t_ns = 0;
  std::int64_t delta = 0;
  std::int32_t layer = -1;
  std::int32_t device = 0;  ///< 0 = host; 1.. = GPU devices
};

/// A host<->device copy (CUDA executor).
struct TransferEvent {
  std::int64_t task = -1;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::int64_t bytes = 0;
  bool to_device = true;
  std::int32_t device = 1;
};

/// Facts about a run known before it starts.
struct RunInfo {
  std::string executor;
  std::string device;
  int workers = 1;
  std::int64_t memory_limit = 0;
  std::int64_t start_unix_ns = 0;
  std::int64_t device_memory_limit = 0;     ///< bytes (CUDA executor); 0 = none
  std::vector<std::string> worker_devices;  ///< per worker lane, e.g. {"cuda:0", "host"}; empty = all host
};

/// Observer hooks; all default to nothing. Hooks for one worker are called from that worker's
/// thread only, so an observer can keep per-worker buffers without locks.
class ExecutionObserver {
 public:
  virtual ~ExecutionObserver() = default;
  virtual void on_run_begin(const Graph&, const RunInfo&) {}
  /// The run's time base, taken just before the first task starts (after on_run_begin): every
  /// event time is nanoseconds since `t0`. A Recorder starts its resource sampler here.
  virtual void on_clock_start(std::chrono::steady_clock::time_point /*t0*/) {}
  virtual void on_task_end(int /*worker*/, const TaskEvent&) {}
  virtual void on_memory(int /*worker*/, const MemoryEvent&) {}
  virtual void on_transfer(int /*worker*/, const TransferEvent&) {}
  /// `wall_ns` is the run's duration.
  virtual void on_run_end(std::int64_t /*wall_ns*/, RunStatus /*status*/, const std::string& /*error*/) {}
};

}  // namespace chunkscope
