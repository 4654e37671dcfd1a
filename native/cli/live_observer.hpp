#pragma once
// For `chunkscope run --serve`: an observer that forwards every event to the run's Recorder and
// also keeps a copy under a lock, so another thread can take a snapshot of the growing trace while
// the run goes on. Costs one uncontended lock per event; only attached with --serve.
#include <chrono>
#include <mutex>
#include <optional>

#include "chunkscope/exec/recorder.hpp"

namespace chunkscope::cli {

class LiveObserver : public ExecutionObserver {
 public:
  explicit LiveObserver(ExecutionObserver* inner) : inner_(inner), shadow_("live") {}
  void on_run_begin(const Graph& g, const RunInfo& info) override;
  void on_clock_start(std::chrono::steady_clock::time_point t0) override {
    if (inner_) inner_->on_clock_start(t0);
  }
  void on_task_end(int worker, const TaskEvent& e) override;
  void on_memory(int worker, const MemoryEvent& e) override;
  void on_transfer(int worker, const TransferEvent& e) override;
  void on_run_end(std::int64_t wall_ns, RunStatus status, const std::string& error) override;
  /// The trace so far (nothing before the run began): tasks not yet run have status not_run;
  /// meta.status is "running" until the end.
  std::optional<Trace> snapshot();

 private:
  ExecutionObserver* inner_;
  std::mutex m_;
  Recorder shadow_;
  bool begun_ = false, ended_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace chunkscope::cli
