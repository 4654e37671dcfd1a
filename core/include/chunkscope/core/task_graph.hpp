#pragma once
// The expanded task DAG: columnar task arrays plus dependencies in CSR form.
#include <cstdint>
#include <span>
#include <vector>

namespace chunkscope {

/// Identifies what a task computes: `stage` 0 is a layer's output chunk `index` (flat, in the
/// layer's chunk grid); stages >= 1 are intermediate tasks whose meaning depends on the op
/// (reduction tree levels, rechunk split pieces, overlap/halo gathering), see plans.hpp.
struct TaskKey {
  std::int32_t layer = 0;
  std::int32_t stage = 0;
  std::int64_t index = 0;
};

/// All tasks of a graph. Tasks of one layer are contiguous: intermediate stages first (stage 1,
/// 2, ...), then the layer's output tasks in chunk order, so `output_task(l, c)` is O(1).
class TaskGraph {
 public:
  std::int64_t size() const { return static_cast<std::int64_t>(layer_.size()); }
  TaskKey key(std::int64_t task) const { return {layer_[task], stage_[task], index_[task]}; }
  std::int32_t layer(std::int64_t task) const { return layer_[task]; }
  std::int32_t stage(std::int64_t task) const { return stage_[task]; }
  std::int64_t index(std::int64_t task) const { return index_[task]; }
  /// Input tasks of `task`, in the order the op's kernel expects them.
  std::span<const std::int64_t> deps(std::int64_t task) const {
    return {dep_index_.data() + dep_offsets_[task], dep_index_.data() + dep_offsets_[task + 1]};
  }
  /// Tasks that depend on `task` (built on demand by build_dependents()).
  std::span<const std::int64_t> dependents(std::int64_t task) const {
    return {out_index_.data() + out_offsets_[task], out_index_.data() + out_offsets_[task + 1]};
  }
  /// First task of layer `l` (any stage) and one past its last.
  std::int64_t layer_begin(int l) const { return layer_begin_[l]; }
  std::int64_t layer_end(int l) const { return layer_begin_[l + 1]; }
  /// Task that produces chunk `chunk` of layer `l` (stage 0).
  std::int64_t output_task(int l, std::int64_t chunk) const { return output_begin_[l] + chunk; }
  std::int64_t output_begin(int l) const { return output_begin_[l]; }
  std::int64_t num_edges() const { return static_cast<std::int64_t>(dep_index_.size()); }
  const std::vector<std::int64_t>& dep_offsets() const { return dep_offsets_; }
  const std::vector<std::int64_t>& dep_index() const { return dep_index_; }

  // ---- building (used by Graph::build, core/src/graph.cpp) ----
  /// Starts layer `l`; layers must be begun in index order.
  void begin_layer(int l);
  /// Marks where layer `l`'s stage-0 tasks start (call before adding them).
  void begin_outputs(int l);
  /// Appends a task and returns its id.
  std::int64_t add(TaskKey key, std::span<const std::int64_t> deps);
  std::int64_t add(TaskKey key, std::initializer_list<std::int64_t> deps) {
    return add(key, std::span<const std::int64_t>(deps.begin(), deps.size()));
  }
  /// Closes the last layer and builds the reverse (dependents) CSR.
  void finish(int num_layers);

 private:
  std::vector<std::int32_t> layer_;
  std::vector<std::int32_t> stage_;
  std::vector<std::int64_t> index_;
  std::vector<std::int64_t> dep_offsets_{0};
  std::vector<std::int64_t> dep_index_;
  std::vector<std::int64_t> out_offsets_;
  std::vector<std::int64_t> out_index_;
  std::vector<std::int64_t> layer_begin_;
  std::vector<std::int64_t> output_begin_;
};

}  // namespace chunkscope
