#pragma once
// The CPU executor's work queues (private to exec): one deque per worker, a global heap in
// priority order, the count of queued tasks and the idle workers' wait.
//
// A worker takes its own newest task first (depth-first), then steals the oldest task of another
// worker, then takes the most urgent task of the global heap (the tasks ready at the start and
// those given back by MemoryAdmission). docs/design/001-memory-aware-order.md.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <queue>
#include <utility>
#include <vector>

namespace chunkscope {

class WorkQueues {
 public:
  explicit WorkQueues(int workers) : queues_(static_cast<size_t>(workers)) {}
  /// Task `t`, made ready by worker `w`, goes on w's deque; wakes one idle worker.
  void push_local(int w, std::int64_t t);
  /// Tasks go on the global heap (ordered by `prio`, ties by task id); they count as queued
  /// before this returns. Wakes the idle workers.
  void push_global(const std::vector<std::int64_t>& tasks, const std::vector<std::int64_t>& prio);
  /// The next task for worker `w`: its own newest, another's oldest, then the global heap.
  bool pop(int w, std::int64_t& t);
  /// Tasks on any queue.
  std::int64_t queued() const { return queued_.load(std::memory_order_acquire); }

  /// An idle worker waits up to `timeout` or until `wake` holds when it is woken (a task queued,
  /// the run stopping).
  void wait(std::chrono::microseconds timeout, const std::function<bool()>& wake);
  /// The calling thread waits up to `timeout` or until wake_all(); it does not count as an idle
  /// worker (push_local wakes one of those).
  void wait_caller(std::chrono::milliseconds timeout);
  /// Wakes every waiter (the run stops or finishes).
  void wake_all() { idle_cv_.notify_all(); }

 private:
  struct alignas(64) Deque {
    std::mutex mu;
    std::deque<std::int64_t> tasks;  // back = newest (owner pops back, thieves take front)
  };
  std::vector<Deque> queues_;
  std::mutex global_mu_;
  std::priority_queue<std::pair<std::int64_t, std::int64_t>, std::vector<std::pair<std::int64_t, std::int64_t>>,
                      std::greater<>>
      global_;  // (prio, task)
  std::atomic<std::int64_t> queued_{0};
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  std::atomic<int> idle_{0};
};

}  // namespace chunkscope
