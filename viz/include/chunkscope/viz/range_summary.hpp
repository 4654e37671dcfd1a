#pragma once
// Range summary: what happened in a brushed time window [t0, t1) — per layer the task time and
// the tasks inside it, per worker the busy and idle time, and the host memory's lowest and
// highest live bytes (the browser's and the native viewer's area selection, like Perfetto's).
//
//   viz::RangeSummary s = viz::range_summary(model, t0_ns, t1_ns);
//   s.layers[0].busy_ns;   // the busiest layer in the window first
//   s.workers[w].idle_ns;  // window length minus busy
#include <cstdint>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// One layer's part of a window: task time clipped to the window, and the tasks that overlap it.
struct RangeLayer {
  int layer = -1;
  std::int64_t busy_ns = 0;
  std::int64_t tasks = 0;
};

/// One worker's part of a window: busy = the time in the window when at least one of its tasks
/// ran (the union of its tasks' intervals clipped to the window, so never more than the window:
/// a Dask thread's tasks overlap when one waits on another); idle = window - busy.
struct RangeWorker {
  int worker = -1;
  std::int64_t busy_ns = 0, idle_ns = 0;
  std::int64_t task_ns = 0;  ///< its tasks' durations clipped to the window, summed (> busy_ns when they overlap)
  std::int64_t tasks = 0;
};

/// A brushed window's summary. Tasks that never ran (worker < 0) are not counted.
struct RangeSummary {
  std::int64_t t0_ns = 0, t1_ns = 0;
  std::vector<RangeLayer> layers;               ///< layers with a task in the window, busiest first (ties: index)
  std::vector<RangeWorker> workers;             ///< every worker 0 .. threads-1 (and any higher one seen), in order
  std::int64_t tasks = 0;                       ///< tasks overlapping the window
  std::int64_t memory_min = 0, memory_max = 0;  ///< host live bytes over the window (step series)
};

/// The summary of [t0_ns, t1_ns) (swapped when t1 < t0; an empty window counts nothing).
RangeSummary range_summary(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns);

/// Time in [t0_ns, t1_ns) when timeline lane `lane` (Model::lane_workers) ran at least one task:
/// the union of its tasks' intervals clipped to the window (0 .. t1 - t0).
std::int64_t lane_busy_ns(const Model& m, int lane, std::int64_t t0_ns, std::int64_t t1_ns);
/// Busy share of each worker lane over [t0_ns, t1_ns] (lane_busy_ns / window, 0..1), in lane order:
/// the utilisation every front-end shows next to a lane's name.
std::vector<double> lane_utilisation(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns);

}  // namespace chunkscope::viz
