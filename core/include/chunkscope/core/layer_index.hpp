#pragma once
// Layer id -> position in a trace's layer list, in O(1): analysis and the view model look inputs
// up by id once per edge, so a linear search makes a long chain quadratic (issue 14, item 5).
#include <string>
#include <unordered_map>
#include <vector>

#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// The positions of layer ids, built once in O(layers). Owns copies of the ids, so it stays valid
/// when the layer list moves; rebuild it when the list changes.
///
///     const LayerIndex ids(trace.layers);
///     const int in = ids.find_before(trace.layers[l].inputs[0], l);  // -1 when not an earlier layer
class LayerIndex {
 public:
  LayerIndex() = default;
  explicit LayerIndex(const std::vector<TraceLayer>& layers);
  /// Position of the first layer named `id`, or -1.
  int find(const std::string& id) const;
  /// As find(), but only among the first `before` layers (an input is defined before its reader).
  int find_before(const std::string& id, size_t before) const;

 private:
  std::unordered_map<std::string, int> first_;
};

}  // namespace chunkscope
