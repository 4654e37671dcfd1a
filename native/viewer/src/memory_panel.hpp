#pragma once
// Memory panel: a chart of live chunk bytes for the host and one per GPU series of the trace,
// stacked on the timeline's window and time axis (viz::memory_view: a min/max envelope, two points
// per pixel column, per device). Each chart has its own scale: its limit (dashed red) is drawn when
// it is at most viz::kLimitOnScale × the curve's highest value, else written at the top ("off scale");
// the peak is marked with the layer that reached it. A legend row names the curves; hovering a
// chart shows the device, the time, the live bytes there, the share of the limit and the peak.
// Under the legend row, "at the peak": one bar stacking the bytes each layer holds at the memory
// peak (LayerStats::peak_held_bytes, layer colours; the selected layer outlined, its share in the
// legend row; click a part to select its layer).
#include "chunkscope/viz/memory.hpp"
#include "document.hpp"

namespace chunkscope::viewer {

class MemoryPanel {
 public:
  // The limit-on-scale rule is viz::limit_on_scale (viz::kLimitOnScale), shared with the browser.
  void draw(Document& doc);

 private:
  // One chart of curve `index` (0 = host, k = GPU k) in the box (x, y, label_w + width, height).
  void draw_chart(const Document& doc, const viz::MemoryCurve& c, int index, float x, float y, float label_w,
                  float width, float height);
};

}  // namespace chunkscope::viewer
