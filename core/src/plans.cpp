#include "chunkscope/core/plans.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "chunkscope/core/chunking.hpp"

namespace chunkscope {

// ---------------------------------------------------------------- reductions

ReductionPlan make_reduction_plan(const Layer& layer, const ArrayMeta& input) {
  ReductionPlan p;
  p.reduced = layer.params.axes;
  p.input_grid = input.grid();
  const int nd = input.ndim();
  const int nred = std::max<int>(1, static_cast<int>(p.reduced.size()));
  // Dask: per-axis fan-in = max(int(split_every ** (1 / n_reduced_axes)), 2).
  const auto per_axis = std::max<std::int64_t>(
      2, static_cast<std::int64_t>(std::pow(static_cast<double>(std::max(2, layer.params.split_every)), 1.0 / nred) +
                                   1e-9));
  p.fanin.assign(nd, 1);
  for (int a : p.reduced) p.fanin[a] = per_axis;
  int depth = 1;
  for (int a : p.reduced) {
    const auto n = p.input_grid[a];
    int d = 0;
    for (std::int64_t cover = 1; cover < n; cover *= p.fanin[a]) ++d;
    depth = std::max(depth, d);
  }
  p.level_grid.push_back(p.input_grid);  // level 1: one partial per input chunk
  for (int l = 1; l < depth; ++l) {      // combine levels
    Shape g = p.level_grid.back();
    for (int a : p.reduced) g[a] = (g[a] + p.fanin[a] - 1) / p.fanin[a];
    p.level_grid.push_back(g);
  }
  p.output_grid_full = p.input_grid;
  for (int a : p.reduced) p.output_grid_full[a] = 1;
  return p;
}

Shape ReductionPlan::grid(int level) const { return level == 0 ? output_grid_full : level_grid[level - 1]; }

namespace {
Shape unflatten(std::int64_t flat, const Shape& grid) {
  Shape c(grid.size());
  for (int a = static_cast<int>(grid.size()) - 1; a >= 0; --a) {
    c[a] = flat % grid[a];
    flat /= grid[a];
  }
  return c;
}
std::int64_t flatten(const Shape& c, const Shape& grid) {
  std::int64_t f = 0;
  for (size_t a = 0; a < grid.size(); ++a) f = f * grid[a] + c[a];
  return f;
}
}  // namespace

std::vector<std::int64_t> ReductionPlan::group(int level, std::int64_t index) const {
  const Shape g = grid(level);
  const Shape c = unflatten(index, g);
  // Level 1 reads one input chunk; level >= 2 (and the output, level 0) read the previous level.
  if (level == 1) return {index};
  const Shape prev = level == 0 ? level_grid.back() : level_grid[level - 2];
  Shape lo(c.size()), hi(c.size());
  for (size_t a = 0; a < c.size(); ++a) {
    const bool red = std::find(reduced.begin(), reduced.end(), static_cast<int>(a)) != reduced.end();
    if (!red) {
      lo[a] = c[a];
      hi[a] = c[a] + 1;
      continue;
    }
    if (level == 0) {
      lo[a] = 0;
      hi[a] = prev[a];
      continue;
    }
    lo[a] = c[a] * fanin[a];
    hi[a] = std::min(prev[a], lo[a] + fanin[a]);
  }
  std::vector<std::int64_t> out;
  Shape cur = lo;
  while (true) {
    out.push_back(flatten(cur, prev));
    int a = static_cast<int>(cur.size()) - 1;
    for (; a >= 0; --a) {
      if (++cur[a] < hi[a]) break;
      cur[a] = lo[a];
    }
    if (a < 0) break;
  }
  return out;
}

// ---------------------------------------------------------------- rechunk

std::vector<std::int64_t> intersecting_chunks(const ArrayMeta& m, const Shape& start, const Shape& extent) {
  return intersecting_chunks(ChunkGrid(m), start, extent);
}

std::vector<std::int64_t> intersecting_chunks(const ChunkGrid& grid, const Shape& start, const Shape& extent) {
  const int nd = grid.ndim();
  Shape lo(nd), hi(nd);
  for (int a = 0; a < nd; ++a) {
    const auto& b = grid.bounds(a);
    // first chunk whose end > start; last chunk whose begin < start + extent
    lo[a] = std::upper_bound(b.begin() + 1, b.end(), start[a]) - (b.begin() + 1);
    hi[a] = std::lower_bound(b.begin(), b.end() - 1, start[a] + extent[a]) - b.begin();
  }
  std::vector<std::int64_t> out;
  for (int a = 0; a < nd; ++a)
    if (lo[a] >= hi[a]) return out;
  Shape cur = lo;
  while (true) {
    out.push_back(grid.flat(cur));
    int a = nd - 1;
    for (; a >= 0; --a) {
      if (++cur[a] < hi[a]) break;
      cur[a] = lo[a];
    }
    if (a < 0) break;
  }
  return out;
}

namespace {
// Number of (from chunk, to chunk) intersecting pairs along each axis, multiplied over axes.
double edge_count(const Chunks& from, const Chunks& to) {
  double e = 1;
  for (size_t a = 0; a < from.size(); ++a) {
    const auto bf = chunk_bounds(from[a]), bt = chunk_bounds(to[a]);
    std::int64_t pairs = 0;
    size_t i = 0, j = 0;
    while (i < from[a].size() && j < to[a].size()) {
      ++pairs;
      if (bf[i + 1] < bt[j + 1])
        ++i;
      else if (bt[j + 1] < bf[i + 1])
        ++j;
      else {
        ++i;
        ++j;
      }
    }
    e *= static_cast<double>(pairs);
  }
  return e;
}
double chunk_count(const Chunks& c) {
  double n = 1;
  for (const auto& a : c) n *= static_cast<double>(a.size());
  return n;
}
}  // namespace

RechunkPlan make_rechunk_plan(const ArrayMeta& input, const ArrayMeta& output) {
  RechunkPlan p;
  const double direct = edge_count(input.chunks, output.chunks);
  const double n_in = chunk_count(input.chunks), n_out = chunk_count(output.chunks);
  // Only worth it for wide all-to-all patterns: many more edges than chunks.
  if (direct <= 8.0 * (n_in + n_out) || direct < 1024) return p;
  const Shape ci = input.max_chunk_shape(), co = output.max_chunk_shape();
  Chunks mid(input.ndim());
  for (int a = 0; a < input.ndim(); ++a) {
    const auto s = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(ci[a]) * static_cast<double>(co[a])))));
    mid[a] = regular_chunks(input.shape[a], s);
  }
  const double via = edge_count(input.chunks, mid) + edge_count(mid, output.chunks);
  if (via < 0.5 * direct) {
    p.has_intermediate = true;
    p.intermediate = std::move(mid);
  }
  return p;
}

