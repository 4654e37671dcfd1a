#pragma once
// Memory panel: a chart of live chunk bytes for the host and one per GPU series of the trace,
// stacked on the timeline's window and time axis (viz::memory_view: a min/max envelope, two points
// per pixel column, per device). Each chart has its own scale: its limit (dashed red) is drawn when
// it is at most kLimitOnScale × the curve's highest value, else written at the top ("off scale");
// the peak is marked with the layer that reached it. A legend row names the curves; hovering a
// chart shows the device, the time, the live bytes there, the share of the limit and the peak.
#include "chunkscope/viz/memory.hpp"
#include "document.hpp"

namespace chunkscope::viewer {

class MemoryPanel {
 public:
  /// A limit further above the curve than this factor is written, not drawn (the curve keeps its scale).
  static constexpr double kLimitOnScale = 4;
  void draw(Document& doc);

 private:
  // One chart of curve `index` (0 = host, k = GPU k) in the box (x, y, label_w + width, height).
  void draw_chart(const Document& doc, const viz::MemoryCurve& c, int index, float x, float y, float label_w, float width,
                  float height);
};

}  // namespace chunkscope::viewer
