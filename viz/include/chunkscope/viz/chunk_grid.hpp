#pragma once
// Chunk grid: a layer's output chunks laid out as its chunk grid (a heat map), and what a
// tooltip says about one task.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// What a cell's value is.
enum class GridColor { Duration, Bytes, Worker, Start };
/// "duration", "bytes", "worker", "start".
const char* grid_color_name(GridColor c);

/// A 2-D slice of a layer's chunk grid with one value per output (stage 0) chunk.
struct ChunkGrid {
  int layer = -1;
  Shape grid;                        ///< chunks per axis
  int row_axis = -1, col_axis = -1;  ///< axes shown as rows and columns (-1: none)
  std::vector<std::int64_t> fixed;   ///< index on each other axis (axes 0 .. ndim-3), clamped
  int rows = 1, cols = 1;
  std::vector<double> values;      ///< rows*cols, row-major; NaN = no task ran for the chunk
  std::vector<std::int64_t> task;  ///< rows*cols, -1 = none
  double vmin = 0,
         vmax = 0;  ///< over the cells with a value (duration and bytes colours span the 2nd..98th percentile)
  std::vector<std::string> colors;  ///< rows*cols fill; "" = no task
};

/// 0-d -> 1x1, 1-d -> 1 x n, N-d -> the last two axes, `fixed` choosing the index on the
/// others (missing -> 0, out of range -> clamped). Throws std::out_of_range for a bad layer.
ChunkGrid chunk_grid(const Model& m, int layer, GridColor color, std::vector<std::int64_t> fixed = {});

/// What a hover tooltip shows about a task.
struct TaskInfo {
  std::string layer;                      ///< layer id
  std::vector<std::int64_t> chunk_index;  ///< per-axis chunk coordinates (stage 0); {flat} for intermediate stages
  Shape chunk_shape;                      ///< stage 0 only
  std::int64_t bytes = 0, duration_ns = 0, start_ns = 0;
  int worker = -1, stage = 0;
  bool fused = false;
  std::string status;  ///< "done", "failed", ...
};

/// Facts about one task. Throws std::out_of_range for a bad task id.
TaskInfo task_info(const Model& m, std::int64_t task);

}  // namespace chunkscope::viz
