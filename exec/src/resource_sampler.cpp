#include "chunkscope/exec/resource_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>

#if defined(__linux__)
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#endif

namespace chunkscope {

namespace {

std::int64_t process_cpu_ns() {
#if defined(__linux__)
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
#else
  return 0;
#endif
}

/// Resident pages from /proc/self/statm ("size resident shared ..."), read again from offset 0
/// through the descriptor kept open; -1 when it cannot be read.
std::int64_t resident_pages(int fd) {
#if defined(__linux__)
  char buf[128];
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char* p = buf;
  std::strtoll(p, &p, 10);  // size
  const long long resident = std::strtoll(p, &p, 10);
  return resident;
#else
  (void)fd;
  return -1;
#endif
}

}  // namespace

ResourceSampler::ResourceSampler(std::int64_t interval_ns, std::size_t max_samples)
    : requested_ns_(interval_ns), max_samples_(std::max<std::size_t>(16, max_samples)) {}

ResourceSampler::~ResourceSampler() {
  stop();
#if defined(__linux__)
  if (statm_fd_ >= 0) close(statm_fd_);
#endif
}

bool ResourceSampler::available() {
#if defined(__linux__)
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = resident_pages(fd) >= 0;
  close(fd);
  return ok;
#else
  return false;
#endif
}

int ResourceSampler::cores() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

bool ResourceSampler::start(Clock::time_point t0) {
  if (requested_ns_ <= 0 || running()) return false;
#if defined(__linux__)
  if (statm_fd_ < 0) statm_fd_ = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (statm_fd_ < 0 || resident_pages(statm_fd_) < 0) return false;
  if (const long p = sysconf(_SC_PAGESIZE); p > 0) page_bytes_ = p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    t0_ = t0;
    stop_ = false;
    interval_now_ = requested_ns_;
    t_ns_.clear();
    rss_.clear();
    cpu_ns_.clear();
    t_ns_.reserve(std::min<std::size_t>(max_samples_, 4096));
    rss_.reserve(t_ns_.capacity());
    cpu_ns_.reserve(t_ns_.capacity());
    cpu0_ns_ = process_cpu_ns();
    start_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count();  // the baseline pair
  }
  thread_ = std::thread([this] { loop(); });
  return true;
#else
  (void)t0;
  return false;
#endif
}

void ResourceSampler::stop() {
  if (!running()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ResourceSampler::take_sample() {
  const std::int64_t pages = resident_pages(statm_fd_);
  // The CPU time and its timestamp read as one pair: a thread preempted between the two readings
  // (a loaded machine) would put the CPU time of one interval into the next (300% from one busy
  // thread on two cores); a pair read more than 50 µs apart is read again.
  auto since_t0 = [this] { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count(); };
  std::int64_t t = 0, cpu = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const std::int64_t before = since_t0();
    cpu = process_cpu_ns();
    t = since_t0();
    if (t - before <= 50'000) break;
  }
  if (pages < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (t_ns_.size() >= max_samples_) {
    // Halve the resolution: keep every other sample (the last one stays, so the newest interval
    // is still closed), and sample half as often from now on.
    std::size_t k = 0;
    for (std::size_t i = 1; i < t_ns_.size(); i += 2, ++k) {
      t_ns_[k] = t_ns_[i];
      rss_[k] = rss_[i];
      cpu_ns_[k] = cpu_ns_[i];
    }
    t_ns_.resize(k);
    rss_.resize(k);
    cpu_ns_.resize(k);
    interval_now_ *= 2;
  }
  t_ns_.push_back(t);
  rss_.push_back(pages * page_bytes_);
  cpu_ns_.push_back(cpu);
}

void ResourceSampler::loop() {
  Clock::time_point next = Clock::now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      next += std::chrono::nanoseconds(interval_now_);
      // A late wake-up (a loaded machine) does not make a burst of samples to catch up.
      if (const auto now = Clock::now(); next < now) next = now;
      if (wake_.wait_until(lock, next, [this] { return stop_; })) break;
    }
    take_sample();
  }
  take_sample();  // the end of the run
}

std::int64_t ResourceSampler::interval_ns() const {
  std::lock_guard<std::mutex> lock(mu_);
  return interval_now_ > 0 ? interval_now_ : requested_ns_;
}

ResourceSeries ResourceSampler::series(const std::string& process) const {
  ResourceSeries s;
  s.process = process;
  s.cores = cores();
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t n = t_ns_.size();
  s.t_ns = t_ns_;
  s.rss_bytes = rss_;
  s.cpu_percent.resize(n);
  // The kernel adds a running thread's CPU time to the process's at its scheduler ticks (1-4 ms), so
  // one interval can be short of CPU time that the next one gets: an interval above what the cores
  // allow is cut there and its excess carried into the next (the total stays exact).
  const double cap = 100.0 * s.cores;
  std::int64_t prev_t = start_ns_, prev_cpu = cpu0_ns_;
  double carry_ns = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t dt = t_ns_[i] - prev_t;
    double pct = 0;
    if (dt > 0) {
      const double used = static_cast<double>(cpu_ns_[i] - prev_cpu) + carry_ns;
      pct = std::min(cap, std::max(0.0, 100.0 * used / static_cast<double>(dt)));
      carry_ns = std::max(0.0, used - pct / 100.0 * static_cast<double>(dt));
    }
    // One decimal is all a reader sees; it keeps the JSON short.
    s.cpu_percent[i] = std::round(pct * 10.0) / 10.0;
    prev_t = t_ns_[i];
    prev_cpu = cpu_ns_[i];
  }
  return s;
}

}  // namespace chunkscope
