#include "gpu_loader.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace chunkscope::cli {
namespace {

constexpr const char* kLibrary = "libchunkscope_gpu.so";
// Same signature as chunkscope_gpu_create in gpu/include/chunkscope/gpu/plugin.hpp.
using Create = Executor* (*)(std::int64_t, std::string*);

std::string exe_dir() {
  std::vector<char> buf(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  std::string p(buf.data(), static_cast<size_t>(n));
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? std::string{} : p.substr(0, slash);
}

}  // namespace

std::unique_ptr<Executor> load_cuda_executor(std::int64_t device_memory_limit, std::string& why) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("CHUNKSCOPE_GPU_LIBRARY"); env && *env) candidates.emplace_back(env);
  if (const std::string dir = exe_dir(); !dir.empty()) candidates.push_back(dir + "/../lib/" + kLibrary);
  candidates.emplace_back(kLibrary);
  void* handle = nullptr;
  std::string first_error;
  for (const auto& c : candidates) {
    handle = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) break;
    const char* e = ::dlerror();
    // A library that exists but cannot load (missing libcublas) says more than "not found".
    if (first_error.empty() ||
        (e && std::string(e).find("No such file") == std::string::npos && ::access(c.c_str(), F_OK) == 0))
      first_error = e ? e : "not found";
  }
  if (!handle) {
    why = "CUDA support is not installed (" + first_error + ")";
    return nullptr;
  }
  auto create = reinterpret_cast<Create>(::dlsym(handle, "chunkscope_gpu_create"));
  if (!create) {
    why = std::string(kLibrary) + " has no chunkscope_gpu_create";
    return nullptr;
  }
  std::string error;
  std::unique_ptr<Executor> ex(create(device_memory_limit, &error));
  if (!ex) why = error.empty() ? "no CUDA device available" : error;
  return ex;
}

}  // namespace chunkscope::cli
