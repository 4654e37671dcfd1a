#pragma once
// Recorder: the observer that turns a run into a Trace.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chunkscope/core/trace.hpp"
#include "chunkscope/exec/observer.hpp"

namespace chunkscope {

class ResourceSampler;

/// Collects task, memory and transfer events in per-worker buffers (reserved before the run:
/// no lock and, in the common case, no allocation on the hot path) and merges them into a Trace.
///
///   Recorder rec;
///   RunOptions o; o.observer = &rec;
///   executor.run(graph, o);
///   Trace t = rec.trace();   // after run() returned
///
/// With sample_resources(interval) the process's RSS and CPU% are sampled from the run's first
/// task to its end (a ResourceSampler thread) into Trace::resources as the process "local".
class Recorder : public ExecutionObserver {
 public:
  /// Version string stored in traces (meta.tool_version).
  explicit Recorder(std::string tool_version = "");
  ~Recorder() override;
  /// Samples RSS and CPU% every `interval_ns` during the next run (0 = off, the default). Where
  /// /proc is missing nothing is sampled and Trace::resources stays empty.
  void sample_resources(std::int64_t interval_ns);
  void on_run_begin(const Graph& g, const RunInfo& info) override;
  void on_clock_start(std::chrono::steady_clock::time_point t0) override;
  void on_task_end(int worker, const TaskEvent& e) override { workers_[worker].tasks.push_back(e); }
  void on_memory(int worker, const MemoryEvent& e) override { workers_[worker].memory.push_back(e); }
  void on_transfer(int worker, const TransferEvent& e) override { workers_[worker].transfers.push_back(e); }
  void on_run_end(std::int64_t wall_ns, RunStatus status, const std::string& error) override;
  /// The merged trace (valid after the run ended).
  Trace trace() const;

 private:
  struct alignas(64) WorkerBuffers {
    std::vector<TaskEvent> tasks;
    std::vector<MemoryEvent> memory;
    std::vector<TransferEvent> transfers;
  };
  std::string tool_version_;
  const Graph* graph_ = nullptr;
  RunInfo info_;
  std::vector<WorkerBuffers> workers_;
  std::int64_t wall_ns_ = 0;
  std::string status_ = "ok", error_;
  std::unique_ptr<ResourceSampler> sampler_;
};

/// Trace layers from a Graph's layers (ids, ops, groups, shapes, chunks, params).
std::vector<TraceLayer> trace_layers(const Graph& g);
/// Current time as ISO 8601 UTC ("2026-11-22T15:04:05Z").
std::string iso_time_now();

}  // namespace chunkscope
