#include "chunkscope/exec/buffer.hpp"

#include <cstdlib>
#include <new>

namespace chunkscope {

bool MemoryAccountant::try_reserve(std::int64_t bytes) {
  if (limit_ <= 0) {
    add(bytes);
    return true;
  }
  std::int64_t cur = live_.load(std::memory_order_acquire);
  while (true) {
    // Always admit a request when nothing is live: a task that fits alone must be able to run.
    if (cur > 0 && cur + bytes > limit_) return false;
    if (live_.compare_exchange_weak(cur, cur + bytes, std::memory_order_acq_rel)) break;
  }
  std::int64_t p = peak_.load(std::memory_order_relaxed);
  while (cur + bytes > p && !peak_.compare_exchange_weak(p, cur + bytes, std::memory_order_relaxed)) {
  }
  return true;
}

void MemoryAccountant::add(std::int64_t bytes) {
  const std::int64_t now = live_.fetch_add(bytes, std::memory_order_acq_rel) + bytes;
  std::int64_t p = peak_.load(std::memory_order_relaxed);
  while (now > p && !peak_.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
}

Buffer::Buffer(std::int64_t bytes) : size_(bytes) {
  if (bytes < 0) throw std::bad_alloc();
  if (bytes == 0) return;
  const auto rounded = static_cast<std::size_t>((bytes + 63) / 64 * 64);
  void* p = std::aligned_alloc(64, rounded);
  if (!p) throw std::bad_alloc();
  data_.reset(static_cast<std::byte*>(p));
}

void Buffer::Free::operator()(std::byte* p) const { std::free(p); }

}  // namespace chunkscope
