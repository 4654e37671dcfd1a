#pragma once
// The order and memory needs of a task graph, computed before a run: pure functions of the
// TaskGraph and the tasks' output sizes, shared by both executors (exec/run_plan.hpp).
//
//   const auto prio = memory_aware_priorities(graph.tasks());   // lower runs first
//   const auto need = consume_needs(graph.tasks(), out_bytes, keep);
#include <cstdint>
#include <vector>

#include "chunkscope/core/task_graph.hpp"

namespace chunkscope {

/// Static priorities, one per task (lower runs first): a depth-first post-order from each
/// terminal task, so a task's inputs are produced right before it and chunks are consumed soon
/// after they are made (docs/design/001-memory-aware-order.md). Ties are broken by task id.
std::vector<std::int64_t> memory_aware_priorities(const TaskGraph& tasks);

/// For every task, the bytes its consumers allocate, one after another, before one of them frees
/// memory: need[t] = max over consumers u of out[u] + (u frees an input ? 0 : need[u]). "Frees" is
/// judged statically (u is the only consumer of an input that is not kept and has bytes); an
/// executor may know more at run time (a consumer that has become the last user). `out` and
/// `keep` are per task. Task ids are topological, so this is one reverse pass.
std::vector<std::int64_t> consume_needs(const TaskGraph& tasks, const std::vector<std::int64_t>& out,
                                        const std::vector<std::uint8_t>& keep);

}  // namespace chunkscope
