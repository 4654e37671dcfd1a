#include "live_observer.hpp"

namespace chunkscope::cli {

void LiveObserver::on_run_begin(const Graph& g, const RunInfo& info) {
  if (inner_) inner_->on_run_begin(g, info);
  std::lock_guard lk(m_);
  shadow_.on_run_begin(g, info);
  begun_ = true;
  start_ = std::chrono::steady_clock::now();
}

void LiveObserver::on_task_end(int worker, const TaskEvent& e) {
  if (inner_) inner_->on_task_end(worker, e);
  std::lock_guard lk(m_);
  shadow_.on_task_end(worker, e);
}

void LiveObserver::on_memory(int worker, const MemoryEvent& e) {
  if (inner_) inner_->on_memory(worker, e);
  std::lock_guard lk(m_);
  shadow_.on_memory(worker, e);
}

void LiveObserver::on_transfer(int worker, const TransferEvent& e) {
  if (inner_) inner_->on_transfer(worker, e);
  std::lock_guard lk(m_);
  shadow_.on_transfer(worker, e);
}

void LiveObserver::on_run_end(std::int64_t wall_ns, RunStatus status, const std::string& error) {
  if (inner_) inner_->on_run_end(wall_ns, status, error);
  std::lock_guard lk(m_);
  shadow_.on_run_end(wall_ns, status, error);
  ended_ = true;
}

std::optional<Trace> LiveObserver::snapshot() {
  std::lock_guard lk(m_);
  if (!begun_) return std::nullopt;
  Trace t = shadow_.trace();
  if (!ended_) {
    t.meta.status = "running";
    t.meta.wall_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
  }
  return t;
}

}  // namespace chunkscope::cli
