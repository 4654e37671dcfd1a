#pragma once
// Timeline: one lane per worker, tasks as rectangles in pixels, with tasks too narrow to see
// folded into one rectangle — the output is O(lanes × width) whatever the number of tasks.
//
//   viz::Timeline tl = viz::timeline(model, 0, trace.meta.wall_ns, 1200.0);
//   for (auto& r : tl.rects) draw(r.lane, r.x0, r.x1, r.count > 1 ? folded : layer_color(r.layer));
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// One rectangle of a lane: a task, or several consecutive narrow tasks folded into one.
struct TimelineRect {
  int lane = 0;
  double x0 = 0, x1 = 0;  ///< pixels from the left edge, clipped to [0, width]
  int layer = -1;         ///< the task's layer; folded: the layer with the most time in it
  std::int64_t task = -1; ///< the task, or -1 when folded
  int count = 1;          ///< tasks in this rectangle
};

/// Lanes and rectangles of one time window.
struct Timeline {
  std::vector<std::string> lanes;  ///< "worker 0", ... (one per worker that ran a task)
  std::vector<TimelineRect> rects; ///< by lane, then left to right
  std::int64_t t0 = 0, t1 = 0;     ///< the window
};

/// Tasks overlapping [t0_ns, t1_ns] mapped onto width_px pixels. A task narrower than min_px
/// starts or joins a fold; a fold closes when it is min_px wide or the next task starts min_px
/// or more after it, so each lane has at most about 2 × width_px / min_px rectangles. Tasks
/// that never ran are left out. An empty window (t1 <= t0) or width_px <= 0 gives lanes, no rects.
Timeline timeline(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, double width_px, double min_px = 1.0);

}  // namespace chunkscope::viz
