#pragma once
// The kernel interface: how one task of a layer computes its output buffer from its inputs.
//
// Every op family provides a KernelInfo (exec/src/kernels/<family>.cpp). The executor:
//   1. calls `prepare(graph, layer)` once per layer before the run (plans, tables),
//   2. for each task, allocates exactly `output_bytes(...)` bytes and calls `run(ctx)`.
// A kernel throws (std::exception) on failure with a message that does not need to name the
// layer or chunk: the executor adds both. Kernels are pure functions of their inputs.
//
// Cancellation: a kernel whose task can run for long calls ctx.check_cancel() once per row or
// block (one relaxed atomic load; never per element). When the run was cancelled (Ctrl-C) it
// throws TaskCancelled, which the executor reports as the task and the run cancelled, not failed.
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/numpy_elements.hpp"
#include "chunkscope/core/task_graph.hpp"
#include "chunkscope/exec/buffer.hpp"

namespace chunkscope {

/// Thrown by KernelContext::check_cancel() when the run is cancelled; the executor catches it
/// and records the task as cancelled (not failed).
struct TaskCancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

/// Everything one task's kernel sees.
struct KernelContext {
  const Graph& graph;
  int layer_index;
  const Layer& layer;
  TaskKey key;                                ///< layer, stage (0 = output chunk), index
  std::span<const Buffer* const> inputs;      ///< the buffers of TaskGraph::deps(task), same order
  Buffer& output;                             ///< already allocated with output_bytes(); uninitialised
  const void* state;                          ///< what prepare() returned for this layer (may be null)
  const std::atomic<bool>* cancel = nullptr;  ///< the run's cancel flag (RunOptions::cancel); may be null

  /// Throws TaskCancelled once the run's cancel flag is set. Call once per row or block.
  void check_cancel() const {
    if (cancel && cancel->load(std::memory_order_relaxed)) throw TaskCancelled{};
  }
};

/// One op family's kernel.
struct KernelInfo {
  /// Per-layer setup, run once before any task of the layer (may return null).
  std::shared_ptr<const void> (*prepare)(const Graph& g, int layer) = nullptr;
  /// Exact size in bytes of the output buffer of task `key`.
  std::int64_t (*output_bytes)(const Graph& g, int layer, TaskKey key, const void* state) = nullptr;
  /// Computes the output. Throws on failure.
  void (*run)(const KernelContext& ctx) = nullptr;
};

/// The kernel for a layer (dispatch on its op family; layers with a pushed-down source use the
/// source kernel). Never null for a validated Graph.
const KernelInfo& kernel_for(const Layer& layer);

// Family kernels (defined in exec/src/kernels/*.cpp).
const KernelInfo& source_kernel();       ///< random, zeros, ones, full, from_npy, from_zarr (+ pushed views)
const KernelInfo& elementwise_kernel();  ///< every element-wise op, astype
const KernelInfo& structure_kernel();    ///< transpose, slice, rechunk, concatenate
const KernelInfo& reduce_kernel();       ///< sum, mean, min, max, std, var (tree levels)
const KernelInfo& stencil_kernel();      ///< gaussian_filter, uniform_filter (overlap + filter stages)
const KernelInfo& matmul_kernel();       ///< matmul through BLAS
const KernelInfo& sink_kernel();         ///< to_npy, to_zarr

/// Calls f(T{}) with the C++ element type of `t` (bool, int8_t, uint8_t, int16_t, uint16_t,
/// int32_t, uint32_t, int64_t, uint64_t, numpy::Half, float, double).
template <class F>
decltype(auto) dispatch_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(bool{});
    case DType::Int8: return f(std::int8_t{});
    case DType::UInt8: return f(std::uint8_t{});
    case DType::Int16: return f(std::int16_t{});
    case DType::UInt16: return f(std::uint16_t{});
    case DType::Int32: return f(std::int32_t{});
    case DType::UInt32: return f(std::uint32_t{});
    case DType::Int64: return f(std::int64_t{});
    case DType::UInt64: return f(std::uint64_t{});
    case DType::Float16: return f(numpy::Half{});
    case DType::Float32: return f(float{});
    case DType::Float64: break;
  }
  return f(double{});
}

/// Bytes of a stage-0 output chunk (the common case for output_bytes).
inline std::int64_t chunk_output_bytes(const Graph& g, int layer, TaskKey key, const void*) {
  return g.layer(layer).meta.chunk_bytes(key.index);
}

}  // namespace chunkscope
