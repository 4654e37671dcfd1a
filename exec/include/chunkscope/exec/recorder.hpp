#pragma once
// Recorder: the observer that turns a run into a Trace.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/trace.hpp"
#include "chunkscope/exec/observer.hpp"

namespace chunkscope {

/// Collects task, memory and transfer events in per-worker buffers (reserved before the run:
/// no lock and, in the common case, no allocation on the hot path) and merges them into a Trace.
///
///   Recorder rec;
///   RunOptions o; o.observer = &rec;
///   executor.run(graph, o);
///   Trace t = rec.trace();   // after run() returned
class Recorder : public ExecutionObserver {
 public:
  /// Version string stored in traces (meta.tool_version).
  explicit Recorder(std::string tool_version = "") : tool_version_(std::move(tool_version)) {}
  void on_run_begin(const Graph& g, const RunInfo& info) override;
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
};

/// Trace layers from a Graph's layers (ids, ops, groups, shapes, chunks, params).
std::vector<TraceLayer> trace_layers(const Graph& g);
/// Current time as ISO 8601 UTC ("2026-11-22T15:04:05Z").
std::string iso_time_now();

}  // namespace chunkscope
