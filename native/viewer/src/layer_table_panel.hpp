#pragma once
// Layer table panel: one row per layer in graph (trace) order — id (red when a task failed), a
// small to-scale picture of its chunk grid, op, shape, dtype, chunk shape, chunk count, tasks, time
// ("not run" / "failed"), time share, bytes held at the memory peak, output bytes, group, findings —
// sortable by any column; clicking a row selects the layer.
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
