#pragma once
// The chunk advisor: chunk shapes near a byte target for an array, given how it is accessed and
// how many threads will work on it (`chunkscope advise --shape ... --dtype ...`). The analysis
// rules use the same functions to make their advice concrete.
//
//   ChunkRequest r;
//   r.shape = {64, 8192, 8192};
//   r.dtype = DType::Float32;
//   r.access = Access::Plane;            // each chunk holds whole planes (or whole rows of a plane)
//   r.threads = 16;
//   auto c = advise_chunks(r);           // c[0] is the recommendation, then alternatives
//   c[0].chunk;                          // {1, 4096, 8192}: 128 MiB, 128 chunks
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/array_meta.hpp"
#include "chunkscope/core/chunking.hpp"

namespace chunkscope {

/// How consumers read the array: `Plane` = whole planes (the last two axes; e.g. 2-D filters on a
/// stack), `Column` = whole columns along the first axis (time series, per-variant reductions over
/// samples run along axis 1, per-sample along axis 0), `Any` = no preference (as square as possible).
enum class Access : std::uint8_t { Any, Plane, Column };
std::string_view access_name(Access a);
std::optional<Access> parse_access(std::string_view s);

/// What one axis of an advised chunk shape should respect.
struct AxisWish {
  bool whole = false;    ///< keep the axis whole while the byte target allows it
  std::int64_t min = 1;  ///< smallest chunk size along the axis (e.g. 8x a stencil's halo)
};

/// A regular chunk shape for an array of `shape` with about `target_bytes` per chunk: axes
/// wished whole stay whole while that fits (the first such axes are given up first), the other
/// axes share the remaining budget in proportion to `base` (the current chunk shape; empty = as
/// square as possible), and sizes are rounded to even splits of their axis (a power of two when
/// that divides the axis). Never returns a size < 1 or > the axis length.
Shape chunk_shape_near(const Shape& shape, int itemsize, std::int64_t target_bytes,
                       const std::vector<AxisWish>& wishes = {}, const Shape& base = {});
/// Number of chunks of a regular chunking of `shape` by `chunk`.
std::int64_t chunk_count(const Shape& shape, const Shape& chunk);
/// Product of `chunk` x itemsize.
std::int64_t chunk_nbytes(const Shape& chunk, int itemsize);
/// The byte target after leaving `chunks_per_worker` chunks per worker when the array is big
/// enough: min(target, array / (workers x chunks_per_worker)), but at least min_bytes (and at most
/// the array). workers <= 0 ignores parallelism.
std::int64_t parallel_target(std::int64_t array_bytes, std::int64_t target, std::int64_t min_bytes, int workers,
                             double chunks_per_worker);
/// A chunk spec for a pipeline's "chunks" field: the size per axis, -1 where the chunk is the whole axis.
nlohmann::json chunk_spec_json(const Shape& shape, const Shape& chunk);
/// Whole-axis wishes for an access pattern on an array of `ndim` axes.
std::vector<AxisWish> access_wishes(Access a, int ndim);

/// Input of advise_chunks.
struct ChunkRequest {
  Shape shape;
  DType dtype = DType::Float64;
  std::int64_t target_bytes = kDefaultChunkTarget;
  Access access = Access::Any;
  int threads = 0;  ///< 0 = do not size for parallelism
  std::int64_t min_bytes = 1LL << 20;
  double chunks_per_worker = 2;
};

/// One proposal.
struct ChunkCandidate {
  std::string label;  ///< "recommended", "any access", "more parallelism", ...
  Shape chunk;
  std::int64_t chunk_bytes = 0;
  std::int64_t chunks = 0;  ///< number of chunks = tasks per layer
  std::string why;          ///< one sentence
};

/// The recommendation (first) and up to three alternatives, without duplicates. Throws
/// InputError on an empty shape, non-positive sizes/target, or an array over 2^60 bytes.
std::vector<ChunkCandidate> advise_chunks(const ChunkRequest& r);
/// A table of the candidates with a header describing the array.
std::string chunk_candidates_text(const ChunkRequest& r, const std::vector<ChunkCandidate>& c);

}  // namespace chunkscope
