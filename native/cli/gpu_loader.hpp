#pragma once
// Loading the CUDA executor from libchunkscope_gpu.so (gpu/include/chunkscope/gpu/plugin.hpp), so
// that `chunkscope` itself starts on machines without CUDA libraries.
#include <cstdint>
#include <memory>
#include <string>

#include "chunkscope/exec/executor.hpp"

namespace chunkscope::cli {

/// A CudaExecutor, or null with `why` set to one line ("no CUDA device available (...)", "CUDA
/// support is not installed (...)"). Looks for $CHUNKSCOPE_GPU_LIBRARY, then ../lib/ next to the
/// executable, then the loader's search path. The library stays loaded for the process.
std::unique_ptr<Executor> load_cuda_executor(std::int64_t device_memory_limit, std::string& why);

}  // namespace chunkscope::cli
