// cpu-underuse: far fewer cores busy than tasks running (Trace::resources' CPU%).
#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {

/// 4 workers kept busy for about 400 ms by "read" (3/4 of the tasks) and "scale", with the process's
/// CPU at `cpu` percent in every 10 ms sample; 8 cores.
Trace planted(double cpu, const std::string& executor = "cpu") {
  TraceBuilder b(4, 1000, executor);
  const int r = b.layer("read", "from_zarr", "source", {}, {64 * 1024}, {1024});
  const int s = b.layer("scale", "multiply", "elementwise", {"read"}, {16 * 1024}, {1024});
  b.per_chunk(r, 20'000'000, 8192, testing::none);
  b.per_chunk(s, 20'000'000, 8192, testing::none);
  Trace t = b.done();
  ResourceSeries p;
  p.process = "local";
  p.cores = 8;
  for (std::int64_t ts = 0; ts <= t.meta.wall_ns + 10'000'000; ts += 10'000'000) {
    p.t_ns.push_back(std::min(ts, t.meta.wall_ns));
    p.rss_bytes.push_back(50 << 20);
    p.cpu_percent.push_back(ts == 0 ? 0 : cpu);
  }
  t.resources.interval_ns = 10'000'000;
  t.resources.processes.push_back(std::move(p));
  return t;
}

}  // namespace

TEST_CASE("cpu-underuse fires on 4 busy workers using one core, and names the layer", "[analysis][cpu-underuse]") {
  const Findings f = analyze(planted(100));
  const auto u = testing::find_rule(f, "cpu-underuse");
  REQUIRE(u);
  INFO(u->message);
  CHECK(u->severity != Severity::Info);
  REQUIRE_FALSE(u->layers.empty());
  CHECK(u->layers[0] == "read");
  CHECK(u->find("cpu_percent_low")->value == Approx(100).margin(1));
  CHECK(u->find("expected_cpu_percent_low")->value == Approx(400).margin(20));
  CHECK(u->find("low_cpu_time_share")->value > 0.9);
  CHECK(u->message.find("used 1.0 cores where its running tasks could use 4.0 (4 workers)") != std::string::npos);
  CHECK(u->message.find("\"read\" (80%)") != std::string::npos);
  // chunkscope's own executor has no GIL: waiting on reads, writes or locks.
  CHECK(u->message.find("I/O-bound") != std::string::npos);
}

TEST_CASE("cpu-underuse stays quiet when the workers use their cores", "[analysis][cpu-underuse]") {
  CHECK_FALSE(testing::find_rule(analyze(planted(390)), "cpu-underuse"));
}

TEST_CASE("cpu-underuse on a threaded Dask run near one core says GIL-bound", "[analysis][cpu-underuse]") {
  const auto u = testing::find_rule(analyze(planted(100, "dask-threads")), "cpu-underuse");
  REQUIRE(u);
  CHECK(u->message.find("GIL-bound") != std::string::npos);
  CHECK(u->advice.find("scheduler=\"processes\"") != std::string::npos);
  const auto io = testing::find_rule(analyze(planted(20, "dask-threads")), "cpu-underuse");
  REQUIRE(io);
  CHECK(io->message.find("I/O-bound") != std::string::npos);
}