// ---------------------------------------------------------------- overlap

std::int64_t gaussian_radius(double sigma, double truncate) {
  return static_cast<std::int64_t>(truncate * sigma + 0.5);
}

std::int64_t boundary_index(std::int64_t i, std::int64_t n, BoundaryMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case BoundaryMode::Nearest: return i < 0 ? 0 : n - 1;
    case BoundaryMode::Wrap: return ((i % n) + n) % n;
    case BoundaryMode::Reflect: {  // half-sample symmetric: d c b a | a b c d | d c b a
      const std::int64_t period = 2 * n;
      std::int64_t k = ((i % period) + period) % period;
      return k < n ? k : period - 1 - k;
    }
    case BoundaryMode::Constant: return -1;
  }
  return -1;
}

OverlapPlan make_overlap_plan(const Layer& layer, const ArrayMeta& input) {
  OverlapPlan p;
  p.mode = layer.params.mode;
  const int nd = input.ndim();
  p.depth_before.assign(nd, 0);
  p.depth_after.assign(nd, 0);
  for (int a = 0; a < nd; ++a) {
    if (layer.op == Op::GaussianFilter) {
      const double s = layer.params.sigma[a];
      if (s > 1e-15) {
        const auto r = gaussian_radius(s, layer.params.truncate);
        p.depth_before[a] = p.depth_after[a] = r;
      }
    } else {
      const auto s = layer.params.size[a];
      if (s > 1) {
        p.depth_before[a] = s / 2;
        p.depth_after[a] = s - s / 2 - 1;
      }
    }
  }
  return p;
}

std::vector<std::int64_t> OverlapPlan::needed_chunks(const ArrayMeta& input, std::int64_t c) const {
  const int nd = input.ndim();
  const Shape off = input.chunk_offset(c), ext = input.chunk_shape(c);
  std::vector<std::vector<std::int64_t>> per_axis(nd);
  for (int a = 0; a < nd; ++a) {
    const auto b = chunk_bounds(input.chunks[a]);
    std::set<std::int64_t> s;
    const std::int64_t n = input.shape[a];
    for (std::int64_t i = off[a] - depth_before[a]; i < off[a] + ext[a] + depth_after[a];) {
      const std::int64_t g = boundary_index(i, n, mode);
      if (g < 0) {
        ++i;
        continue;
      }
      const std::int64_t k = std::upper_bound(b.begin() + 1, b.end(), g) - (b.begin() + 1);
      s.insert(k);
      // Skip ahead within the run of indices that map monotonically into the same chunk.
      if (i >= 0 && i < n)
        i = std::min(b[k + 1], off[a] + ext[a] + depth_after[a]);
      else
        ++i;
    }
    per_axis[a].assign(s.begin(), s.end());
  }
  std::vector<std::int64_t> out;
  Shape cur(nd, 0);
  for (int a = 0; a < nd; ++a)
    if (per_axis[a].empty()) return out;
  while (true) {
    Shape coords(nd);
    for (int a = 0; a < nd; ++a) coords[a] = per_axis[a][cur[a]];
    out.push_back(input.chunk_flat(coords));
    int a = nd - 1;
    for (; a >= 0; --a) {
      if (++cur[a] < static_cast<std::int64_t>(per_axis[a].size())) break;
      cur[a] = 0;
    }
    if (a < 0) break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------- slice

SlicePlan make_slice_plan(const Layer& layer, const ArrayMeta& input) {
  SlicePlan p;
  const int nd = input.ndim();
  p.source_chunk.resize(nd);
  for (int a = 0; a < nd; ++a) {
    const auto b = chunk_bounds(input.chunks[a]);
    const AxisSlice& s = layer.params.slices[a];
    // One step per run of elements in the same input chunk (as in the parser), not per element.
    for (std::int64_t i = 0; i < s.count;) {
      const std::int64_t k = std::upper_bound(b.begin() + 1, b.end(), s.at(i)) - (b.begin() + 1);
      p.source_chunk[a].push_back(k);
      i = std::min(s.count, s.step > 0 ? (b[k + 1] - s.start - 1) / s.step + 1 : -((s.start - b[k]) / s.step) + 1);
    }
  }
  return p;
}

}  // namespace chunkscope
