#pragma once
// How long each task's output chunk is held in memory: from the task's start until the last task
// that reads it ends, or until the end of the run when nothing reads it (the executor's accounting
// of live bytes). The one definition behind every "held at the peak" and "memory by layer" number:
// the memory-peak finding, viz::Model's LayerStats::peak_held_bytes and viz::memory_stack.
//
//   const ChunkLifetimes life = chunk_lifetimes(trace);
//   std::vector<std::int64_t> held = host_bytes_held_at(trace, life, trace.memory.peak_t_ns);
#include <cstdint>
#include <vector>

#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// Per task of a trace (Trace::tasks order).
struct ChunkLifetimes {
  std::vector<std::int64_t> release_ns;  ///< when the output is freed; -1 for a task that did not run
  std::vector<std::uint8_t> on_host;     ///< 1 when the output counts in the host series (not held on a GPU)
  /// True when task i's output is live at t_ns: start <= t_ns < release.
  bool held_at(const Trace& t, std::int64_t i, std::int64_t t_ns) const {
    return release_ns[static_cast<size_t>(i)] >= 0 && t.tasks.start_ns[i] <= t_ns &&
           t_ns < release_ns[static_cast<size_t>(i)];
  }
};

/// The lifetimes of the outputs of the tasks that ran (done or failed). An output is on the host
/// unless its layer says params.device other than "host"/"cpu" or its worker is a GPU
/// (TraceMeta::worker_device). O(tasks + dependencies).
ChunkLifetimes chunk_lifetimes(const Trace& t);

/// Bytes of each layer's outputs held on the host at t_ns (one entry per Trace::layers).
std::vector<std::int64_t> host_bytes_held_at(const Trace& t, const ChunkLifetimes& life, std::int64_t t_ns);

}  // namespace chunkscope
