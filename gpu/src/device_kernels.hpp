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
#include "device_math.hpp"

namespace chunkscope::gpu {

/// Most axes a device kernel handles (the host falls back above it).
constexpr int kMaxDims = dm::kAxes;

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

using dm::EwOperand;

/// out[i] = op(operands[i]) for i in [0, n), computed in `compute` with NumPy's casts (exec's
/// kernels/numeric.hpp), stored as `out_dtype`. Where: operands are (condition, a, b).
void launch_elementwise(Op op, DType compute, DType out_dtype, const EwOperand* operands, int count, void* out,
                        std::int64_t n, cudaStream_t stream);

/// A fused chain of element-wise layers over n elements into out (one kernel, no intermediates).
void launch_fused(const dm::FusedProgram& p, void* out, std::int64_t n, cudaStream_t stream);

// ---- reductions (kernels_reduce.cu): exec's partial layouts (device_math.hpp)

/// Stage 1: one input chunk (walk `w`) into a partial at `out`; `scratch` (dm::reduce_scratch_bytes,
/// may be null: no split) holds the per-segment partials when the values are split over blocks.
void launch_reduce_chunk(const dm::ReduceSpec& r, const dm::ReduceWalk& w, const void* src, void* out, void* scratch,
                         cudaStream_t stream);

/// Combines in.n partials of k elements into a partial (final = false) or the layer's values.
void launch_reduce_combine(const dm::ReduceSpec& r, const dm::CombineIn& in, std::int64_t k, bool final, void* out,
                           cudaStream_t stream);

// ---- filters (kernels_stencil.cu)

/// Stage 1: the extended block of one chunk, itemsize-byte elements; cval: the fill's bytes.
void launch_gather(const dm::GatherDesc& d, int itemsize, const std::byte* cval, void* out, cudaStream_t stream);

/// n elements of dtype t as float64, with constant mode's reset where reset.reset (axes >= 0).
void launch_to_double(DType t, const void* in, double* out, std::int64_t n, const dm::PassDesc& reset,
                      cudaStream_t stream);

/// One 1-D filter pass (rounding to dtype t after it, as scipy).
void launch_filter_pass(DType t, const dm::PassDesc& d, const double* in, double* out, cudaStream_t stream);

/// n float64 values cast to dtype t.
void launch_from_double(DType t, const double* in, void* out, std::int64_t n, cudaStream_t stream);

}  // namespace chunkscope::gpu
