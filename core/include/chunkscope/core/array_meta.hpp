#pragma once
// ArrayMeta: shape, per-axis chunk sizes (Dask's convention) and dtype of a chunked array.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/dtype.hpp"

namespace chunkscope {

using Shape = std::vector<std::int64_t>;
/// Per-axis lists of chunk sizes: chunks[axis][k] is the size of the k-th chunk along `axis`.
using Chunks = std::vector<std::vector<std::int64_t>>;

/// Shape, chunking and dtype of a chunked array, with chunk-grid arithmetic.
///
///   ArrayMeta a{{100, 60}, {{50, 50}, {32, 28}}, DType::Float64};
///   a.num_chunks();            // 4
///   a.chunk_shape(3);          // {50, 28}
///   a.chunk_bytes(3);          // 50*28*8
///
/// Chunk indices are flattened in C order over the chunk grid.
struct ArrayMeta {
  Shape shape;
  Chunks chunks;
  DType dtype = DType::Float64;

  int ndim() const { return static_cast<int>(shape.size()); }
  /// Number of chunks along each axis.
  Shape grid() const;
  /// Total number of chunks (product of grid()).
  std::int64_t num_chunks() const;
  /// Total number of elements.
  std::int64_t size() const;
  /// Total bytes.
  std::int64_t nbytes() const { return size() * dtype_size(dtype); }
  /// Flat chunk index -> per-axis chunk coordinates.
  Shape chunk_coords(std::int64_t flat) const;
  /// Per-axis chunk coordinates -> flat chunk index.
  std::int64_t chunk_flat(const Shape& coords) const;
  /// Shape of one chunk.
  Shape chunk_shape(std::int64_t flat) const;
  /// Global start offset of one chunk along each axis.
  Shape chunk_offset(std::int64_t flat) const;
  /// Bytes of one chunk.
  std::int64_t chunk_bytes(std::int64_t flat) const;
  /// Bytes of the largest chunk.
  std::int64_t max_chunk_bytes() const;
  /// Shape of the largest chunk (per-axis maximum).
  Shape max_chunk_shape() const;
  /// True when every axis has equal chunks except possibly a smaller last one (Zarr's rule).
  bool regular() const;
};

/// An ArrayMeta's chunk grid with precomputed per-axis offsets: O(ndim) offset/shape lookups and
/// O(log n) location of an element, where ArrayMeta's own methods are O(chunks along the axis).
/// Build one per layer for hot paths (Graph::grid does).
class ChunkGrid {
 public:
  ChunkGrid() = default;
  explicit ChunkGrid(const ArrayMeta& m);
  int ndim() const { return static_cast<int>(bounds_.size()); }
  /// Per-axis chunk coordinates of a flat chunk index.
  Shape coords(std::int64_t flat) const;
  std::int64_t flat(const Shape& coords) const;
  Shape offset(std::int64_t flat) const;
  Shape shape(std::int64_t flat) const;
  /// Index along `axis` of the chunk holding element `i`.
  std::int64_t locate(int axis, std::int64_t i) const;
  /// Chunk boundaries along one axis (size = chunks + 1).
  const std::vector<std::int64_t>& bounds(int axis) const { return bounds_[axis]; }

 private:
  std::vector<std::vector<std::int64_t>> bounds_;
};

/// Start offsets of the chunks along one axis (size n+1; last entry is the axis length).
std::vector<std::int64_t> chunk_bounds(const std::vector<std::int64_t>& sizes);
/// "16×512×512" style text of a shape.
std::string format_shape(const Shape& s);
/// Compact description of per-axis chunks: "(16, 512, 512)" for regular, "(16, 512, 100..512)" otherwise.
std::string format_chunk_shape(const Chunks& c);

}  // namespace chunkscope
