#pragma once
// Memory panel: live chunk bytes over the timeline's window (viz::memory_view: a min/max
// envelope, two points per pixel column), the memory limit (dashed red) and the run's peak
// annotated with the layer that reached it.
#include "document.hpp"

namespace chunkscope::viewer {

class MemoryPanel {
 public:
  void draw(Document& doc);
};

}  // namespace chunkscope::viewer
