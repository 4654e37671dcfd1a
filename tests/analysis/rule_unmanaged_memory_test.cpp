// unmanaged-memory: RSS at its peak mostly outside the chunk bytes (Trace::resources).
#include <algorithm>

#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {

constexpr std::int64_t MiB = 1 << 20;

/// 8 chunks of 16 MiB on 4 workers ("load" 0-40 ms, "keep" 40-120 ms; chunk bytes peak at 192 MiB),
/// and the process's RSS sampled every 10 ms: `base` at the start, growing to `peak` while "keep" runs.
Trace planted(std::int64_t base, std::int64_t peak, const std::string& executor = "cpu") {
  TraceBuilder b(4, 1000, executor);
  const int a = b.layer("load", "random", "source", {}, {8 * 2048 * 1024}, {2048 * 1024});
  const int k = b.layer("keep", "map_blocks", "elementwise", {"load"}, {8 * 2048 * 1024}, {2048 * 1024});
  const auto as = b.per_chunk(a, 20'000'000, 16 * MiB, testing::none);
  b.per_chunk(k, 40'000'000, 16 * MiB, [&](std::int64_t i) { return std::vector<std::int64_t>{as[i]}; });
  Trace t = b.done();
  ResourceSeries s;
  s.process = "local";
  s.cores = 8;
  const std::int64_t wall = t.meta.wall_ns;
  for (std::int64_t ts = 0; ts <= wall; ts += 10'000'000) {
    const double x = static_cast<double>(ts) / static_cast<double>(wall);
    s.t_ns.push_back(ts);
    // Flat while "load" runs (the first third), growing while "keep" runs, flat from 5/6 on.
    const double grown = std::clamp((x - 1.0 / 3) / 0.5, 0.0, 1.0);
    s.rss_bytes.push_back(base + static_cast<std::int64_t>(static_cast<double>(peak - base) * grown));
    s.cpu_percent.push_back(390);
  }
  t.resources.interval_ns = 10'000'000;
  t.resources.processes.push_back(std::move(s));
  return t;
}

}  // namespace

TEST_CASE("unmanaged-memory fires when RSS at its peak is mostly not chunks", "[analysis][unmanaged-memory]") {
  const Findings f = analyze(planted(40 * MiB, 900 * MiB));
  const auto u = testing::find_rule(f, "unmanaged-memory");
  REQUIRE(u);
  INFO(u->message);
  CHECK(u->severity == Severity::Warning);
  CHECK(u->find("rss_bytes")->value == 900.0 * MiB);
  const double managed = u->find("managed_bytes")->value;
  CHECK(managed > 0);
  CHECK(managed <= 256.0 * MiB);
  CHECK(u->find("unmanaged_bytes")->value == Approx(900.0 * MiB - managed));
  // The numbers, as the other rules write bytes, and the layer that ran at the peak.
  CHECK(u->message.find("900 MiB (RSS)") != std::string::npos);
  CHECK(u->message.find("unmanaged memory") != std::string::npos);
  REQUIRE_FALSE(u->layers.empty());
  CHECK(u->layers[0] == "keep");
  CHECK(u->message.find("it grew while \"keep\" (100%) ran") != std::string::npos);
  CHECK(u->advice.find("scratch") != std::string::npos);
}

TEST_CASE("unmanaged-memory stays quiet when RSS is mostly chunks", "[analysis][unmanaged-memory]") {
  // The twin: RSS peaks a little above the chunk bytes (the interpreter and libraries).
  const Findings f = analyze(planted(40 * MiB, 300 * MiB));
  CHECK_FALSE(testing::find_rule(f, "unmanaged-memory"));
}

TEST_CASE("unmanaged-memory leaves out what the process held before the run", "[analysis][unmanaged-memory]") {
  // 500 MiB of RSS from the start (a Python interpreter with its libraries), hardly any growth.
  const Findings f = analyze(planted(500 * MiB, 540 * MiB));
  CHECK_FALSE(testing::find_rule(f, "unmanaged-memory"));
}

TEST_CASE("unmanaged-memory on a Dask capture advises in Dask's terms", "[analysis][unmanaged-memory]") {
  const Findings f = analyze(planted(100 * MiB, 1200 * MiB, "dask-threads"));
  const auto u = testing::find_rule(f, "unmanaged-memory");
  REQUIRE(u);
  CHECK(u->advice.find("MALLOC_TRIM_THRESHOLD_") != std::string::npos);
  CHECK(u->advice.find("global list") != std::string::npos);
}

TEST_CASE("unmanaged-memory is silent without resource samples", "[analysis][unmanaged-memory]") {
  Trace t = planted(40 * MiB, 900 * MiB);
  t.resources = {};
  CHECK_FALSE(testing::find_rule(analyze(t), "unmanaged-memory"));
}

TEST_CASE("unmanaged-memory on a distributed capture reads each worker's managed memory",
          "[analysis][unmanaged-memory]") {
  Trace t = planted(40 * MiB, 40 * MiB, "dask-distributed");
  // Workers 0-1 are threads of worker A, 2-3 of worker B; the client ("local") holds no chunks.
  t.meta.extra["workers"] = {"tcp://a:1 thread 1", "tcp://a:1 thread 2", "tcp://b:2 thread 1", "tcp://b:2 thread 2"};
  const std::int64_t wall = t.meta.wall_ns;
  t.meta.extra["worker_memory"] = {{"tcp://a:1", {{"t_ns", {0, wall}}, {"bytes", {64 * MiB, 0}}}},
                                   {"tcp://b:2", {{"t_ns", {0, wall}}, {"bytes", {64 * MiB, 0}}}}};
  auto worker = [&](const std::string& name, std::int64_t peak) {
    ResourceSeries s;
    s.process = name;
    s.cores = 8;
    for (std::int64_t ts = 0; ts <= wall; ts += 10'000'000) {
      s.t_ns.push_back(ts);
      s.rss_bytes.push_back(ts < wall / 2 ? 100 * MiB : peak);
      s.cpu_percent.push_back(190);
    }
    return s;
  };
  t.resources.processes[0].rss_bytes.assign(t.resources.processes[0].t_ns.size(), 2000 * MiB);  // the client
  t.resources.processes.push_back(worker("tcp://a:1", 120 * MiB));
  t.resources.processes.push_back(worker("tcp://b:2", 700 * MiB));
  const auto u = testing::find_rule(analyze(t), "unmanaged-memory");
  REQUIRE(u);
  INFO(u->message);
  CHECK(u->message.find("worker tcp://b:2") != std::string::npos);
  CHECK(u->find("rss_bytes")->value == 700.0 * MiB);
  CHECK(u->find("managed_bytes")->value == 64.0 * MiB);
  CHECK(u->find("processes_affected")->value == 1);
  CHECK(u->advice.find("nthreads") != std::string::npos);
}
