#pragma once
// Graph: a validated pipeline — layers in topological order plus the expanded task DAG.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/layer.hpp"
#include "chunkscope/core/task_graph.hpp"

namespace chunkscope {

/// Where a pipeline output goes.
struct OutputSpec {
  int layer = -1;       ///< the layer whose array is the output
  std::string to_npy;   ///< resolved path, or empty
  std::string to_zarr;  ///< resolved path, or empty
};

/// A validated pipeline. Build one with `load_pipeline` / `parse_pipeline` (pipeline.hpp) or
/// `Graph::build` from layers made in C++. Immutable after construction.
///
///   auto g = load_pipeline("samples/pipelines/cells.json");
///   if (!g) return fail(g.error());
///   for (const Layer& l : g->layers()) ...;
///   g->tasks().size();   // number of tasks
class Graph {
 public:
  Graph() = default;
  /// Validates `layers` (inputs already resolved to indices, in topological order), infers
  /// nothing, expands tasks. Throws InputError naming `source` (file), layer and field.
  static Graph build(std::string name, std::vector<Layer> layers, std::vector<OutputSpec> outputs,
                     const std::string& source = "<pipeline>");

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  void set_description(std::string d) { description_ = std::move(d); }
  const std::vector<Layer>& layers() const { return layers_; }
  const Layer& layer(int i) const { return layers_[i]; }
  /// Index of the layer with this id, or -1.
  int find_layer(const std::string& id) const;
  const std::vector<OutputSpec>& outputs() const { return outputs_; }
  const TaskGraph& tasks() const { return tasks_; }
  /// Number of tasks of layer `l` (all stages).
  std::int64_t layer_task_count(int l) const { return tasks_.layer_end(l) - tasks_.layer_begin(l); }
  /// Layer `l`'s chunk grid with precomputed offsets (fast chunk offset/shape lookups).
  const ChunkGrid& grid(int l) const { return grids_[l]; }
  /// Layers that consume layer `l`'s output.
  std::vector<int> consumers(int l) const;

 private:
  std::string name_;
  std::string description_;
  std::vector<Layer> layers_;
  std::vector<OutputSpec> outputs_;
  TaskGraph tasks_;
  std::vector<ChunkGrid> grids_;
};

}  // namespace chunkscope
