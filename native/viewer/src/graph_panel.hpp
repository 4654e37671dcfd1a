#pragma once
// Graph panel: draws a document's laid-out viz::Scene with ImDrawList (clusters, Bézier edges
// with arrows and labels, node boxes with fill, outline by severity and a findings badge) and
// forwards input: click a group node or a cluster's title to open/close it, click a layer to
// select it, double-click a layer to show/hide its tasks (shown: fitted in the view, as the browser
// does), drag to pan, wheel to zoom. The default
// view never draws labels below 10 px: a graph too big for that is shown at the readable scale
// around the selected (or first finding's) layer with an overview to pan; "fit all" shows it whole,
// "readable" (or right-click) goes back. The fill's legend (viz::graph_legend) is a strip under the canvas.
#include "document.hpp"

namespace chunkscope::viewer {

class GraphPanel {
 public:
  /// Draws into the current ImGui window's remaining content region.
  void draw(Document& doc);

 private:
  bool reset_ = false;  // back to the readable default view on the next draw
  bool fit_all_ = false;
  std::string fitted_;   // the layer whose tasks were last fitted (the frame report's graph_fitted)
  float legend_h_ = 40;  // height of the legend strip under the canvas (from the last frame)  // the user asked for the
                         // whole graph whatever its label size
};

/// "a%2Fb" -> "a/b": undoes the %XX escaping of node and cluster keys (docs/viz.md).
std::string unescape_key(const std::string& s);

}  // namespace chunkscope::viewer
