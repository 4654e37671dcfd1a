// ResourceSampler and the Recorder's resource series: RSS and CPU% of this process on the run's time
// base (issue 20 item 2).
#include "chunkscope/exec/resource_sampler.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/recorder.hpp"
#include "serial_run.hpp"

using namespace chunkscope;
using Clock = std::chrono::steady_clock;

namespace {

/// Keeps one core busy for `ms` milliseconds.
double spin_for(int ms) {
  const auto end = Clock::now() + std::chrono::milliseconds(ms);
  volatile double x = 1.0;
  while (Clock::now() < end)
    for (int i = 0; i < 1000; ++i) x = x * 1.0000001 + 1e-9;
  return x;
}

}  // namespace

TEST_CASE("the sampler sees a buffer this process touched and its busy CPU", "[resources]") {
  if (!ResourceSampler::available()) {
    WARN("no /proc on this system: nothing is sampled");
    return;
  }
  constexpr std::size_t kBuffer = 64u << 20;
  ResourceSampler s(2'000'000);  // every 2 ms
  const auto t0 = Clock::now();
  REQUIRE(s.start(t0));
  CHECK_FALSE(s.start(t0));  // already running
  std::unique_ptr<char[]> buf(new char[kBuffer]);
  std::memset(buf.get(), 1, kBuffer);  // touched: resident
  spin_for(60);
  const std::int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  s.stop();
  CHECK(buf[kBuffer / 2] == 1);
  const ResourceSeries r = s.series("local");
  CHECK(r.process == "local");
  CHECK(r.cores >= 1);
  REQUIRE(r.t_ns.size() >= 5);
  REQUIRE(r.rss_bytes.size() == r.t_ns.size());
  REQUIRE(r.cpu_percent.size() == r.t_ns.size());
  // Times on the caller's base, in order; the last sample is the one stop() took, just after `wall`.
  CHECK(r.t_ns.front() >= 0);
  CHECK(std::is_sorted(r.t_ns.begin(), r.t_ns.end()));
  for (std::size_t i = 0; i + 1 < r.t_ns.size(); ++i) CHECK(r.t_ns[i] <= wall);
  CHECK(*std::max_element(r.rss_bytes.begin(), r.rss_bytes.end()) >= static_cast<std::int64_t>(kBuffer));
  // One thread spinning: about 100% (never more than the cores allow, with slack for rounding).
  const double busy = *std::max_element(r.cpu_percent.begin(), r.cpu_percent.end());
  CHECK(busy > 30.0);
  for (double c : r.cpu_percent) CHECK(c <= 100.0 * r.cores);
}

TEST_CASE("the sampler's memory is capped: samples are halved and the interval doubles", "[resources]") {
  if (!ResourceSampler::available()) {
    WARN("no /proc on this system");
    return;
  }
  ResourceSampler s(1'000'000, 16);
  REQUIRE(s.start(Clock::now()));
  spin_for(80);
  s.stop();
  const ResourceSeries r = s.series();
  CHECK(r.t_ns.size() <= 16);
  CHECK(r.t_ns.size() >= 4);
  CHECK(s.interval_ns() > s.requested_interval_ns());
  CHECK(std::is_sorted(r.t_ns.begin(), r.t_ns.end()));
  // CPU time is differenced over the kept samples: still about one busy core.
  double sum = 0;
  for (double c : r.cpu_percent) sum += c;
  CHECK(sum / static_cast<double>(r.cpu_percent.size()) > 30.0);
}

TEST_CASE("an interval of 0 samples nothing", "[resources]") {
  ResourceSampler s(0);
  CHECK_FALSE(s.start(Clock::now()));
  s.stop();
  CHECK(s.series().t_ns.empty());
}

