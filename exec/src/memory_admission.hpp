#pragma once
// The CPU executor's memory admission (private to exec): live chunk bytes under the memory
// limit, the tasks held back because their output does not fit, and the stall check.
//
// A worker reserves a task's output bytes before running it. Under a limit, a task that frees
// none of its inputs is admitted only if `headroom` bytes stay free afterwards (consume_needs in
// core/task_order.hpp): without it, every worker could load a source chunk and fill the limit
// with chunks none of which can be consumed. A task that does not fit is held; every release of
// memory gives the held tasks back to the global queue. When nothing runs, nothing is queued and
// tasks are held, stall() admits the most urgent held task that fits without the headroom, or
// reports the run stuck (the limit is too small for the chunks still needed).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "chunkscope/exec/buffer.hpp"
#include "work_queues.hpp"

namespace chunkscope {

class MemoryAdmission {
 public:
  /// `limit`: bytes (0 = none); `prio`: the tasks' priorities, for the order held tasks go back in.
  MemoryAdmission(std::int64_t limit, const std::vector<std::int64_t>& prio) : mem_(limit), prio_(prio) {}

  /// Reserves `bytes` for task `t` leaving `headroom` free. When that does not fit, holds `t`
  /// (it leaves the caller's hands: `running` is decremented after it is held) and returns false.
  bool admit_or_hold(std::int64_t t, std::int64_t bytes, std::int64_t headroom, std::atomic<int>& running,
                     WorkQueues& queues);
  /// Gives `bytes` back (a chunk was freed); the caller then calls release_held() once.
  void release(std::int64_t bytes) { mem_.release(bytes); }
  /// Moves the held tasks back to the global queue. They count as queued before they stop
  /// counting as held, so that a stall check never sees them nowhere.
  void release_held(WorkQueues& queues);

  /// What stall() decided.
  enum class Stall { NotStalled, Admitted, Stuck };
  /// Called when a worker found nothing to run while tasks are held. Under the lock that holding
  /// takes, checks again that nothing runs and nothing is queued; then admits the most urgent held
  /// task whose `bytes[t]` fit without the headroom (returned in `t`, reserved, counted in
  /// `running`: Admitted). When none fits the run is stuck (`t` = the most urgent held task).
  Stall stall(const std::vector<std::int64_t>& bytes, std::atomic<int>& running, const WorkQueues& queues,
              std::int64_t& t);

  std::int64_t held() const { return held_count_.load(std::memory_order_acquire); }
  std::int64_t live() const { return mem_.live(); }
  std::int64_t peak() const { return mem_.peak(); }
  std::int64_t limit() const { return mem_.limit(); }

 private:
  MemoryAccountant mem_;
  const std::vector<std::int64_t>& prio_;
  std::mutex held_mu_;
  std::vector<std::int64_t> held_;
  std::atomic<std::int64_t> held_count_{0};
};

}  // namespace chunkscope
