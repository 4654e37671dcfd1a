// Device gaussian_filter and uniform_filter, equal to exec's (and so scipy's) element by element
// (exec/src/kernels/stencil.cpp):
//   stage 1  gather: each element of the extended block (chunk + halo) copied from the input chunk
//            it maps to through the boundary mode, or cval outside the array in constant mode.
//   stage 0  the block in float64 (+ constant mode's reset), then one pass per filtered axis
//            (axis 0 first): gaussian one thread per output element (symmetric taps in exec's
//            order), uniform one thread per line (the running sum is sequential in exec too); each
//            pass rounds to the array's dtype and resets the outside positions; then the chunk's
//            values cast back to the dtype. Compiled with -fmad=false: no contracted multiply-add.
#include <cuda_runtime.h>

#include <cstring>

#include "device_kernels.hpp"
#include "device_math.hpp"
#include "launch_util.cuh"

namespace chunkscope::gpu {
namespace {

template <class W>
__global__ void gather_kernel(dm::GatherDesc d, W cval, W* __restrict__ out, std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) {
    std::int64_t off;
    const void* src = dm::gather_source(d, i, off);
    out[i] = src ? static_cast<const W*>(src)[off] : cval;
  }
}

template <class T>
__global__ void to_double_kernel(const T* __restrict__ in, double* __restrict__ out, std::int64_t n,
                                 dm::PassDesc reset) {
  CHUNKSCOPE_GRID_LOOP(i, n) out[i] = dm::to_double_at(in, i, reset);
}

template <class T>
__global__ void gaussian_kernel(dm::PassDesc d, const double* __restrict__ in, double* __restrict__ out,
                                std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) out[i] = dm::gaussian_pass_at<T>(d, in, i);
}

template <class T>
__global__ void uniform_kernel(dm::PassDesc d, const double* __restrict__ in, double* __restrict__ out,
                               std::int64_t lines) {
  CHUNKSCOPE_GRID_LOOP(i, lines) dm::uniform_line<T>(d, in, out, i / d.inner, i % d.inner);
}

template <class T>
__global__ void from_double_kernel(const double* __restrict__ in, T* __restrict__ out, std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) out[i] = dm::cast<T>(in[i]);
}

template <class W>
void gather_as(const dm::GatherDesc& d, const std::byte* cval, void* out, std::int64_t n, cudaStream_t s) {
  W v;
  std::memcpy(&v, cval, sizeof v);
  gather_kernel<W><<<blocks_for(n), kThreads, 0, s>>>(d, v, static_cast<W*>(out), n);
}

}  // namespace

void launch_gather(const dm::GatherDesc& d, int itemsize, const std::byte* cval, void* out, cudaStream_t stream) {
  std::int64_t n = 1;
  for (int a = 0; a < d.nd; ++a) n *= d.ext[a];
  if (n <= 0) return;
  switch (itemsize) {
    case 1: gather_as<std::uint8_t>(d, cval, out, n, stream); break;
    case 2: gather_as<std::uint16_t>(d, cval, out, n, stream); break;
    case 4: gather_as<std::uint32_t>(d, cval, out, n, stream); break;
    case 8: gather_as<std::uint64_t>(d, cval, out, n, stream); break;
    default: throw std::runtime_error("device gather: unsupported item size " + std::to_string(itemsize));
  }
  check_launch("gather_kernel");
}

void launch_to_double(DType t, const void* in, double* out, std::int64_t n, const dm::PassDesc& reset,
                      cudaStream_t stream) {
  if (n <= 0) return;
  CHUNKSCOPE_BY_DTYPE(
      t, (to_double_kernel<T><<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const T*>(in), out, n, reset)));
  check_launch("to_double_kernel");
}

void launch_filter_pass(DType t, const dm::PassDesc& d, const double* in, double* out, cudaStream_t stream) {
  const std::int64_t n = d.outer * d.lout * d.inner, lines = d.outer * d.inner;
  if (n <= 0) return;
  if (d.gaussian) {
    CHUNKSCOPE_BY_DTYPE(t, (gaussian_kernel<T><<<blocks_for(n), kThreads, 0, stream>>>(d, in, out, n)));
  } else {
    CHUNKSCOPE_BY_DTYPE(t, (uniform_kernel<T><<<blocks_for(lines), kThreads, 0, stream>>>(d, in, out, lines)));
  }
  check_launch(d.gaussian ? "gaussian_kernel" : "uniform_kernel");
}

void launch_from_double(DType t, const double* in, void* out, std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  CHUNKSCOPE_BY_DTYPE(t, (from_double_kernel<T><<<blocks_for(n), kThreads, 0, stream>>>(in, static_cast<T*>(out), n)));
  check_launch("from_double_kernel");
}

}  // namespace chunkscope::gpu
