// Device kernels for data movement and sources: N-d strided copies (transpose, slice, rechunk,
// concatenate, pushed-down views), fills (zeros, ones, full) and the `random` source with the same
// Philox generator as the CPU (core/philox.hpp), so values are equal bit for bit.
#include <cuda_runtime.h>

#include <cstring>

#include "chunkscope/core/philox.hpp"
#include "cuda_check.hpp"
#include "device_kernels.hpp"
#include "launch_util.cuh"

namespace chunkscope::gpu {
namespace {

std::int64_t total(int nd, const std::int64_t* extent) {
  std::int64_t n = 1;
  for (int a = 0; a < nd; ++a) n *= extent[a];
  return n;
}

/// Splits flat C-order index i of `d.extent` into source and destination element offsets.
__device__ inline void offsets(const StridedDesc& d, std::int64_t i, std::int64_t& so, std::int64_t& dof) {
  so = 0;
  dof = 0;
  for (int a = d.nd - 1; a >= 0; --a) {
    const std::int64_t e = d.extent[a];
    const std::int64_t k = i % e;
    i /= e;
    so += k * d.src_stride[a];
    dof += k * d.dst_stride[a];
  }
}

template <class W>
__global__ void copy_strided_kernel(StridedDesc d, const W* __restrict__ src, W* __restrict__ dst, std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) {
    std::int64_t so, dof;
    offsets(d, i, so, dof);
    dst[dof] = src[so];
  }
}

template <class W>
__global__ void fill_kernel(W* __restrict__ dst, W value, std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n)
  dst[i] = value;
}

struct RandomDesc {
  int nd = 0;
  std::int64_t extent[kMaxDims] = {};
  std::int64_t index_stride[kMaxDims] = {};
  std::int64_t base = 0;
  std::uint64_t seed = 0;
};

template <class T>
__global__ void random_kernel(RandomDesc d, T* __restrict__ out, std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) {
    std::int64_t rest = i, g = d.base;
    for (int a = d.nd - 1; a >= 0; --a) {
      g += (rest % d.extent[a]) * d.index_stride[a];
      rest /= d.extent[a];
    }
    if constexpr (sizeof(T) == 4)
      out[i] = philox_uniform_f32(static_cast<std::uint64_t>(g), d.seed);
    else
      out[i] = philox_uniform_f64(static_cast<std::uint64_t>(g), d.seed);
  }
}

template <class W>
void copy_as(const StridedDesc& d, const void* src, void* dst, std::int64_t n, cudaStream_t s) {
  copy_strided_kernel<W><<<blocks_for(n), kThreads, 0, s>>>(d, static_cast<const W*>(src), static_cast<W*>(dst), n);
}

}  // namespace

void launch_copy_strided(const StridedDesc& d, const void* src, void* dst, int itemsize, cudaStream_t stream) {
  const std::int64_t n = total(d.nd, d.extent);
  if (n <= 0) return;
  switch (itemsize) {
    case 1: copy_as<std::uint8_t>(d, src, dst, n, stream); break;
    case 2: copy_as<std::uint16_t>(d, src, dst, n, stream); break;
    case 4: copy_as<std::uint32_t>(d, src, dst, n, stream); break;
    case 8: copy_as<std::uint64_t>(d, src, dst, n, stream); break;
    default: throw std::runtime_error("device copy: unsupported item size " + std::to_string(itemsize));
  }
  check_launch("copy_strided_kernel");
}

void launch_fill(void* dst, std::int64_t n, const std::byte* value, int itemsize, cudaStream_t stream) {
  if (n <= 0) return;
  switch (itemsize) {
    case 1: {
      std::uint8_t v;
      std::memcpy(&v, value, 1);
      fill_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<std::uint8_t*>(dst), v, n);
      break;
    }
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, value, 2);
      fill_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<std::uint16_t*>(dst), v, n);
      break;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, value, 4);
      fill_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<std::uint32_t*>(dst), v, n);
      break;
    }
    case 8: {
      std::uint64_t v;
      std::memcpy(&v, value, 8);
      fill_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<std::uint64_t*>(dst), v, n);
      break;
    }
    default: throw std::runtime_error("device fill: unsupported item size " + std::to_string(itemsize));
  }
  check_launch("fill_kernel");
}

void launch_random(DType dtype, std::uint64_t seed, std::int64_t base, int nd, const std::int64_t* extent,
                   const std::int64_t* index_stride, void* out, cudaStream_t stream) {
  if (nd > kMaxDims) throw std::runtime_error("device random: more than 8 axes");
  RandomDesc d;
  d.nd = nd;
  d.base = base;
  d.seed = seed;
  for (int a = 0; a < nd; ++a) {
    d.extent[a] = extent[a];
    d.index_stride[a] = index_stride[a];
  }
  const std::int64_t n = total(nd, extent);
  if (n <= 0) return;
  if (dtype == DType::Float32)
    random_kernel<float><<<blocks_for(n), kThreads, 0, stream>>>(d, static_cast<float*>(out), n);
  else if (dtype == DType::Float64)
    random_kernel<double><<<blocks_for(n), kThreads, 0, stream>>>(d, static_cast<double*>(out), n);
  else
    throw std::runtime_error("device random: float32 or float64 only");
  check_launch("random_kernel");
}

}  // namespace chunkscope::gpu
