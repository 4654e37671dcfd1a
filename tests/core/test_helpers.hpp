#pragma once
// Helpers shared by the core unit tests: parse inline pipelines, look up layers and tasks by id.
#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/pipeline.hpp"

namespace chunkscope::test {

/// A pipeline document around a JSON list of layers: {"name": "t", "layers": <layers>}.
inline std::string pipeline(const std::string& layers_json, const std::string& extra = "") {
  return "{\"name\": \"t\", \"layers\": " + layers_json + (extra.empty() ? "" : ", " + extra) + "}";
}

/// Parses pipeline text named "test.json"; fails the test (showing the message) when invalid.
inline Graph parse_ok(const std::string& text, const PipelineOptions& options = {}) {
  Result<Graph> g = parse_pipeline_text(text, "test.json", "", options);
  INFO("parse error: " << g.error());
  REQUIRE(g.ok());
  return std::move(g).value();
}

/// Parses pipeline text named "test.json" and returns the error message; fails the test when valid.
inline std::string parse_error(const std::string& text, const PipelineOptions& options = {}) {
  Result<Graph> g = parse_pipeline_text(text, "test.json", "", options);
  REQUIRE_FALSE(g.ok());
  return g.error();
}

/// The canonical message prefix `test.json: layer "<id>": field "<f>": `.
inline std::string located(const std::string& layer, const std::string& field) {
  return "test.json: layer \"" + layer + "\": field \"" + field + "\": ";
}

/// Index of the layer with this id; fails the test when missing.
inline int layer_index(const Graph& g, const std::string& id) {
  const int i = g.find_layer(id);
  INFO("layer " << id);
  REQUIRE(i >= 0);
  return i;
}
inline const Layer& layer_of(const Graph& g, const std::string& id) { return g.layer(layer_index(g, id)); }

/// A task named by its layer id, stage and index: readable in test failures.
struct Key {
  std::string layer;
  std::int32_t stage = 0;
  std::int64_t index = 0;
  bool operator==(const Key& o) const { return layer == o.layer && stage == o.stage && index == o.index; }
  bool operator<(const Key& o) const { return std::tie(layer, stage, index) < std::tie(o.layer, o.stage, o.index); }
};
inline std::ostream& operator<<(std::ostream& os, const Key& k) {
  return os << k.layer << "/" << k.stage << "/" << k.index;
}
inline Key key_of(const Graph& g, std::int64_t task) {
  const TaskKey k = g.tasks().key(task);
  return {g.layer(k.layer).id, k.stage, k.index};
}

/// The task of layer `id` with this stage and index; fails the test when missing.
inline std::int64_t task_of(const Graph& g, const std::string& id, int stage, std::int64_t index) {
  const int l = layer_index(g, id);
  for (std::int64_t t = g.tasks().layer_begin(l); t < g.tasks().layer_end(l); ++t)
    if (g.tasks().stage(t) == stage && g.tasks().index(t) == index) return t;
  FAIL("no task " << id << "/" << stage << "/" << index);
  return -1;
}

/// Input tasks of a task, as keys, in the order the task lists them.
inline std::vector<Key> deps_of(const Graph& g, const std::string& id, int stage, std::int64_t index) {
  std::vector<Key> out;
  for (auto d : g.tasks().deps(task_of(g, id, stage, index))) out.push_back(key_of(g, d));
  return out;
}

/// Input tasks of a task, as keys, sorted (for ops whose dependency order is not part of the contract).
inline std::vector<Key> sorted_deps_of(const Graph& g, const std::string& id, int stage, std::int64_t index) {
  auto d = deps_of(g, id, stage, index);
  std::sort(d.begin(), d.end());
  return d;
}

/// Number of tasks of layer `id` in one stage.
inline std::int64_t stage_count(const Graph& g, const std::string& id, int stage) {
  const int l = layer_index(g, id);
  std::int64_t n = 0;
  for (std::int64_t t = g.tasks().layer_begin(l); t < g.tasks().layer_end(l); ++t) n += g.tasks().stage(t) == stage;
  return n;
}

/// Number of tasks of layer `id`, all stages.
inline std::int64_t task_count(const Graph& g, const std::string& id) { return g.layer_task_count(layer_index(g, id)); }

/// Output-stage keys of `id` for the given chunk indices, for building expected dependency lists.
inline std::vector<Key> chunks_of(const std::string& id, std::initializer_list<std::int64_t> idx, int stage = 0) {
  std::vector<Key> out;
  for (auto i : idx) out.push_back({id, stage, i});
  return out;
}

}  // namespace chunkscope::test
