#pragma once
// Chunk normalisation in the spirit of Dask's normalize_chunks.
#include <cstdint>
#include <vector>

#include "chunkscope/core/array_meta.hpp"

namespace chunkscope {

/// How one axis is to be chunked.
struct AxisChunkSpec {
  enum class Kind { Size, Whole, Auto, Explicit } kind = Kind::Auto;
  std::int64_t size = 0;                ///< for Size
  std::vector<std::int64_t> explicit_;  ///< for Explicit: the chunk sizes, must sum to the axis length
};

/// A chunk request for every axis (the pipeline's `chunks` field, parsed).
using ChunkSpec = std::vector<AxisChunkSpec>;

/// Default byte target of "auto" chunks (128 MiB, as Dask's array.chunk-size).
inline constexpr std::int64_t kDefaultChunkTarget = 128LL * 1024 * 1024;

/// Turns a ChunkSpec into per-axis chunk sizes for `shape`. "auto" axes get sizes so that a chunk
/// holds about `target_bytes`, as square as the other axes allow. Throws InputError (message
/// without location: the caller adds file/layer/field) on sizes <= 0 or lists that do not sum.
Chunks normalize_chunks(const ChunkSpec& spec, const Shape& shape, int itemsize,
                        std::int64_t target_bytes = kDefaultChunkTarget);

/// Regular chunks of `size` along an axis of length n > 0 (the last chunk may be smaller).
std::vector<std::int64_t> regular_chunks(std::int64_t n, std::int64_t size);

/// The common refinement of two chunkings of the same axis (Dask's unify_chunks on one axis).
std::vector<std::int64_t> common_refinement(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);

/// Stored chunks decoded when an array stored in regular chunks of shape `stored` (a Zarr array)
/// is read in the chunks `read`: each read chunk decodes every stored chunk it intersects. Equals
/// the number of stored chunks when every stored chunk lies inside one read chunk; a multiple of
/// it when the read chunks cut across the stored ones ((32, 4096) reads of (4096, 32) stored
/// chunks decode each stored chunk once per read chunk). A double: no overflow.
double stored_chunk_decodes(const Chunks& read, const Shape& stored);
/// Number of regular stored chunks of shape `stored` in an array of `shape`.
double stored_chunk_count(const Shape& shape, const Shape& stored);

}  // namespace chunkscope
