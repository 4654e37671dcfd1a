// viz legends and the limit-on-scale rule, shared by both front-ends (issue 16, items 3 and 11).
#include "chunkscope/viz/legend.hpp"

#include <cmath>
#include <set>

#include <catch2/catch.hpp>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/palette.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

TEST_CASE("the graph legend gives values for every colour-by mode", "[viz][legend]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  for (auto mode : {ColorBy::TimeShare, ColorBy::PeakMemory, ColorBy::Tasks, ColorBy::ChunkBytes, ColorBy::Worker,
                    ColorBy::CriticalPath, ColorBy::Findings}) {
    v.color_by = mode;
    const VisibleGraph g = visible_graph(m, v);
    const Legend l = graph_legend(m, g, mode);
    INFO(color_by_name(mode));
    CHECK_FALSE(l.title.empty());
    CHECK(l.entries.size() >= (mode == ColorBy::Worker ? 1u : 2u));
    for (const auto& e : l.entries) {
      CHECK_FALSE(e.label.empty());
      CHECK(e.color.size() == 7);
    }
  }
  // Time: a ramp from 0 to the largest visible node (the collapsed denoise group: blur + thr).
  v.color_by = ColorBy::TimeShare;
  const VisibleGraph g = visible_graph(m, v);
  const Legend l = graph_legend(m, g, ColorBy::TimeShare);
  REQUIRE(l.ramp);
  REQUIRE(l.entries.size() == 5);
  CHECK(l.entries.front().label == "0 ns");
  CHECK(l.entries.front().color == value_color(0));
  CHECK(l.entries.back().color == value_color(1));
  std::int64_t denoise = 0;
  for (const auto& s : m.layers())
    if (s.group.rfind("denoise", 0) == 0) denoise += s.busy_ns;
  CHECK(l.entries.back().label == fmt_duration(static_cast<double>(denoise)));
  // Every visible node's fill is one of the ramp's colours in order of value.
  for (const auto& n : g.nodes) CHECK(n.fill == value_color(n.value));
  // Findings: the four severities, in the fills the nodes get.
  const Legend f = graph_legend(m, g, ColorBy::Findings);
  REQUIRE(f.entries.size() == 4);
  CHECK(f.entries[3].label == "critical");
}

TEST_CASE("timeline colours never give two layers one colour without a key", "[viz][legend]") {
  const Model m = fixtures::sample_model();
  const LayerColors c = timeline_colors(m);
  CHECK(c.by == "layer");
  std::set<std::string> colours;
  for (const auto& s : m.layers()) colours.insert(c.color[static_cast<size_t>(s.layer)]);
  CHECK(colours.size() == m.layers().size());
  CHECK(c.legend.entries.size() == m.layers().size());

  // 20 layers in 4 groups: coloured by group, and the note says so.
  chunkscope::testing::TraceBuilder b(2);
  for (int i = 0; i < 20; ++i) {
    const int l = b.layer("l" + std::to_string(i), i % 2 ? "add" : "mul", "elementwise", {}, {8}, {8});
    b.at(l).group = "g" + std::to_string(i % 4);
    b.task(l, 0, 100 + i, 8);
  }
  const Model many(b.done(), {});
  const LayerColors g = timeline_colors(many);
  CHECK(g.by == "group");
  CHECK(g.legend.entries.size() == 4);
  CHECK(g.legend.note.find("by group") != std::string::npos);
  for (const auto& s : many.layers()) {
    const int k = g.key[static_cast<size_t>(s.layer)];
    REQUIRE(k >= 0);
    CHECK(g.legend.entries[static_cast<size_t>(k)].label == s.group);
    CHECK(g.legend.entries[static_cast<size_t>(k)].color == g.color[static_cast<size_t>(s.layer)]);
  }
}

TEST_CASE("the chunk grid ramp states its true range and the clipped one", "[viz][legend]") {
  chunkscope::testing::TraceBuilder b(2);
  const int l = b.layer("x", "random", "source", {}, {100, 100}, {10, 10});
  for (std::int64_t k = 0; k < 100; ++k) b.task(l, k, k == 99 ? 1000000 : 1000 + k, 8);
  const Model m(b.done(), {});
  const ChunkGrid g = chunk_grid(m, 0, GridColor::Duration);
  const GridScale s = grid_scale(g, GridColor::Duration);
  CHECK(s.true_min == 1000);
  CHECK(s.true_max == 1000000);
  CHECK(s.clipped);
  CHECK(s.hi < s.true_max);
  CHECK(s.legend.ramp);
  CHECK(s.legend.note.find("true range 1.00 µs to 1.00 ms") != std::string::npos);
  CHECK(s.legend.note.find("percentile") != std::string::npos);
  // The ramp's ends are the colours the grid gives the clipped ends.
  CHECK(std::make_pair(s.lo, s.hi) == clipped_range(g.values));
}

TEST_CASE("a limit is drawn on the scale only within 4x of the curve", "[viz][legend]") {
  const LimitScale none = limit_on_scale(0, 100);
  CHECK_FALSE(none.drawn);
  CHECK(none.note.empty());
  CHECK(none.top == 100);
  const LimitScale near = limit_on_scale(300, 100);
  CHECK(near.drawn);
  CHECK(near.top == 300);
  CHECK(near.note == "limit 300 B");
  const LimitScale far = limit_on_scale(1000, 100, 100);
  CHECK_FALSE(far.drawn);
  CHECK(far.top == 100);
  CHECK(far.note == "limit 1,000 B off scale above (peak 10% of it)");
}
