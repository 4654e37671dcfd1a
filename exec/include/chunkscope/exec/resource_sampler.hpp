#pragma once
// ResourceSampler: RSS and CPU% of this process over a run, read from /proc by a thread (issue 20
// item 2). The Recorder owns one when asked (Recorder::sample_resources); the Python binding exposes
// it to the Dask capture, whose local process it samples without holding the GIL.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chunkscope/core/trace.hpp"  // ResourceSeries

namespace chunkscope {

/// Samples this process every `interval_ns`: RSS from /proc/self/statm (resident pages × page size)
/// and CPU time from the process CPU clock (utime + stime, at nanosecond resolution: /proc/self/stat
/// counts in 10 ms ticks, too coarse for 10 ms intervals). Times are nanoseconds since the `t0`
/// given to start(), so a run passes its own clock's start and the samples share its time base.
///
///   ResourceSampler s(10'000'000);      // every 10 ms
///   s.start(run_t0);                     // false where /proc is missing (not Linux): nothing sampled
///   ... the run ...
///   s.stop();                            // one last sample, then the thread ends
///   ResourceSeries r = s.series("local");
///
/// Memory is bounded: when `max_samples` are held, every other sample is dropped and the interval
/// doubles (the CPU% stays exact: CPU time is kept cumulative and differenced at the end). The
/// sampler thread takes one uncontended lock per sample; nothing else is shared with the run.
class ResourceSampler {
 public:
  using Clock = std::chrono::steady_clock;
  /// `interval_ns` <= 0: start() does nothing. `max_samples` is at least 16.
  explicit ResourceSampler(std::int64_t interval_ns = 10'000'000, std::size_t max_samples = 20000);
  ResourceSampler(const ResourceSampler&) = delete;
  ResourceSampler& operator=(const ResourceSampler&) = delete;
  /// Stops the thread if it still runs.
  ~ResourceSampler();

  /// Whether this system can be sampled (/proc/self/statm is readable).
  static bool available();
  /// Logical CPUs this process may run on (its affinity mask; hardware_concurrency as fallback).
  static int cores();

  /// Starts sampling with times relative to `t0` (Clock::time_point{} gives the raw monotonic
  /// clock, which is Python's time.perf_counter_ns on Linux). Clears earlier samples. Returns
  /// false (and samples nothing) when not available, when the interval is <= 0, or when running.
  bool start(Clock::time_point t0);
  /// Takes a last sample and joins the thread; does nothing when not running.
  void stop();
  /// Whether the thread runs.
  bool running() const { return thread_.joinable(); }

  /// The samples so far (safe while running) as a trace series named `process`: cpu_percent[i] is
  /// the mean CPU over the interval that ends at t_ns[i] (100 = one core busy), at most 100 × cores
  /// (CPU time the kernel accounts late is carried into the next interval). Empty if none.
  ResourceSeries series(const std::string& process = "local") const;
  /// The interval between samples now (doubles each time the cap halves the samples).
  std::int64_t interval_ns() const;
  /// The interval asked for.
  std::int64_t requested_interval_ns() const { return requested_ns_; }

 private:
  void loop();
  void take_sample();  // with mu_ not held

  std::int64_t requested_ns_;
  std::size_t max_samples_;
  Clock::time_point t0_{};
  int statm_fd_ = -1;
  long page_bytes_ = 4096;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::int64_t interval_now_ = 0;
  std::int64_t cpu0_ns_ = 0, start_ns_ = 0;  // CPU time and time at start(): the first interval's base
  std::vector<std::int64_t> t_ns_, rss_, cpu_ns_;
};

}  // namespace chunkscope
