#pragma once
// Timeline: one lane per worker, tasks as rectangles in pixels, with tasks too narrow to see
// folded into one rectangle — the output is O(lanes × width) whatever the number of tasks.
// Traces with host<->device transfers (CUDA) get one more lane per device and direction after
// the worker lanes, holding the copies folded the same way.
//
//   viz::Timeline tl = viz::timeline(model, 0, trace.meta.wall_ns, 1200.0);
//   for (auto& r : tl.rects)
//     if (r.kind == viz::RectKind::Transfer) draw_hatched(r.lane, r.x0, r.x1, layer_color(r.layer));
//     else draw(r.lane, r.x0, r.x1, r.count > 1 ? folded : layer_color(r.layer));
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// What a rectangle shows: tasks (worker lanes) or host<->device copies (transfer lanes).
enum class RectKind : std::uint8_t { Task, Transfer };
/// "task", "transfer".
const char* rect_kind_name(RectKind k);

/// One rectangle of a lane: a task (transfer), or several consecutive narrow ones folded into one.
struct TimelineRect {
  int lane = 0;
  double x0 = 0, x1 = 0;  ///< pixels from the left edge, clipped to [0, width]
  int layer = -1;  ///< the task's layer (a transfer: the layer of the task it fed, -1 none); folded: the layer with the
                   ///< most time in it
  std::int64_t task = -1;          ///< the task (a transfer: the task it fed), or -1 when folded
  int count = 1;                   ///< tasks (transfers) in this rectangle
  RectKind kind = RectKind::Task;  ///< Transfer in transfer lanes
  std::int64_t transfer = -1;      ///< the transfer (index into Trace::transfers); -1 for tasks and folds
  std::int64_t bytes = 0;          ///< transfers: bytes copied, summed over a fold; 0 for tasks
};

/// Lanes and rectangles of one time window.
struct Timeline {
  /// "worker 0", ... (one per worker that ran a task; "cuda:0 (worker 0)" when
  /// meta.worker_devices names it), then one per Model::transfer_lanes() ("cuda:0 host→device").
  std::vector<std::string> lanes;
  int task_lanes = 0;               ///< lanes [0, task_lanes) are worker lanes, the rest transfer lanes
  std::vector<TimelineRect> rects;  ///< by lane, then left to right
  std::int64_t t0 = 0, t1 = 0;      ///< the window
};

/// Tasks and transfers overlapping [t0_ns, t1_ns] mapped onto width_px pixels. A task narrower
/// than min_px starts or joins a fold; a fold closes when it is min_px wide or the next task
/// starts min_px or more after it, so each lane has at most about 2 × width_px / min_px
/// rectangles; transfers fold the same way in their lanes. Tasks that never ran are left out.
/// An empty window (t1 <= t0) or width_px <= 0 gives lanes, no rects.
Timeline timeline(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, double width_px, double min_px = 1.0);

/// What a transfer's tooltip says.
struct TransferInfo {
  std::string device;     ///< "cuda:0" (Model::device_name)
  bool to_device = true;  ///< true: host->device
  std::string direction;  ///< "host→device" or "device→host"
  std::int64_t bytes = 0;
  std::int64_t start_ns = 0, duration_ns = 0;
  std::int64_t task = -1;                 ///< the task it fed, -1 when the trace does not say
  std::string layer;                      ///< that task's layer id, "" when none
  std::vector<std::int64_t> chunk_index;  ///< that task's chunk coordinates (stage 0) or flat index, empty when none
};

/// Tooltip facts of transfer `transfer` (index into Trace::transfers); throws std::out_of_range
/// for an index outside the trace's transfers.
TransferInfo transfer_info(const Model& m, std::int64_t transfer);

}  // namespace chunkscope::viz
