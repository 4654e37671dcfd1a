#include "work_queues.hpp"

namespace chunkscope {

void WorkQueues::push_local(int w, std::int64_t t) {
  {
    std::lock_guard<std::mutex> lk(queues_[w].mu);
    queues_[w].tasks.push_back(t);
  }
  queued_.fetch_add(1, std::memory_order_release);
  if (idle_.load(std::memory_order_acquire) > 0) idle_cv_.notify_one();
}

void WorkQueues::push_global(const std::vector<std::int64_t>& tasks, const std::vector<std::int64_t>& prio) {
  if (tasks.empty()) return;
  {
    std::lock_guard<std::mutex> lk(global_mu_);
    for (auto t : tasks) global_.push({prio[t], t});
    queued_.fetch_add(static_cast<std::int64_t>(tasks.size()), std::memory_order_release);
  }
  if (idle_.load(std::memory_order_acquire) > 0) idle_cv_.notify_all();
}

bool WorkQueues::pop(int w, std::int64_t& t) {
  if (queued_.load(std::memory_order_acquire) == 0) return false;
  {
    std::lock_guard<std::mutex> lk(queues_[w].mu);
    if (!queues_[w].tasks.empty()) {
      t = queues_[w].tasks.back();
      queues_[w].tasks.pop_back();
      queued_.fetch_sub(1, std::memory_order_acq_rel);
      return true;
    }
  }
  const int n = static_cast<int>(queues_.size());
  for (int k = 1; k < n; ++k) {
    Deque& q = queues_[(w + k) % n];
    std::lock_guard<std::mutex> lk(q.mu);
    if (!q.tasks.empty()) {
      t = q.tasks.front();
      q.tasks.pop_front();
      queued_.fetch_sub(1, std::memory_order_acq_rel);
      return true;
    }
  }
  std::lock_guard<std::mutex> lk(global_mu_);
  if (!global_.empty()) {
    t = global_.top().second;
    global_.pop();
    queued_.fetch_sub(1, std::memory_order_acq_rel);
    return true;
  }
  return false;
}

void WorkQueues::wait(std::chrono::microseconds timeout, const std::function<bool()>& wake) {
  idle_.fetch_add(1, std::memory_order_acq_rel);
  {
    std::unique_lock<std::mutex> lk(idle_mu_);
    idle_cv_.wait_for(lk, timeout, wake);
  }
  idle_.fetch_sub(1, std::memory_order_acq_rel);
}

void WorkQueues::wait_caller(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(idle_mu_);
  idle_cv_.wait_for(lk, timeout);
}

}  // namespace chunkscope
