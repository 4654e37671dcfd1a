#pragma once
// The one C entry point of libchunkscope_gpu.so, which `chunkscope` loads with dlopen for
// `--executor cuda` (native/cli/gpu_loader.cpp repeats this signature: keep them equal).
//
//   using Create = chunkscope::Executor* (*)(std::int64_t, std::string*);
//   auto create = reinterpret_cast<Create>(dlsym(handle, "chunkscope_gpu_create"));
//   std::string why;
//   std::unique_ptr<chunkscope::Executor> ex(create(device_memory_limit, &why));
//   if (!ex) fail(why);   // "no CUDA device available (cudaGetDeviceCount: ...)"
#include <cstdint>
#include <string>

#include "chunkscope/exec/executor.hpp"

/// A new CudaExecutor on device 0 (owned by the caller; delete it before unloading), or null with
/// `*error` set when there is no driver or device. Never throws.
extern "C" chunkscope::Executor* chunkscope_gpu_create(std::int64_t device_memory_limit, std::string* error);
