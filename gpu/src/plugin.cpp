#include "chunkscope/gpu/plugin.hpp"

#include "chunkscope/gpu/cuda_executor.hpp"

extern "C" chunkscope::Executor* chunkscope_gpu_create(std::int64_t device_memory_limit, std::string* error) {
  try {
    std::string why;
    if (!chunkscope::CudaExecutor::device_available(&why)) {
      if (error) *error = "no CUDA device available (" + why + ")";
      return nullptr;
    }
    chunkscope::CudaOptions o;
    o.device_memory_limit = device_memory_limit;
    return new chunkscope::CudaExecutor(o);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return nullptr;
  }
}
