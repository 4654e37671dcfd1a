#pragma once
// Plain C++ planning of the device reductions and filters — no CUDA headers, so the host test
// (tests/gpu/device_math_test.cpp) runs it on every machine: which reduction partial layout, the
// halo gather descriptor of a chunk, and the sequence of launches of a filter task.
// Private to gpu/src/ (and its host test).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/plans.hpp"
#include "device_math.hpp"

namespace chunkscope::gpu {

// ---- element-wise layers and fused chains

/// How one element-wise layer runs on the device (exec's ew_prepare: the computation type).
struct EwPlan {
  DType compute = DType::Float64;
  std::vector<dm::EwOperand> operands;  ///< data == nullptr: scalars and (until a task fills them) inputs
  std::vector<int> operand_input;       ///< per operand: index into the task's inputs, or -1 for a scalar
};

/// Whether the device implements `op` in computation type `compute` (false: run on the host).
bool elementwise_on_device(Op op, DType compute);

/// The element-wise layer `l` on the device; false when it runs on the host (an op or dtype the
/// device lacks, or a scalar that makes NumPy raise — the host kernel reports it).
bool plan_elementwise(const Graph& g, const Layer& l, EwPlan& p);

/// A chain of element-wise layers computed by one kernel per chunk (the last layer's tasks).
struct FusedChain {
  std::vector<int> layers;        ///< in step order; the last one is the chain's own layer
  std::vector<int> input_layers;  ///< the arrays the kernel reads, in dm::FusedProgram input order
  dm::FusedProgram program;       ///< input pointers filled per task
};

/// Fuses element-wise layers into their consumer where nothing else needs the intermediate: the
/// producer is element-wise on the device, not an output, read by exactly one layer, which is
/// element-wise on the device with the same shape and chunks (up to dm::kFusedOps layers and
/// dm::kFusedInputs arrays a chain). `ew[l]`: the layer's plan, or null when it is not an
/// element-wise layer on the device. Returns per layer the chain ending in it (or null), and sets
/// fused_into[l] to the layer whose kernel computes l (or -1).
std::vector<std::shared_ptr<const FusedChain>> plan_fusion(const Graph& g, const std::vector<const EwPlan*>& ew,
                                                           std::vector<int>& fused_into);

// ---- reductions

struct ReducePlan {
  dm::ReduceSpec spec;
  bool reduced[dm::kAxes] = {};  ///< per input axis
};

/// The reduction layer `l` on the device; false (with why) when it cannot run there.
bool plan_reduce(const Graph& g, const Layer& l, ReducePlan& p, std::string& why);

/// Elements of the partial (or, at stage 0, of the output chunk) of a task writing `bytes`.
std::int64_t partial_k(const dm::ReduceSpec& r, TaskKey key, std::int64_t bytes);

/// Stage 1's walk over input chunk `index`.
dm::ReduceWalk reduce_walk(const Graph& g, const Layer& l, const ReducePlan& p, std::int64_t index);

// ---- filters

struct FilterPlan {
  OverlapPlan overlap;
  std::vector<std::vector<std::int64_t>> bounds;  ///< input chunk bounds per axis
  std::vector<std::vector<double>> weights;       ///< gaussian: per filtered axis
  std::byte cval[8] = {};                         ///< constant mode's fill in the input dtype
};

/// The filter layer `l` on the device; false (with why) when it cannot run there.
bool plan_filter(const Graph& g, const Layer& l, FilterPlan& p, std::string& why);

/// The halo gather of output chunk c reading the task's inputs `in` (may be empty: only checks).
/// False when the block reads more chunks than the descriptor holds.
bool make_gather(const Graph& g, const Layer& l, const FilterPlan& p, std::int64_t c, std::span<const void* const> in,
                 dm::GatherDesc& gd);

/// Buffers of a filter task: its input block, its output chunk, two float64 scratch blocks.
enum class FilterBuf : std::uint8_t { In, Out, A, B };

/// One launch of a filter task (stage 0), in order.
struct FilterStep {
  enum class Kind : std::uint8_t { Copy, ToDouble, Pass, FromDouble } kind = Kind::Copy;
  FilterBuf src = FilterBuf::In, dst = FilterBuf::Out;
  std::int64_t n = 0;  ///< elements (Copy, ToDouble, FromDouble)
  dm::PassDesc desc;   ///< Pass; ToDouble: the reset
};

/// exec's filter<T> sequence (stencil.cpp) for output chunk c, as launches.
std::vector<FilterStep> filter_steps(const Graph& g, const Layer& l, const FilterPlan& p, std::int64_t c);

/// Scratch bytes of a filter task (buffers A and B), and where B starts in it (elements).
std::int64_t filter_scratch_bytes(const Graph& g, const Layer& l, const FilterPlan& p, std::int64_t c,
                                  std::int64_t* b_offset = nullptr);

}  // namespace chunkscope::gpu
