#include <catch2/catch.hpp>

#include "chunkscope/viz/view.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

TEST_CASE("toggles flip expansion", "[viz][view_state]") {
  ViewState v;
  v.toggle_group("denoise");
  CHECK(v.expanded_groups.count("denoise"));
  v.toggle_group("denoise");
  CHECK(v.expanded_groups.empty());
  v.toggle_layer("rc");
  CHECK(v.expanded_layers.count("rc"));
  v.toggle_layer("rc");
  CHECK(v.expanded_layers.empty());
}

TEST_CASE("expand_to opens every ancestor of a layer", "[viz][view_state]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.expand_to(m, "blur");
  CHECK(v.expanded_groups == std::set<std::string>{"denoise", "denoise/blur"});
  v.expand_to(m, "rc");  // top level: nothing to open
  v.expand_to(m, "no such layer");
  CHECK(v.expanded_groups.size() == 2);
  const VisibleGraph g = visible_graph(m, v);
  bool blur_visible = false;
  for (const auto& n : g.nodes) blur_visible = blur_visible || n.key == "l:blur";
  CHECK(blur_visible);
}
