#include "chunkscope/viz/view.hpp"

namespace chunkscope::viz {
namespace {
void toggle(std::set<std::string>& s, const std::string& key) {
  if (!s.erase(key)) s.insert(key);
}
}  // namespace

void ViewState::toggle_group(const std::string& path) { toggle(expanded_groups, path); }

void ViewState::toggle_layer(const std::string& id) { toggle(expanded_layers, id); }

void ViewState::expand_to(const Model& m, const std::string& layer_id) {
  const int l = m.find_layer(layer_id);
  if (l < 0) return;
  for (int g : m.ancestors_of_layer(l)) expanded_groups.insert(m.groups()[static_cast<size_t>(g)].path);
}

}  // namespace chunkscope::viz
