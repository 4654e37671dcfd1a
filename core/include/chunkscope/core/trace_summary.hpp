#pragma once
// Per-layer numbers from a trace: the table of `chunkscope report` and the input of analysis.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// Numbers for one layer.
struct LayerSummary {
  int layer = -1;
  std::int64_t tasks = 0, done = 0, failed = 0, cancelled = 0;
  std::int64_t busy_ns = 0;  ///< sum of task durations
  std::int64_t first_start_ns = 0, last_end_ns = 0;
  std::int64_t critical_ns = 0;      ///< time this layer's tasks contribute to the critical path
  std::int64_t output_bytes = 0;     ///< sum of output bytes
  std::int64_t peak_live_bytes = 0;  ///< highest live memory while a task of this layer ran
  std::int64_t max_task_ns = 0, median_task_ns = 0;
  Shape in_chunk_shape;   ///< largest chunk of the first input (empty for sources)
  int input_layer = -1;   ///< the first input's layer index, -1 for none
  Shape out_chunk_shape;  ///< largest output chunk
  double max_fan_in = 0;  ///< largest number of dependencies of a task
};

/// Whole-run numbers.
struct TraceSummary {
  std::vector<LayerSummary> layers;
  std::vector<std::int64_t> critical_path;  ///< task ids, first to last
  std::int64_t critical_ns = 0;             ///< duration sum along the critical path
  std::int64_t busy_ns = 0;
  std::int64_t tasks_done = 0;
  int workers = 0;
};

/// Computes per-layer and critical-path numbers (O(tasks + deps)).
TraceSummary summarize(const Trace& t);
/// The layer table as text (op, input chunk shape -> output chunk shape, tasks, total and
/// critical-path time, bytes, peak memory), plus a header with wall time and peak. Strings from the
/// trace (ids, ops, names, the error) are passed through terminal_safe (terminal_text.hpp).
std::string summary_table(const Trace& t, const TraceSummary& s);

}  // namespace chunkscope
