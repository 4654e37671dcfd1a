#pragma once
// CpuExecutor: runs a Graph on a work-stealing thread pool in a memory-aware order.
#include "chunkscope/core/task_order.hpp"  // memory_aware_priorities, consume_needs
#include "chunkscope/exec/executor.hpp"

namespace chunkscope {

/// Runs tasks on `threads` workers. Order: a static depth-first priority (finish what frees
/// memory first; docs/design/001-memory-aware-order.md), per-worker LIFO deques with stealing,
/// and continuation: a task made ready by the one that just finished runs next on the same
/// worker (element-wise chains thus run fused, chunk by chunk). Each intermediate chunk is freed
/// when its last dependent finishes. With a memory limit, a task whose output does not fit waits
/// until memory is freed; a task that can never fit (output + inputs > limit) makes run() throw
/// InputError before anything runs.
class CpuExecutor : public Executor {
 public:
  std::string name() const override { return "cpu"; }
  RunResult run(const Graph& graph, const RunOptions& options) override;
};

}  // namespace chunkscope
