#pragma once
// DOT text of a visible graph: the one input of every layout (Graphviz in-process natively,
// Graphviz-WASM in the browser), so every front-end gets the same picture.
#include <string>
#include <string_view>
#include <vector>

#include "chunkscope/viz/view.hpp"

namespace chunkscope::viz {

/// Node size in inches for a label (fixed size, computed here so no front-end measures text).
struct NodeSize {
  double width, height;
};
/// Width from the longest line (UTF-8 characters), height from the line count.
NodeSize node_size(const std::vector<std::string>& label);
/// A string as a DOT double-quoted string, quotes included: `"` and `\` escaped, control
/// characters and invalid UTF-8 bytes replaced, so no user text can end the string.
std::string dot_quote(std::string_view s);
/// rankdir=TB digraph: box nodes with fixed width/height, clusters as `subgraph "cluster_*"`,
/// every string escaped. Same graph -> same text.
std::string to_dot(const VisibleGraph& g);

}  // namespace chunkscope::viz
