#pragma once
// Memory panel: a chart of live chunk bytes for the host and one per GPU series of the trace,
// stacked on the timeline's window and time axis (viz::memory_view: a min/max envelope, two points
// per pixel column, per device). Each chart has its own scale: its limit (dashed red) is drawn when
// it is at most viz::kLimitOnScale × the highest value shown, else written at the top ("off scale");
// the peak is marked with the layer that reached it. A legend row names the curves and holds the
// "total / by layer" toggle: by layer, the host chart stacks live bytes by layer (or group:
// viz::memory_stack, the timeline's colours, largest at the peak at the bottom; the selected
// layer's band kept bright, the others faded; click a band to select its layer). Hovering a chart
// shows the device, the time, the live bytes there (by layer: each band's), the share of the limit
// and the peak. Under the legend row, "at peak": one bar stacking the bytes each layer holds at the
// memory peak (LayerStats::peak_held_bytes; click a part to select its layer). A trace with process
// resources (viz::resource_view) adds the processes' RSS as a line over the host chart ("process
// RSS" vs "chunk bytes") and a CPU% strip under it, scaled to all the sampled cores.
#include "chunkscope/viz/memory.hpp"
#include "chunkscope/viz/memory_stack.hpp"
#include "chunkscope/viz/resources.hpp"
#include "document.hpp"

namespace chunkscope::viewer {

class MemoryPanel {
 public:
  // The limit-on-scale rule is viz::limit_on_scale (viz::kLimitOnScale), shared with the browser.
  void draw(Document& doc);

 private:
  // The last stack by layer and the window it is for (recomputed when they change).
  const Document* stack_doc_ = nullptr;
  std::int64_t stack_t0_ = -1, stack_t1_ = -1;
  int stack_w_ = -1;
  viz::MemoryStack stack_;
  // What the host chart adds to its curve: the stack by layer, the processes' resources (either may be null).
  struct HostExtras {
    const viz::MemoryStack* stack = nullptr;
    const viz::ResourceView* resources = nullptr;
  };
  // One chart of curve `index` (0 = host, k = GPU k) in the box (x, y, label_w + width, height).
  void draw_chart(Document& doc, const viz::MemoryCurve& c, int index, float x, float y, float label_w, float width,
                  float height, HostExtras extras);
  // The CPU% strip of the processes' resources in the box (x, y, label_w + width, height).
  void draw_cpu(const Document& doc, const viz::ResourceView& r, float x, float y, float label_w, float width,
                float height);
};

}  // namespace chunkscope::viewer
