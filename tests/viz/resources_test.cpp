#include "chunkscope/viz/resources.hpp"

#include <cmath>

#include <catch2/catch.hpp>

#include "chunkscope/viz/json.hpp"
#include "chunkscope/viz/memory.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

namespace {

// RSS = 100 MB + 1 MB per sample, CPU 50% + 10% per sample, every `step` ns from 0.
chunkscope::ResourceSeries series(const std::string& name, std::int64_t wall, int samples, int cores) {
  chunkscope::ResourceSeries p;
  p.process = name;
  p.cores = cores;
  for (int k = 0; k < samples; ++k) {
    p.t_ns.push_back(wall * k / (samples - 1));
    p.rss_bytes.push_back(100'000'000 + 1'000'000LL * k);
    p.cpu_percent.push_back(50.0 + 10.0 * k);
  }
  return p;
}

}  // namespace

TEST_CASE("resources: none in the trace, none shown", "[viz][resources]") {
  const Model m = fixtures::sample_model();
  const ResourceView r = resource_view(m, 0, m.trace().meta.wall_ns, 100);
  CHECK(r.empty());
  CHECK(r.rss.empty());
}

TEST_CASE("resources: RSS and CPU per column, summed over processes, unmanaged = RSS - chunk bytes",
          "[viz][resources]") {
  chunkscope::Trace t = fixtures::sample_trace();
  const auto wall = t.meta.wall_ns;
  t.resources.interval_ns = wall / 10;
  t.resources.processes.push_back(series("local", wall, 11, 4));
  const Model m(t, {});
  const ResourceView r = resource_view(m, 0, wall, 10);
  REQUIRE(r.processes.size() == 1);
  CHECK(r.cores == 4);
  CHECK(r.rss_peak == 110'000'000);
  REQUIRE(r.rss.size() == 10);
  // Column k holds sample k (at its start): the highest RSS sampled in it.
  for (size_t k = 0; k < 10; ++k) CHECK(r.rss[k] == Approx(100'000'000 + 1'000'000.0 * static_cast<double>(k)));
  // CPU: the samples whose interval reaches into the column (k and k + 1), the highest.
  CHECK(r.cpu_percent[0] == Approx(60.0));
  const MemoryView mv = memory_view(m, 0, wall, 10);
  REQUIRE(r.unmanaged.size() == 10);
  for (size_t k = 0; k < 10; ++k) CHECK(r.unmanaged[k] == Approx(r.rss[k] - mv.bytes[2 * k + 1]));
  CHECK(r.unmanaged_note == "unmanaged = RSS of local − chunk bytes");

  // A window past the samples: NaN (null in JSON).
  const ResourceView after = resource_view(m, wall + 10 * wall, wall + 20 * wall, 4);
  CHECK(std::isnan(after.rss[0]));
  CHECK(to_json(after)["rss"][0].is_null());
}

TEST_CASE("resources: a distributed run's chunks are in its workers, not in the client", "[viz][resources]") {
  chunkscope::Trace t = fixtures::sample_trace();
  const auto wall = t.meta.wall_ns;
  t.meta.executor = "dask-distributed";
  t.resources.processes.push_back(series("local", wall, 5, 8));
  t.resources.processes.push_back(series("tcp://127.0.0.1:1", wall, 5, 2));
  t.resources.processes.push_back(series("tcp://127.0.0.1:2", wall, 5, 2));
  const Model m(t, {});
  const ResourceView r = resource_view(m, 0, wall, 4);
  CHECK(r.cores == 12);
  CHECK(r.rss[0] == Approx(300'000'000.0));  // summed
  CHECK(r.unmanaged_note == "unmanaged = RSS of tcp://127.0.0.1:1, tcp://127.0.0.1:2 − chunk bytes");
  const MemoryView mv = memory_view(m, 0, wall, 4);
  CHECK(r.unmanaged[0] == Approx(200'000'000.0 - mv.bytes[1]));
}
