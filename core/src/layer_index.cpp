#include "chunkscope/core/layer_index.hpp"

namespace chunkscope {

LayerIndex::LayerIndex(const std::vector<TraceLayer>& layers) {
  first_.reserve(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) first_.try_emplace(layers[i].id, static_cast<int>(i));
}

int LayerIndex::find(const std::string& id) const {
  const auto it = first_.find(id);
  return it == first_.end() ? -1 : it->second;
}

int LayerIndex::find_before(const std::string& id, size_t before) const {
  const int i = find(id);
  return i >= 0 && static_cast<size_t>(i) < before ? i : -1;
}

}  // namespace chunkscope
