#include <catch2/catch.hpp>

#include "chunkscope/viz/dot.hpp"
#include "chunkscope/viz/layout.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

namespace {
void check_scene(const Scene& s, const VisibleGraph& g) {
  REQUIRE(s.nodes.size() == g.nodes.size());
  REQUIRE(s.edges.size() == g.edges.size());
  CHECK(s.width > 0);
  CHECK(s.height > 0);
  for (const auto& n : s.nodes) {
    CHECK(n.w > 0);
    CHECK(n.h > 0);
    CHECK(n.x - n.w / 2 >= -0.5);
    CHECK(n.x + n.w / 2 <= s.width + 0.5);
    CHECK(n.y - n.h / 2 >= -0.5);
    CHECK(n.y + n.h / 2 <= s.height + 0.5);
  }
  for (const auto& e : s.edges) {
    CHECK(e.points.size() >= 4);
    CHECK((e.points.size() - 1) % 3 == 0);
    CHECK(e.arrow);
  }
}
}  // namespace

TEST_CASE("real Graphviz output parses into a scene inside its bounding box", "[viz][layout_native]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.toggle_group("denoise");
  v.toggle_layer("rc");
  const VisibleGraph g = visible_graph(m, v);
  const Scene s = parse_layout(layout_native(to_dot(g)), g);
  check_scene(s, g);
  REQUIRE(s.clusters.size() == 2);
  for (const auto& c : s.clusters) {
    CHECK(c.x >= 0);
    CHECK(c.y >= 0);
    CHECK(c.x + c.w <= s.width + 0.5);
  }
  // y points down: the source group is above the rechunk's tasks.
  double load_y = 0, task_y = 0;
  for (const auto& n : s.nodes) {
    if (n.key == "g:load") load_y = n.y;
    if (n.kind == VNode::Kind::Task) task_y = n.y;
  }
  CHECK(load_y < task_y);
  // Labelled edges get a label position.
  ViewState open;
  open.expand_to(m, "thr");
  const VisibleGraph g2 = visible_graph(m, open);
  const Scene s2 = parse_layout(layout_native(to_dot(g2)), g2);
  check_scene(s2, g2);
}

TEST_CASE("hostile names survive the layout round trip", "[viz][layout_native]") {
  chunkscope::testing::TraceBuilder b(1);
  b.layer("<img src=x onerror=alert(1)>", "random", "source", {}, {4}, {2});
  b.layer("q\"uo\\te\\", "neg", "elementwise", {"<img src=x onerror=alert(1)>"}, {4}, {2});
  b.task(0, 0, 10, 8);
  b.task(1, 0, 10, 8, {0});
  const Model m(b.done(), {});
  const VisibleGraph g = visible_graph(m, ViewState{});
  const Scene s = parse_layout(layout_native(to_dot(g)), g);
  check_scene(s, g);
  CHECK(s.nodes[1].label[0] == "q\"uo\\te\\");
}

TEST_CASE("bad DOT is a LayoutError", "[viz][layout_native]") {
  CHECK_THROWS_AS(layout_native("digraph { a -> "), LayoutError);
  CHECK_THROWS_AS(layout_native(""), LayoutError);
}
