#include "chunkscope/exec/buffer.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace chunkscope {

bool MemoryAccountant::try_reserve(std::int64_t bytes, std::int64_t headroom) {
  if (limit_ <= 0) {
    add(bytes);
    return true;
  }
  std::int64_t cur = live_.load(std::memory_order_acquire);
  while (true) {
    // Always admit a request when nothing is live: a task that fits alone must be able to run.
    if (cur > 0 && cur + bytes + headroom > limit_) return false;
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

namespace {
// Freed chunk-sized blocks are kept for the next buffer of the same size. A chunk buffer that comes
// fresh from the system is faulted in page by page, and on virtual machines a page fault costs
// microseconds: a 1 MiB chunk took ~0.6 ms to fill that way, against ~0.03 ms when its pages were
// already mapped. Chunks of a layer share a size, so exact-size reuse hits almost always. Blocks
// under kPoolMin are left to malloc (its bins reuse them without faults); at most kPoolCap bytes are
// kept, and release_buffer_pool() hands them back when a run ends.
constexpr std::size_t kPoolMin = std::size_t{64} << 10;
constexpr std::size_t kPoolCap = std::size_t{256} << 20;

struct Pool {
  std::mutex m;
  std::unordered_map<std::size_t, std::vector<void*>> free;
  std::size_t held = 0;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers may be freed during static destruction
  return *p;
}

void* pool_take(std::size_t bytes) {
  if (bytes < kPoolMin) return nullptr;
  Pool& p = pool();
  std::lock_guard lk(p.m);
  auto it = p.free.find(bytes);
  if (it == p.free.end() || it->second.empty()) return nullptr;
  void* b = it->second.back();
  it->second.pop_back();
  p.held -= bytes;
  return b;
}

bool pool_give(void* b, std::size_t bytes) {
  if (bytes < kPoolMin) return false;
  Pool& p = pool();
  std::lock_guard lk(p.m);
  if (p.held + bytes > kPoolCap) return false;
  p.free[bytes].push_back(b);
  p.held += bytes;
  return true;
}
}  // namespace

Buffer::Buffer(std::int64_t bytes) : size_(bytes) {
  if (bytes < 0) throw std::bad_alloc();
  if (bytes == 0) return;
  const auto rounded = static_cast<std::size_t>((bytes + 63) / 64 * 64);
  void* p = pool_take(rounded);
  if (!p) p = std::aligned_alloc(64, rounded);
  if (!p) throw std::bad_alloc();
  data_ = std::unique_ptr<std::byte, Free>(static_cast<std::byte*>(p), Free{rounded});
}

void Buffer::Free::operator()(std::byte* p) const {
  if (!pool_give(p, bytes)) std::free(p);
}

void release_buffer_pool() {
  std::vector<void*> blocks;
  {
    Pool& p = pool();
    std::lock_guard lk(p.m);
    for (auto& [size, v] : p.free) blocks.insert(blocks.end(), v.begin(), v.end());
    p.free.clear();
    p.held = 0;
  }
  for (void* b : blocks) std::free(b);
}

std::int64_t buffer_pool_bytes() {
  Pool& p = pool();
  std::lock_guard lk(p.m);
  return static_cast<std::int64_t>(p.held);
}

}  // namespace chunkscope
