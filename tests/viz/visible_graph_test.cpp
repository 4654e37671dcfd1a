#include <catch2/catch.hpp>

#include "chunkscope/viz/palette.hpp"
#include "chunkscope/viz/view.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::viz;

namespace {
const VNode* node(const VisibleGraph& g, const std::string& key) {
  for (const auto& n : g.nodes)
    if (n.key == key) return &n;
  return nullptr;
}
const VEdge* edge(const VisibleGraph& g, const std::string& from, const std::string& to) {
  for (const auto& e : g.edges)
    if (e.from == from && e.to == to) return &e;
  return nullptr;
}
std::vector<std::string> keys(const VisibleGraph& g) {
  std::vector<std::string> k;
  for (const auto& n : g.nodes) k.push_back(n.key);
  return k;
}
}  // namespace

TEST_CASE("by default every group is one node and top-level layers stand alone", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  const VisibleGraph g = visible_graph(m, ViewState{});
  CHECK(keys(g) == std::vector<std::string>{"g:load", "g:denoise", "l:rc", "g:stats"});
  CHECK(g.clusters.empty());
  CHECK(edge(g, "g:load", "g:denoise"));
  CHECK(edge(g, "g:denoise", "l:rc"));
  CHECK(edge(g, "l:rc", "g:stats"));
  CHECK(g.edges.size() == 3);
  for (const auto& n : g.nodes) CHECK(n.cluster.empty());
}

TEST_CASE("a collapsed group aggregates the numbers of its layers", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  const VisibleGraph g = visible_graph(m, ViewState{});
  const VNode* d = node(g, "g:denoise");
  REQUIRE(d);
  const auto& blur = m.layers()[static_cast<size_t>(m.find_layer("blur"))];
  const auto& thr = m.layers()[static_cast<size_t>(m.find_layer("thr"))];
  CHECK(d->kind == VNode::Kind::Group);
  CHECK(d->tasks == blur.tasks + thr.tasks);
  CHECK(d->busy_ns == blur.busy_ns + thr.busy_ns);
  CHECK(d->bytes == blur.bytes_out + thr.bytes_out);
  CHECK(d->peak_bytes == blur.peak_held_bytes + thr.peak_held_bytes);
  REQUIRE(d->label.size() == 4);
  CHECK(d->label[0] == "denoise");
  // What enters (img) and what leaves (thr, read by rc outside the group): shape [chunk shape],
  // here the same.
  CHECK(d->label[1] == "in → out 1024×1024 [128×128]");  // the same array in and out: said once
  CHECK(d->label[2] == "2 layers · 128 tasks");
  // thr carries the critical rechunk-fan finding: the group shows it.
  CHECK(d->severity == 2);
  CHECK(d->badge == 1);
  // Time share colouring: the busiest visible node is darkest (value 1).
  double top = 0;
  for (const auto& n : g.nodes) top = std::max(top, n.value);
  CHECK(top == Approx(1.0));
  CHECK(d->value == Approx(1.0));  // blur's 50 µs tasks dominate
}

TEST_CASE("an expanded group becomes a cluster with its children", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.toggle_group("denoise");
  const VisibleGraph g = visible_graph(m, v);
  CHECK(keys(g) == std::vector<std::string>{"g:load", "g:denoise/blur", "l:thr", "l:rc", "g:stats"});
  REQUIRE(g.clusters.size() == 1);
  CHECK(g.clusters[0].key == "cluster_g:denoise");
  CHECK(g.clusters[0].parent == "");
  CHECK(node(g, "g:denoise/blur")->cluster == "denoise");
  CHECK(node(g, "l:thr")->cluster == "denoise");
  CHECK(node(g, "l:thr")->label[0] == "thr");
  CHECK(node(g, "l:thr")->label[2] == "64 chunks · 64 tasks");
  CHECK(edge(g, "g:denoise/blur", "l:thr"));
  // Nested: opening denoise/blur puts blur into a cluster inside denoise.
  v.toggle_group("denoise/blur");
  const VisibleGraph g2 = visible_graph(m, v);
  REQUIRE(g2.clusters.size() == 2);
  CHECK(g2.clusters[1].key == "cluster_g:denoise/blur");
  CHECK(g2.clusters[1].parent == "cluster_g:denoise");
  CHECK(node(g2, "l:blur")->cluster == "denoise/blur");
  // A child opened under a collapsed parent stays hidden.
  ViewState only_child;
  only_child.toggle_group("denoise/blur");
  CHECK(keys(visible_graph(m, only_child)) == keys(visible_graph(m, ViewState{})));
}

