#pragma once
// Structural invariants every expanded task graph must hold (used by the expansion tests).
#include <catch2/catch.hpp>

#include "chunkscope/core/graph.hpp"

namespace chunkscope::test {

/// Tasks of a layer are contiguous (stages >= 1 first, then stage 0 in chunk order), every
/// dependency points to an earlier task, and dependents() is the inverse of deps().
inline void check_task_graph(const Graph& g) {
  const TaskGraph& t = g.tasks();
  std::int64_t expected_begin = 0;
  std::vector<std::int64_t> in_degree_check(static_cast<size_t>(t.size()), 0);
  for (int l = 0; l < static_cast<int>(g.layers().size()); ++l) {
    INFO("layer " << g.layer(l).id);
    REQUIRE(t.layer_begin(l) == expected_begin);
    expected_begin = t.layer_end(l);
    const std::int64_t outputs = t.layer_end(l) - t.output_begin(l);
    // Stage-0 tasks are the layer's chunks in order (or none for a source pushed into a later layer).
    if (g.layer(l).pushed_into >= 0)
      CHECK(g.layer_task_count(l) == 0);
    else
      CHECK(outputs == g.layer(l).meta.num_chunks());
    for (std::int64_t c = 0; c < outputs; ++c) {
      const std::int64_t task = t.output_task(l, c);
      CHECK(t.layer(task) == l);
      CHECK(t.stage(task) == 0);
      CHECK(t.index(task) == c);
    }
    for (std::int64_t task = t.layer_begin(l); task < t.output_begin(l); ++task) CHECK(t.stage(task) >= 1);
  }
  CHECK(expected_begin == t.size());
  std::int64_t edges = 0;
  for (std::int64_t task = 0; task < t.size(); ++task) {
    for (auto d : t.deps(task)) {
      REQUIRE(d >= 0);
      REQUIRE(d < task);
      ++in_degree_check[static_cast<size_t>(d)];
      ++edges;
    }
  }
  CHECK(edges == t.num_edges());
  for (std::int64_t task = 0; task < t.size(); ++task) {
    CHECK(static_cast<std::int64_t>(t.dependents(task).size()) == in_degree_check[static_cast<size_t>(task)]);
    for (auto u : t.dependents(task)) {
      const auto deps = t.deps(u);
      CHECK(std::find(deps.begin(), deps.end(), task) != deps.end());
    }
  }
}

}  // namespace chunkscope::test
