#pragma once
// Timeline panel: a lane per worker with the tasks of the document's time window, coloured by
// layer, narrow tasks folded (viz::timeline, computed each frame for the visible window only);
// CUDA traces add a lane per device and copy direction, the copies striped in the colour of the
// layer they fed. Wheel zooms around the pointer, drag pans, double-click shows the whole run;
// hovering a task shows viz::task_info (layer, chunk index and shape, bytes, duration), a copy
// viz::transfer_info (direction, bytes, duration, the task it fed), a fold its count. Layer
// colours come from viz::timeline_colors (legend under the lanes); the selected layer's tasks are
// outlined and the others faded; each worker lane shows its busy share of the window; shift- or
// right-drag brushes a range (summary in the Findings panel); a leading gap with no task is labelled.
#include "chunkscope/viz/timeline.hpp"
#include "document.hpp"

namespace chunkscope::viewer {

class TimelinePanel {
 public:
  void draw(Document& doc);

 private:
  // The last window's rectangles: recomputed only when the document, window or width changes,
  // so idle frames cost nothing and a zoom step costs one viz::timeline call.
  const Document* doc_ = nullptr;
  std::int64_t t0_ = -1, t1_ = -1;
  float width_ = -1;
  viz::Timeline tl_;
  std::vector<double> util_;       // each worker lane's busy share of the window
  std::int64_t first_start_ = -1;  // the first task's start (the leading gap)
  float legend_h_ = 20;            // height of the layer-colour legend, from the last frame
  bool brushing_ = false;          // shift- or right-drag in progress
  std::int64_t brush_from_ = 0;
};

/// Width of the lane-name column (the longest lane name, at least 72 px, at most 200): the
/// timeline and memory panels use it so their time axes line up.
float lane_label_width(const viz::Model& m);

/// Moves/zooms a time window: zoom by `factor` (>1 zooms in) around `at_ns`, then shift by
/// `shift_ns`; the result stays inside [0, Document::axis_end()] (the run's wall time, or the
/// longer run's when two are compared) and at least 1 µs wide.
void zoom_window(Document& doc, double at_ns, double factor, double shift_ns);

}  // namespace chunkscope::viewer
