#include "chunkscope/core/task_graph.hpp"

#include <cassert>

namespace chunkscope {

void TaskGraph::begin_layer([[maybe_unused]] int l) {
  assert(static_cast<int>(layer_begin_.size()) == l);
  layer_begin_.push_back(size());
  output_begin_.push_back(size());
}

void TaskGraph::begin_outputs(int l) {  // NOLINT
  assert(static_cast<int>(output_begin_.size()) == l + 1);
  output_begin_[l] = size();
}

std::int64_t TaskGraph::add(TaskKey key, std::span<const std::int64_t> deps) {
  const std::int64_t id = size();
  layer_.push_back(key.layer);
  stage_.push_back(key.stage);
  index_.push_back(key.index);
  dep_index_.insert(dep_index_.end(), deps.begin(), deps.end());
  dep_offsets_.push_back(static_cast<std::int64_t>(dep_index_.size()));
  return id;
}

void TaskGraph::finish(int num_layers) {
  while (static_cast<int>(layer_begin_.size()) < num_layers) begin_layer(static_cast<int>(layer_begin_.size()));
  layer_begin_.push_back(size());
  // Reverse CSR: counting sort of edges by their source task.
  const std::int64_t n = size();
  out_offsets_.assign(static_cast<size_t>(n + 1), 0);
  for (auto d : dep_index_) ++out_offsets_[d + 1];
  for (std::int64_t i = 0; i < n; ++i) out_offsets_[i + 1] += out_offsets_[i];
  out_index_.resize(dep_index_.size());
  std::vector<std::int64_t> fill(out_offsets_.begin(), out_offsets_.end() - 1);
  for (std::int64_t t = 0; t < n; ++t)
    for (std::int64_t e = dep_offsets_[t]; e < dep_offsets_[t + 1]; ++e) out_index_[fill[dep_index_[e]]++] = t;
}

}  // namespace chunkscope
