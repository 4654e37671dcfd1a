#include <catch2/catch.hpp>

#include "chunkscope/viz/memory.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

TEST_CASE("the memory envelope keeps the peak and has two points per column", "[viz][memory]") {
  chunkscope::Trace t = fixtures::sample_trace();
  t.memory.limit_bytes = 1 << 30;
  const Model m(t, {});
  const auto wall = m.trace().meta.wall_ns;
  const MemoryView v = memory_view(m, 0, wall, 50);
  CHECK(v.t_ns.size() == 100);
  CHECK(v.bytes.size() == 100);
  CHECK(v.limit == 1 << 30);
  CHECK(v.peak == m.trace().memory.peak_bytes);
  CHECK(v.peak_layer == m.trace().layers[static_cast<size_t>(m.trace().memory.peak_layer)].id);
  double hi = 0;
  for (size_t i = 0; i < v.bytes.size(); i += 2) {
    CHECK(v.bytes[i] <= v.bytes[i + 1]);
    CHECK(v.t_ns[i] == v.t_ns[i + 1]);
    if (i) CHECK(v.t_ns[i] > v.t_ns[i - 2]);
    hi = std::max(hi, v.bytes[i + 1]);
  }
  CHECK(hi == static_cast<double>(v.peak));  // the envelope never loses the peak
  CHECK(v.bytes.front() == 0);
}

TEST_CASE("a memory window in a flat stretch is flat", "[viz][memory]") {
  chunkscope::Trace t;
  t.memory.t_ns = {0, 100, 200};
  t.memory.live_bytes = {0, 50, 10};
  const Model m(t, {});
  const MemoryView v = memory_view(m, 120, 180, 3);
  CHECK(v.bytes == std::vector<double>{50, 50, 50, 50, 50, 50});
  const MemoryView w = memory_view(m, 0, 300, 3);  // columns [0,100) [100,200) [200,300)
  CHECK(w.bytes == std::vector<double>{0, 0, 50, 50, 10, 10});
  CHECK(memory_view(m, 5, 5, 10).t_ns.empty());
}
