#pragma once
// Launch shapes shared by the kernels_*.cu files: 256-thread blocks, grids capped so grid-stride
// loops cover the rest, launch errors thrown as std::runtime_error. Private to gpu/src/.
#include <cuda_runtime.h>

#include <cstdint>

#include "chunkscope/core/dtype.hpp"
#include "cuda_check.hpp"

namespace chunkscope::gpu {

constexpr int kThreads = 256;

inline unsigned blocks_for(std::int64_t n, int threads = kThreads) {
  const std::int64_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);
}

inline void check_launch(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) throw_cuda(e, what);
}

/// for (i = this thread's first index; i < n; i += all threads) — the grid-stride loop.
#define CHUNKSCOPE_GRID_LOOP(i, n)                                                                 \
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)

/// Runs CALL with T = the C++ type of dtype t.
#define CHUNKSCOPE_BY_DTYPE(t, CALL) \
  switch (t) {                       \
    case DType::Bool: {              \
      using T = bool;                \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Int8: {              \
      using T = std::int8_t;         \
      CALL;                          \
      break;                         \
    }                                \
    case DType::UInt8: {             \
      using T = std::uint8_t;        \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Int16: {             \
      using T = std::int16_t;        \
      CALL;                          \
      break;                         \
    }                                \
    case DType::UInt16: {            \
      using T = std::uint16_t;       \
      CALL;                          \
      break;                         \
    }                                \
    case DType::UInt32: {            \
      using T = std::uint32_t;       \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Float16: {           \
      using T = numpy::Half;         \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Int32: {             \
      using T = std::int32_t;        \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Int64: {             \
      using T = std::int64_t;        \
      CALL;                          \
      break;                         \
    }                                \
    case DType::UInt64: {            \
      using T = std::uint64_t;       \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Float32: {           \
      using T = float;               \
      CALL;                          \
      break;                         \
    }                                \
    case DType::Float64: {           \
      using T = double;              \
      CALL;                          \
      break;                         \
    }                                \
  }

}  // namespace chunkscope::gpu
