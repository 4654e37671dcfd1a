#pragma once
// N-d strided copies between chunk buffers: the one routine behind transpose, slice, rechunk,
// concatenate, pushed-down source reads and array I/O.
//
//   // Copy the part of input block `in` that lies inside output block `out` (same dtype):
//   copy_box({in.data(), in_offset, in_shape}, {out.data(), out_offset, out_shape}, 8);
//
//   // Transpose a 2-d float64 chunk of shape (r, c) into (c, r):
//   const std::int64_t ext[] = {c, r}, src[] = {8, 8 * c}, dst[] = {8 * r, 8};
//   copy_strided(ext, in, src, out, dst, 8);
//
// Strides are in bytes and may be negative (reversed slices) or zero (broadcast: a fill).
// Contiguous runs are copied with memcpy; transposes are cache-blocked.
#include <cstddef>
#include <cstdint>
#include <span>

#include "chunkscope/core/array_meta.hpp"

namespace chunkscope {

/// For every index i in [0, extent): dst[i · dst_stride] = src[i · src_stride] (byte strides,
/// `itemsize` bytes per element). The three spans have the same length (any number of axes,
/// zero axes copies one element). Source and destination must not overlap.
void copy_strided(std::span<const std::int64_t> extent, const std::byte* src, std::span<const std::int64_t> src_stride,
                  std::byte* dst, std::span<const std::int64_t> dst_stride, int itemsize);

/// Like copy_strided, converting each element from dtype `from` to dtype `to` with NumPy's
/// astype rules (to bool: != 0; float to int: truncation toward zero, NaN and out-of-range
/// values give 0 / the type's limits instead of undefined behaviour).
void convert_strided(std::span<const std::int64_t> extent, const std::byte* src,
                     std::span<const std::int64_t> src_stride, DType from, std::byte* dst,
                     std::span<const std::int64_t> dst_stride, DType to);

/// Sets every element of a strided region to `value` (`itemsize` bytes).
void fill_strided(std::span<const std::int64_t> extent, std::byte* dst, std::span<const std::int64_t> dst_stride,
                  const std::byte* value, int itemsize);

/// Writes `value` converted to `dtype` (NumPy's astype rules) into `out` (dtype_size bytes).
void scalar_to_dtype(double value, DType dtype, std::byte* out);

/// Byte strides of a C-order array of this shape.
Shape c_strides(const Shape& shape, int itemsize);

/// A C-order block of a larger array: where it lies (global offset) and its shape.
struct ConstBlock {
  const std::byte* data;
  Shape offset;
  Shape shape;
};
struct MutableBlock {
  std::byte* data;
  Shape offset;
  Shape shape;
};

/// Copies the intersection of `from` and `to` (same dtype, `itemsize` bytes per element) into
/// `to`. Returns false, copying nothing, when they do not intersect.
bool copy_box(const ConstBlock& from, const MutableBlock& to, int itemsize);

/// Number of elements of a shape (1 for zero axes).
inline std::int64_t shape_size(const Shape& s) {
  std::int64_t n = 1;
  for (auto x : s) n *= x;
  return n;
}

}  // namespace chunkscope
