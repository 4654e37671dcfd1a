#include "memory_admission.hpp"

#include <algorithm>

namespace chunkscope {

bool MemoryAdmission::admit_or_hold(std::int64_t t, std::int64_t bytes, std::int64_t headroom,
                                    std::atomic<int>& running, WorkQueues& queues) {
  if (mem_.try_reserve(bytes, headroom)) return true;
  {
    std::lock_guard<std::mutex> lk(held_mu_);
    held_.push_back(t);
    held_count_.fetch_add(1, std::memory_order_acq_rel);
  }
  running.fetch_sub(1, std::memory_order_acq_rel);
  // Memory may have been freed between the failed reservation and holding the task.
  if (mem_.live() + bytes + headroom <= mem_.limit()) release_held(queues);
  return false;
}

void MemoryAdmission::release_held(WorkQueues& queues) {
  if (held_count_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard<std::mutex> lk(held_mu_);
  if (held_.empty()) return;
  queues.push_global(held_, prio_);
  held_.clear();
  held_count_.store(0, std::memory_order_release);
}

MemoryAdmission::Stall MemoryAdmission::stall(const std::vector<std::int64_t>& bytes, std::atomic<int>& running,
                                              const WorkQueues& queues, std::int64_t& t) {
  std::lock_guard<std::mutex> lk(held_mu_);
  if (held_.empty() || running.load(std::memory_order_acquire) != 0 || queues.queued() != 0) return Stall::NotStalled;
  std::sort(held_.begin(), held_.end(), [&](std::int64_t a, std::int64_t b) { return prio_[a] < prio_[b]; });
  for (size_t i = 0; i < held_.size(); ++i) {
    if (mem_.try_reserve(bytes[held_[i]])) {
      running.fetch_add(1, std::memory_order_acq_rel);
      t = held_[i];
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
      held_count_.fetch_sub(1, std::memory_order_acq_rel);
      return Stall::Admitted;
    }
  }
  t = held_.front();
  return Stall::Stuck;
}

}  // namespace chunkscope
