#include "chunkscope/viz/memory_stack.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "chunkscope/viz/json.hpp"
#include "chunkscope/viz/legend.hpp"
#include "chunkscope/viz/memory.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

namespace {

// The bands of column c added up.
double stacked(const MemoryStack& s, size_t c) {
  double sum = 0;
  for (const auto& b : s.bands) sum += b.bytes[c];
  return sum;
}

}  // namespace

TEST_CASE("memory by layer: the stack sums to the memory curve at every column", "[viz][memory_stack]") {
  const Model m = fixtures::sample_model();
  const auto wall = m.trace().meta.wall_ns;
  for (int width : {1, 7, 50, 800}) {
    const MemoryStack s = memory_stack(m, 0, wall, width);
    const MemoryView v = memory_view(m, 0, wall, width);
    REQUIRE(s.total.size() == static_cast<size_t>(width));
    for (size_t c = 0; c < s.total.size(); ++c) {
      CHECK(s.total[c] == v.bytes[2 * c + 1]);  // the memory chart's value there
      CHECK(stacked(s, c) == Approx(s.total[c]).margin(1e-6));
      CHECK(s.t_ns[c] == v.t_ns[2 * c]);
    }
    CHECK(*std::max_element(s.total.begin(), s.total.end()) == static_cast<double>(m.trace().memory.peak_bytes));
  }
}

TEST_CASE("memory by layer: the layer holding the most at the peak is first, in its timeline colour",
          "[viz][memory_stack]") {
  const Model m = fixtures::sample_model();
  const auto wall = m.trace().meta.wall_ns;
  const MemoryStack s = memory_stack(m, 0, wall, 400);
  CHECK(s.by == "layer");
  REQUIRE(!s.bands.empty());
  const auto& layers = m.layers();
  const auto top = std::max_element(layers.begin(), layers.end(), [](const LayerStats& a, const LayerStats& b) {
    return a.peak_held_bytes < b.peak_held_bytes;
  });
  CHECK(s.bands[0].label == top->id);
  CHECK(s.bands[0].layers == std::vector<int>{top->layer});
  CHECK(s.bands[0].peak_bytes == top->peak_held_bytes);
  CHECK(s.bands[0].color == timeline_colors(m).color[static_cast<size_t>(top->layer)]);
  for (size_t k = 1; k < s.bands.size(); ++k) CHECK(s.bands[k].peak_bytes <= s.bands[0].peak_bytes);
  // The builder's memory series is the tasks' outputs: nothing is left outside the layers.
  for (const auto& b : s.bands) CHECK(b.label != "outside task outputs");
  // At the peak's column, the bands are what each layer holds at the peak.
  const auto pk = static_cast<size_t>(std::max_element(s.total.begin(), s.total.end()) - s.total.begin());
  CHECK(s.at_ns[pk] == static_cast<double>(m.trace().memory.peak_t_ns));
  for (const auto& b : s.bands) CHECK(b.bytes[pk] == static_cast<double>(b.peak_bytes));
  std::int64_t held = 0;
  for (const auto& b : s.bands) held += b.peak_bytes;
  CHECK(held == m.trace().memory.peak_bytes);
}

TEST_CASE("memory by layer: bytes the series has beyond the task outputs are their own band, more are scaled down",
          "[viz][memory_stack]") {
  chunkscope::Trace t = fixtures::sample_trace();
  for (auto& b : t.memory.live_bytes) b += 1000;  // e.g. a runtime's own bytes
  t.memory.peak_bytes += 1000;
  const Model m(t, {});
  const auto wall = t.meta.wall_ns;
  const MemoryStack s = memory_stack(m, 0, wall, 64);
  REQUIRE(s.bands.back().label == "outside task outputs");
  CHECK(s.bands.back().peak_bytes == 1000);
  for (size_t c = 0; c < s.total.size(); ++c) CHECK(stacked(s, c) == Approx(s.total[c]).margin(1e-6));

  chunkscope::Trace u = fixtures::sample_trace();
  for (auto& b : u.memory.live_bytes) b /= 2;  // a series that counts less than the outputs
  const Model half(u, {});
  const MemoryStack h = memory_stack(half, 0, wall, 64);
  for (size_t c = 0; c < h.total.size(); ++c) CHECK(stacked(h, c) == Approx(h.total[c]).margin(1e-6));
  const nlohmann::json j = to_json(h);
  CHECK(j["bands"][0]["label"] == h.bands[0].label);
  CHECK(j["total"].size() == 64);
  CHECK(memory_stack(m, 5, 5, 10).total.empty());
}

TEST_CASE("memory by layer: many layers are stacked by group", "[viz][memory_stack]") {
  chunkscope::testing::TraceBuilder b(2, 100);
  std::vector<std::int64_t> prev;
  for (int l = 0; l < 20; ++l) {
    const std::string id = "L" + std::to_string(l);
    const int li = b.layer(id, "op", l == 0 ? "source" : "elementwise",
                           l == 0 ? std::vector<std::string>{} : std::vector<std::string>{"L" + std::to_string(l - 1)},
                           {64}, {16});
    b.at(li).group = l < 10 ? "load" : "compute";
    prev = b.per_chunk(li, 1000, 100 * (l + 1), [&](std::int64_t k) {
      return prev.empty() ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{prev[static_cast<size_t>(k)]};
    });
  }
  const Model m(b.done(), {});
  const MemoryStack s = memory_stack(m, 0, m.trace().meta.wall_ns, 100);
  CHECK(s.by == "group");
  REQUIRE(s.bands.size() == 2);
  CHECK(s.bands[0].layers.size() == 10);
  for (size_t c = 0; c < s.total.size(); ++c) CHECK(stacked(s, c) == Approx(s.total[c]).margin(1e-6));
}
