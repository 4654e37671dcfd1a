#pragma once
// Layout: DOT (dot.hpp) -> Graphviz `-Tjson` -> Scene. Natively layout_native runs Graphviz
// in-process (target chunkscope_viz_layout); the browser runs Graphviz-WASM (@viz-js/viz) on the
// same DOT; both hand the JSON to parse_layout.
//
//   std::string json = viz::layout_native(viz::to_dot(g));   // native only
//   viz::Scene s = viz::parse_layout(json, g);
#include <stdexcept>
#include <string>
#include <string_view>

#include "chunkscope/viz/scene.hpp"
#include "chunkscope/viz/view.hpp"

namespace chunkscope::viz {

/// A layout that cannot be read or made; what() is one line naming the field.
class LayoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses Graphviz's json output for a graph made by to_dot(g): node centres and sizes, cluster
/// boxes, edge splines and label positions, y flipped to point down. Nodes and edges keep g's
/// order and data (labels, colours); stroke by severity. Throws LayoutError on malformed input
/// (bad JSON, missing or mistyped field, a node of g missing from the layout); never crashes.
Scene parse_layout(std::string_view graphviz_json, const VisibleGraph& g);

/// Lays DOT out with Graphviz's dot in this process and returns its json output. Thread-safe
/// (one global mutex around every Graphviz call). Throws LayoutError on a DOT syntax error or a
/// failed layout. Only in chunkscope_viz_layout (not in the WASM build).
std::string layout_native(const std::string& dot);

}  // namespace chunkscope::viz
