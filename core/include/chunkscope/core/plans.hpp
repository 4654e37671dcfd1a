#pragma once
// Plans shared by task expansion (core) and the kernels (exec/gpu): how reductions, rechunks,
// overlaps and matmuls split into tasks. Pure functions of a layer and its inputs' ArrayMeta.
#include <cstdint>
#include <vector>

#include "chunkscope/core/array_meta.hpp"
#include "chunkscope/core/layer.hpp"

namespace chunkscope {

/// Tree reduction: level 1 reduces every input chunk to a partial (reduced axes of length 1);
/// each further level combines up to `fanin[axis]` neighbouring partials along reduced axes;
/// the output tasks (stage 0) combine the last level's groups into the final values.
struct ReductionPlan {
  std::vector<int> reduced;         ///< reduced axes of the input
  std::vector<std::int64_t> fanin;  ///< per input axis: group size (1 on kept axes)
  std::vector<Shape> level_grid;    ///< grid of partials at level 1..L (index 0 is level 1)
  /// Input indices (partials at level-1 or input chunks) combined by task `index` of level `level`
  /// (level 0 = the output tasks). Returned as flat indices in the previous level's grid.
  std::vector<std::int64_t> group(int level, std::int64_t index) const;
  /// Grid of the level's tasks; level 0 = output grid in input axis order (reduced axes = 1).
  Shape grid(int level) const;
  int levels() const { return static_cast<int>(level_grid.size()); }  ///< intermediate levels (>= 1)
  Shape input_grid;
  Shape output_grid_full;  ///< like the input grid with reduced axes set to 1
};
ReductionPlan make_reduction_plan(const Layer& layer, const ArrayMeta& input);

/// Rechunk: each output chunk (stage 0) copies its region out of the input chunks it
/// intersects. When that would make an all-to-all graph with many edges, an intermediate
/// chunking is put between them (stage 1 tasks make the intermediate chunks), as Dask's
/// plan_rechunk does; see docs/design/002-rechunk-plan.md.
struct RechunkPlan {
  bool has_intermediate = false;
  Chunks intermediate;  ///< chunks of the intermediate array (when has_intermediate)
};
RechunkPlan make_rechunk_plan(const ArrayMeta& input, const ArrayMeta& output);
/// Flat indices of the chunks of `m` that intersect the box [start, start + extent).
std::vector<std::int64_t> intersecting_chunks(const ArrayMeta& m, const Shape& start, const Shape& extent);
/// The same with a precomputed grid (O(ndim log n) instead of O(chunks)).
std::vector<std::int64_t> intersecting_chunks(const ChunkGrid& g, const Shape& start, const Shape& extent);

/// Overlap for a stencil: the halo depth per axis and, for an output chunk, the input chunks whose
/// data the extended block needs (boundary modes map outside indices back into the array).
struct OverlapPlan {
  std::vector<std::int64_t> depth_before;  ///< per axis
  std::vector<std::int64_t> depth_after;
  /// Input chunks needed by output chunk `c` (flat indices, sorted, unique).
  std::vector<std::int64_t> needed_chunks(const ArrayMeta& input, std::int64_t c) const;
  BoundaryMode mode = BoundaryMode::Reflect;
};
OverlapPlan make_overlap_plan(const Layer& layer, const ArrayMeta& input);
/// Maps a global index outside [0, n) back into the array according to the mode; -1 for constant.
std::int64_t boundary_index(std::int64_t i, std::int64_t n, BoundaryMode mode);
/// Gaussian kernel radius per scipy: int(truncate * sigma + 0.5).
std::int64_t gaussian_radius(double sigma, double truncate);

/// Slice: for each output chunk along an axis, the input chunk it comes from.
struct SlicePlan {
  std::vector<std::vector<std::int64_t>> source_chunk;  ///< [axis][out chunk] -> input chunk along axis
};
SlicePlan make_slice_plan(const Layer& layer, const ArrayMeta& input);

}  // namespace chunkscope
