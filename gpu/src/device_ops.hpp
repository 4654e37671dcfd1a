#pragma once
// Which layers run on the device and how one device task runs. A layer the device cannot run
// (see docs/gpu.md: file sources and sinks, a few dtype cases) gets
// `on_device == false` and runs through exec's CPU kernel with explicit transfers.
// Private to gpu/src/.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/plans.hpp"
#include "device_kernels.hpp"
#include "task_plan.hpp"

namespace chunkscope::gpu {

/// Per-layer device plan, made once before the run.
struct DeviceLayer {
  bool on_device = false;
  std::string host_reason;                  ///< why it runs on the host (docs, trace meta), empty on the device
  EwPlan ew;                                ///< element-wise
  std::shared_ptr<const FusedChain> chain;  ///< element-wise: the fused chain ending in this layer, if any
  int fused_into = -1;                      ///< element-wise: the layer whose kernel computes this one (fused), or -1
  // fills
  std::byte fill[8] = {};
  // structure
  std::vector<std::vector<std::int64_t>> in_bounds;  ///< input grid's chunk starts per axis (slice)
  std::shared_ptr<ArrayMeta> mid;                    ///< rechunk: the intermediate chunking, if any
  ReducePlan reduce;                                 ///< reductions
  FilterPlan filter;                                 ///< filters
};

/// Decides where each layer runs.
std::vector<DeviceLayer> plan_device_layers(const Graph& g);

/// Whether task `key` of a device layer runs on the device: false for the few tasks past a device
/// kernel's fixed limits (a combine of more than dm::kCombineMax partials, a halo gather from more
/// than dm::kGatherPtrs chunks), which run on the host. `deps`: the task's inputs.
bool task_on_device(const Graph& g, const DeviceLayer& plan, TaskKey key, std::size_t deps);

/// Device scratch bytes task `key` uses while it runs (filters: two float64 blocks), 0 for most.
std::int64_t device_scratch_bytes(const Graph& g, const DeviceLayer& plan, TaskKey key);

/// Enqueues task `key` of a device layer on `stream`: reads `inputs` (device pointers, the task's
/// dependencies in order) and writes `out` (already allocated, `out_bytes`). Throws on error.
void run_device_task(const Graph& g, const DeviceLayer& plan, TaskKey key, std::span<const void* const> inputs,
                     void* out, std::int64_t out_bytes, void* scratch, cudaStream_t stream, cublasHandle_t blas);

}  // namespace chunkscope::gpu
