#pragma once
// Layer table panel: one row per layer (id, op, group, tasks, busy time, time share, output
// bytes, bytes at the memory peak, chunk shape, findings), sortable by any column; clicking a
// row selects the layer.
#include <vector>

#include "document.hpp"

namespace chunkscope::viewer {

class LayerTablePanel {
 public:
  void draw(Document& doc);

 private:
  std::vector<int> order_;  // row -> layer index, in the current sort order
  const Document* doc_ = nullptr;
};

}  // namespace chunkscope::viewer
