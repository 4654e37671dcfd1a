#pragma once
// Which layers run on the device and how one device task runs. A layer the device cannot run
// (see docs/gpu.md: reductions, filters, file sources and sinks, a few dtype cases) gets
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
#include "device_kernels.hpp"

namespace chunkscope::gpu {

/// Per-layer device plan, made once before the run.
struct DeviceLayer {
  bool on_device = false;
  std::string host_reason;        ///< why it runs on the host (docs, trace meta), empty on the device
  // element-wise
  DType compute = DType::Float64;
  std::vector<EwOperand> operands;  ///< data == nullptr for scalars; inputs in order (pointers filled per task)
  std::vector<int> operand_input;   ///< per operand: index into the task's inputs, or -1 for a scalar
  // fills
  std::byte fill[8] = {};
  // structure
  std::vector<std::vector<std::int64_t>> in_bounds;  ///< input grid's chunk starts per axis (slice)
  std::shared_ptr<ArrayMeta> mid;                    ///< rechunk: the intermediate chunking, if any
};

/// Decides where each layer runs.
std::vector<DeviceLayer> plan_device_layers(const Graph& g);

/// Enqueues task `key` of a device layer on `stream`: reads `inputs` (device pointers, the task's
/// dependencies in order) and writes `out` (already allocated, `out_bytes`). Throws on error.
void run_device_task(const Graph& g, const DeviceLayer& plan, TaskKey key, std::span<const void* const> inputs,
                     void* out, std::int64_t out_bytes, cudaStream_t stream, cublasHandle_t blas);

}  // namespace chunkscope::gpu
