#pragma once
// Chunk buffers and exact memory accounting.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace chunkscope {

/// Counts live chunk bytes exactly and enforces an optional limit. Thread-safe.
class MemoryAccountant {
 public:
  explicit MemoryAccountant(std::int64_t limit = 0) : limit_(limit) {}
  /// Reserves `bytes` if the limit allows (always when there is no limit); returns false otherwise.
  bool try_reserve(std::int64_t bytes) { return try_reserve(bytes, 0); }
  /// Reserves `bytes` only if `headroom` bytes would still be free under the limit afterwards.
  /// When nothing is live the request is always admitted (a task that fits alone must run).
  bool try_reserve(std::int64_t bytes, std::int64_t headroom);
  /// Reserves unconditionally (used when a reservation must not fail).
  void reserve(std::int64_t bytes) { add(bytes); }
  void release(std::int64_t bytes) { live_.fetch_sub(bytes, std::memory_order_acq_rel); }
  std::int64_t live() const { return live_.load(std::memory_order_acquire); }
  std::int64_t peak() const { return peak_.load(std::memory_order_acquire); }
  std::int64_t limit() const { return limit_; }

 private:
  void add(std::int64_t bytes);
  std::int64_t limit_;
  std::atomic<std::int64_t> live_{0};
  std::atomic<std::int64_t> peak_{0};
};

/// One chunk's bytes, 64-byte aligned. Movable, not copyable. Zero-size buffers are valid.
class Buffer {
 public:
  Buffer() = default;
  /// Allocates `bytes` uninitialised bytes; throws std::bad_alloc on failure.
  explicit Buffer(std::int64_t bytes);
  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }
  std::int64_t size() const { return size_; }
  template <class T>
  T* as() {
    return reinterpret_cast<T*>(data_.get());
  }
  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(data_.get());
  }
  explicit operator bool() const { return data_ != nullptr || size_ == 0; }
  void reset() {
    data_.reset();
    size_ = 0;
  }

 private:
  struct Free {
    Free() noexcept {}
    explicit Free(std::size_t b) noexcept : bytes(b) {}
    std::size_t bytes = 0;  ///< the allocated (rounded) size, for the block pool
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte, Free> data_;
  std::int64_t size_ = 0;
};

/// Frees the blocks kept for reuse (see buffer.cpp); called when a run ends. Thread-safe.
void release_buffer_pool();

/// Bytes currently kept for reuse.
std::int64_t buffer_pool_bytes();

}  // namespace chunkscope
