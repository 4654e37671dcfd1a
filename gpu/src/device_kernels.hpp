#pragma once
// Launchers of the device kernels (kernels_*.cu). Plain C++ declarations: cuda_executor.cpp and
// device_ops.cpp are compiled by the host compiler and call these. Every launcher enqueues on
// `stream` and returns at once; a launch error is thrown as std::runtime_error. n == 0 launches
// nothing. Private to gpu/src/.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "chunkscope/core/dtype.hpp"
#include "chunkscope/core/layer.hpp"

namespace chunkscope::gpu {

/// Most axes a device copy or random fill handles (the host falls back above it).
constexpr int kMaxDims = 8;

/// An N-d strided region: for each index i in [0, extent), dst[Σ i·dst_stride] = src[Σ i·src_stride].
/// Strides are in elements and may be negative.
struct StridedDesc {
  int nd = 0;
  std::int64_t extent[kMaxDims] = {};
  std::int64_t src_stride[kMaxDims] = {};
  std::int64_t dst_stride[kMaxDims] = {};
};

/// Strided copy of elements of `itemsize` bytes (1, 2, 4 or 8), no conversion.
void launch_copy_strided(const StridedDesc& d, const void* src, void* dst, int itemsize, cudaStream_t stream);

/// Sets n elements of `itemsize` bytes to the bytes in `value`.
void launch_fill(void* dst, std::int64_t n, const std::byte* value, int itemsize, cudaStream_t stream);

/// The `random` source over a C-order block of shape extent[0..nd): element i gets the value of global
/// index base + Σ i[a]·index_stride[a] (core/philox.hpp), as float32 or float64.
void launch_random(DType dtype, std::uint64_t seed, std::int64_t base, int nd, const std::int64_t* extent,
                   const std::int64_t* index_stride, void* out, cudaStream_t stream);

/// One element-wise operand: an input chunk (data != nullptr) of `dtype`, or a scalar.
struct EwOperand {
  const void* data = nullptr;
  DType dtype = DType::Float64;
  double scalar = 0;
};

/// out[i] = op(operands[i]) for i in [0, n), computed in `compute` with NumPy's casts (exec's
/// kernels/numeric.hpp), stored as `out_dtype`. Where: operands are (condition, a, b).
void launch_elementwise(Op op, DType compute, DType out_dtype, const EwOperand* operands, int count, void* out,
                        std::int64_t n, cudaStream_t stream);

/// Whether launch_elementwise implements `op` in computation type `compute` (false: run on the host).
bool elementwise_on_device(Op op, DType compute);

}  // namespace chunkscope::gpu
