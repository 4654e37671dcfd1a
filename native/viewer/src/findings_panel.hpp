#pragma once
// Findings panel: the analysis' findings, most severe first (severity, rule, layers, message,
// advice, evidence). Clicking one selects its first layer: its groups open, the graph centres it.
#include "document.hpp"

namespace chunkscope::viewer {

class FindingsPanel {
 public:
  void draw(Document& doc);
};

}  // namespace chunkscope::viewer