TEST_CASE("an expanded small layer shows its tasks with task edges", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.toggle_layer("rc");
  const VisibleGraph g = visible_graph(m, v);
  int tasks = 0;
  for (const auto& n : g.nodes)
    if (n.kind == VNode::Kind::Task) {
      ++tasks;
      CHECK(n.cluster == "layer:rc");
      CHECK(n.layer == m.find_layer("rc"));
    }
  CHECK(tasks == 32);
  CHECK_FALSE(node(g, "l:rc"));
  REQUIRE(g.clusters.size() == 1);
  CHECK(g.clusters[0].key == "cluster_l:rc");
  // Inputs come from the collapsed group that holds thr; 8 thr chunks per task are one merged edge.
  const std::int64_t first = m.layer_tasks(m.find_layer("rc"))[0];
  const VEdge* in = edge(g, "g:denoise", "t:" + std::to_string(first));
  REQUIRE(in);
  CHECK(in->count == 8);
  // Every rc task feeds the stats group.
  CHECK(edge(g, "t:" + std::to_string(first), "g:stats"));
  CHECK(node(g, "t:" + std::to_string(first))->label[0] == "[0, 0]");
}

TEST_CASE("an expanded layer over the task budget is one heat-map node", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.toggle_layer("rc");
  const VisibleGraph g = visible_graph(m, v, 10);
  const VNode* h = node(g, "h:rc");
  REQUIRE(h);
  CHECK(h->kind == VNode::Kind::Heatmap);
  CHECK(h->cluster == "layer:rc");
  CHECK(h->severity == 2);
  CHECK(g.nodes.size() == 4);
  CHECK(edge(g, "h:rc", "g:stats"));
  CHECK(edge(g, "g:denoise", "h:rc"));
}

TEST_CASE("the task budget is shared by all expanded layers", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.expand_to(m, "thr");
  v.toggle_layer("thr");
  v.toggle_layer("rc");
  const VisibleGraph g = visible_graph(m, v, 80);
  CHECK(node(g, "h:rc"));  // thr's 64 tasks used most of the budget
  std::int64_t task_nodes = 0;
  for (const auto& n : g.nodes) task_nodes += n.kind == VNode::Kind::Task;
  CHECK(task_nodes == 64);
  CHECK(visible_graph(m, v, 1000000).nodes.size() < 200);
}

TEST_CASE("edges say how chunks change and how many chunks a task reads", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.expand_to(m, "thr");
  const VisibleGraph g = visible_graph(m, v);
  const VEdge* e = edge(g, "l:thr", "l:rc");
  REQUIRE(e);
  CHECK(e->rechunk);
  CHECK(e->fan_in == 8);
  CHECK(e->label == "128×128 → 32×1024 · fan-in 8");
  const VEdge* same = edge(g, "g:denoise/blur", "l:thr");
  REQUIRE(same);
  CHECK_FALSE(same->rechunk);
  CHECK(same->label.empty());
  CHECK(same->count == 1);
}

TEST_CASE("edges between collapsed groups are merged with a count", "[viz][visible_graph]") {
  chunkscope::testing::TraceBuilder b(2);
  const int a = b.layer("a", "random", "source", {}, {8}, {4});
  const int c = b.layer("c", "random", "source", {}, {8}, {4});
  const int d = b.layer("d", "add", "elementwise", {"a", "c"}, {8}, {4});
  b.at(a).group = "in";
  b.at(c).group = "in";
  b.at(d).group = "out";
  const auto ta = b.per_chunk(a, 10, 32, chunkscope::testing::none);
  const auto tc = b.per_chunk(c, 10, 32, chunkscope::testing::none);
  b.per_chunk(d, 10, 32, [&](std::int64_t k) { return std::vector<std::int64_t>{ta[k], tc[k]}; });
  const Model m(b.done(), {});
  const VisibleGraph g = visible_graph(m, ViewState{});
  REQUIRE(g.edges.size() == 1);
  CHECK(g.edges[0].count == 2);
  CHECK(g.edges[0].from == "g:in");
}

TEST_CASE("selection, search and colour modes mark nodes", "[viz][visible_graph]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.selected = "rc";
  v.search = "GAUSS";  // blur's op, case-insensitive: the denoise group is marked
  v.color_by = ColorBy::Findings;
  const VisibleGraph g = visible_graph(m, v);
  CHECK(node(g, "l:rc")->selected);
  CHECK(node(g, "g:denoise")->matched);
  CHECK_FALSE(node(g, "g:load")->matched);
  CHECK(node(g, "l:rc")->value == Approx(1.0));
  CHECK(node(g, "g:load")->value == Approx(2.0 / 3.0));
  v.selected = "group:stats";
  v.color_by = ColorBy::Worker;
  const VisibleGraph w = visible_graph(m, v);
  CHECK(node(w, "g:stats")->selected);
  CHECK(node(w, "l:rc")->fill == worker_color(m.layers()[static_cast<size_t>(m.find_layer("rc"))].main_worker));
}
