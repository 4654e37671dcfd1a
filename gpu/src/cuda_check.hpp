#pragma once
// CHUNKSCOPE_CUDA_CHECK / CHUNKSCOPE_CUBLAS_CHECK: throw std::runtime_error naming the call and
// CUDA's message. Private to gpu/src/.
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace chunkscope::gpu {

[[noreturn]] inline void throw_cuda(cudaError_t e, const char* call) {
  throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(e));
}

}  // namespace chunkscope::gpu

#define CHUNKSCOPE_CUDA_CHECK(call)                                                        \
  do {                                                                                     \
    const cudaError_t chunkscope_e_ = (call);                                              \
    if (chunkscope_e_ != cudaSuccess) ::chunkscope::gpu::throw_cuda(chunkscope_e_, #call); \
  } while (0)
