#pragma once
// Chunk-grid panel: the selected layer's output chunks laid out as its chunk grid (viz::chunk_grid),
// coloured by duration, bytes, worker or start; N-d layers get a slider per hidden axis. Hovering
// a cell shows its task (viz::task_info). Cells are drawn to scale (widths and heights proportional
// to the chunk sizes, so irregular chunks show), the axes carry their names (params.dims, else
// "axis k") and element offsets, and the ramp's legend states the true and the clipped range
// (viz::grid_scale). Before any selection it shows the first finding's layer (or the busiest).
// The grid is recomputed only when its inputs change.
#include <cstdint>
#include <vector>

#include "chunkscope/viz/chunk_grid.hpp"
#include "document.hpp"

namespace chunkscope::viewer {

class ChunkGridPanel {
 public:
  void draw(Document& doc);

 private:
  const Document* doc_ = nullptr;
  int layer_ = -1;
  viz::GridColor color_ = viz::GridColor::Duration;
  std::vector<std::int64_t> fixed_;
  viz::ChunkGrid grid_;
  viz::GridScale scale_;
};

}  // namespace chunkscope::viewer