TEST_CASE("a recorded run carries the process's resources on the trace's time base", "[resources][recorder]") {
  // 2048×2048 float64 sources (32 MiB each) in 16 chunks, an elementwise chain and a sum: long
  // enough (tens of ms) for several 2 ms samples.
  const Graph g = test::parse_or_throw(R"({"name": "res", "layers": [
      {"id": "x", "op": "random", "shape": [2048, 2048], "chunks": [512, 512], "seed": 3},
      {"id": "y", "op": "multiply", "inputs": ["x", 2]},
      {"id": "z", "op": "add", "inputs": ["y", "x"]},
      {"id": "s", "op": "sum", "input": "z"}]})");
  CpuExecutor ex;
  Recorder rec;
  rec.sample_resources(2'000'000);
  RunOptions o;
  o.threads = 2;
  o.observer = &rec;
  const RunResult run = ex.run(g, o);
  REQUIRE(run.ok());
  const Trace t = rec.trace();
  if (!ResourceSampler::available()) {
    CHECK(t.resources.empty());  // no /proc: the field stays empty and nothing fails
    return;
  }
  REQUIRE(t.resources.processes.size() == 1);
  const ResourceSeries& r = t.resources.processes[0];
  CHECK(r.process == "local");
  CHECK(t.resources.interval_ns == 2'000'000);
  REQUIRE_FALSE(r.t_ns.empty());
  for (std::int64_t ts : r.t_ns) {
    CHECK(ts >= 0);
    CHECK(ts <= t.meta.wall_ns);
  }
  // Chunk bytes are part of the process: RSS at its highest holds at least the peak of live chunks
  // less what the first sample already held (the allocator may reuse memory it had).
  const auto max_rss = *std::max_element(r.rss_bytes.begin(), r.rss_bytes.end());
  CHECK(max_rss >= t.memory.peak_bytes);
  CHECK(*std::max_element(r.cpu_percent.begin(), r.cpu_percent.end()) > 0.0);
}

TEST_CASE("a recorder without sample_resources records no resources", "[resources][recorder]") {
  const Graph g = test::parse_or_throw(R"({"name": "m", "layers": [
      {"id": "z", "op": "zeros", "shape": [4, 4], "chunks": [2, 4]}]})");
  CpuExecutor ex;
  Recorder rec;
  RunOptions o;
  o.observer = &rec;
  REQUIRE(ex.run(g, o).ok());
  CHECK(rec.trace().resources.empty());
}

TEST_CASE("the Chrome export draws RSS and CPU% as counters of the process they were sampled in",
          "[resources][chrome]") {
  const Graph g = test::parse_or_throw(R"({"name": "m", "layers": [
      {"id": "z", "op": "zeros", "shape": [4, 4], "chunks": [2, 4]}]})");
  CpuExecutor ex;
  Recorder rec;
  RunOptions o;
  o.observer = &rec;
  REQUIRE(ex.run(g, o).ok());
  Trace t = rec.trace();
  // Planted series: the run's own process, and (on a distributed capture) a worker's.
  t.resources.interval_ns = 10'000'000;
  t.resources.processes = {{"local", {0, 10}, {100, 200}, {0, 150.5}, 4},
                           {"tcp://127.0.0.1:4000", {0, 10, 20}, {300, 400, 500}, {0, 90, 100}, 4}};
  auto counters = [](const nlohmann::json& doc, const std::string& name) {
    std::vector<nlohmann::json> out;
    for (const auto& e : doc["traceEvents"])
      if (e["ph"] == "C" && e["name"] == name) out.push_back(e);
    return out;
  };
  const nlohmann::json local = trace_to_chrome(t);
  const auto rss = counters(local, "RSS");
  REQUIRE(rss.size() == 5);  // not distributed: every series in the run's process
  CHECK(rss[0]["pid"] == 1);
  CHECK(rss[1]["args"]["bytes"] == 200);
  CHECK(rss[1]["ts"] == 0.01);  // µs
  const auto cpu = counters(local, "CPU %");
  REQUIRE(cpu.size() == 5);
  CHECK(cpu[1]["args"]["percent"] == 150.5);

  t.meta.executor = "dask-distributed";
  const nlohmann::json dist = trace_to_chrome(t);
  int worker_pid = -1;
  for (const auto& e : dist["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"] == "dask worker tcp://127.0.0.1:4000")
      worker_pid = e["pid"];
  REQUIRE(worker_pid > 1);
  int on_worker = 0, on_run = 0;
  for (const auto& e : counters(dist, "RSS")) (e["pid"] == worker_pid ? on_worker : on_run) += 1;
  CHECK(on_worker == 3);
  CHECK(on_run == 2);
}
