// chunk_grid: a layer's output chunks as a 2-D heat map.
#include "chunkscope/viz/chunk_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "chunkscope/viz/palette.hpp"

namespace chunkscope::viz {

const char* grid_color_name(GridColor c) {
  switch (c) {
    case GridColor::Duration: return "duration";
    case GridColor::Bytes: return "bytes";
    case GridColor::Worker: return "worker";
    case GridColor::Start: return "start";
  }
  return "?";
}

ChunkGrid chunk_grid(const Model& m, int layer, GridColor color, std::vector<std::int64_t> fixed) {
  if (layer < 0 || static_cast<size_t>(layer) >= m.layers().size())
    throw std::out_of_range("chunk_grid: no layer " + std::to_string(layer));
  const TraceLayer& tl = m.trace().layers[static_cast<size_t>(layer)];
  ChunkGrid g;
  g.layer = layer;
  for (const auto& axis : tl.chunks) g.grid.push_back(static_cast<std::int64_t>(axis.size()));
  const int nd = static_cast<int>(g.grid.size());
  // Strides of the C-order flat chunk index.
  std::vector<std::int64_t> stride(static_cast<size_t>(nd), 1);
  for (int a = nd - 2; a >= 0; --a)
    stride[static_cast<size_t>(a)] = stride[static_cast<size_t>(a) + 1] * g.grid[static_cast<size_t>(a) + 1];
  std::int64_t base = 0;
  if (nd >= 1) g.col_axis = nd - 1, g.cols = static_cast<int>(std::min<std::int64_t>(g.grid.back(), INT32_MAX));
  if (nd >= 2)
    g.row_axis = nd - 2,
    g.rows = static_cast<int>(std::min<std::int64_t>(g.grid[static_cast<size_t>(nd) - 2], INT32_MAX));
  for (int a = 0; a + 2 < nd; ++a) {
    std::int64_t idx = static_cast<size_t>(a) < fixed.size() ? fixed[static_cast<size_t>(a)] : 0;
    idx = std::clamp<std::int64_t>(idx, 0, std::max<std::int64_t>(0, g.grid[static_cast<size_t>(a)] - 1));
    g.fixed.push_back(idx);
    base += idx * stride[static_cast<size_t>(a)];
  }
  if (g.rows <= 0 || g.cols <= 0) g.rows = g.cols = 0;  // an axis without chunks
  const size_t cells = static_cast<size_t>(g.rows) * static_cast<size_t>(g.cols);
  g.values.assign(cells, std::numeric_limits<double>::quiet_NaN());
  g.task.assign(cells, -1);
  g.colors.assign(cells, "");
  if (cells == 0) return g;
  const TraceTasks& c = m.trace().tasks;
  const std::int64_t row_stride = nd >= 2 ? stride[static_cast<size_t>(nd) - 2] : 0;
  for (auto t : m.layer_tasks(layer)) {
    if (c.stage[t] != 0) continue;
    const std::int64_t off = c.chunk[t] - base;
    if (off < 0) continue;
    const std::int64_t r = nd >= 2 ? off / row_stride : 0;
    const std::int64_t col = nd >= 2 ? off % row_stride : off;
    if (r >= g.rows || col >= g.cols || (nd >= 2 && col >= g.grid.back())) continue;
    const size_t cell = static_cast<size_t>(r) * static_cast<size_t>(g.cols) + static_cast<size_t>(col);
    g.task[cell] = t;
    const bool ran = c.status[t] == 1 || c.status[t] == 2;
    if (!ran) continue;
    switch (color) {
      case GridColor::Duration: g.values[cell] = static_cast<double>(c.duration(t)); break;
      case GridColor::Bytes: g.values[cell] = static_cast<double>(c.bytes[t]); break;
      case GridColor::Worker: g.values[cell] = c.worker[t]; break;
      case GridColor::Start: g.values[cell] = static_cast<double>(c.start_ns[t]); break;
    }
  }
  bool any = false;
  for (double v : g.values)
    if (!std::isnan(v)) {
      g.vmin = any ? std::min(g.vmin, v) : v;
      g.vmax = any ? std::max(g.vmax, v) : v;
      any = true;
    }
  // Colours span the 2nd..98th percentile (vmin/vmax stay the true range): one 12 ms straggler
  // among 16,384 chunks of 0.3 ms would otherwise leave every other chunk the palette's lightest.
  double lo = g.vmin, hi = g.vmax;
  if (color == GridColor::Duration || color == GridColor::Bytes) {
    std::vector<double> sorted;
    sorted.reserve(cells);
    for (double v : g.values)
      if (!std::isnan(v)) sorted.push_back(v);
    if (sorted.size() >= 50) {
      const size_t a = sorted.size() / 50, b = sorted.size() - 1 - sorted.size() / 50;
      std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(a), sorted.end());
      lo = sorted[a];
      std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(b), sorted.end());
      hi = sorted[b];
    }
  }
  for (size_t i = 0; i < cells; ++i) {
    if (std::isnan(g.values[i])) continue;
    const double v01 = hi > lo ? std::clamp((g.values[i] - lo) / (hi - lo), 0.0, 1.0) : 1.0;
    g.colors[i] = color == GridColor::Worker ? worker_color(static_cast<int>(g.values[i])) : value_color(v01);
  }
  return g;
}

}  // namespace chunkscope::viz
