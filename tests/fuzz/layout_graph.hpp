#pragma once
// The VisibleGraph the layout fuzz target parses layouts for (layout_fuzz.cpp); make_seeds.cpp
// lays out the same graph to seed corpus/layout/.
#include "chunkscope/viz/view.hpp"

namespace chunkscope::fuzz {

/// Three layer nodes (l:a, l:b, l:c), a task node (t:0), a cluster (cluster_g:x), three edges.
inline viz::VisibleGraph layout_graph() {
  using namespace chunkscope::viz;
  VisibleGraph g;
  for (const char* key : {"l:a", "l:b", "l:c", "t:0"}) {
    VNode n;
    n.key = key;
    n.label = {key + 2};
    g.nodes.push_back(n);
  }
  g.nodes[0].cluster = "x";
  g.nodes[1].cluster = "x";
  g.nodes[1].severity = 2;
  g.nodes[2].selected = true;
  g.nodes[3].kind = VNode::Kind::Task;
  g.edges.push_back({"l:a", "l:b", "32×1024", 8, true, 1});
  g.edges.push_back({"l:b", "l:c", "", 0, false, 3});
  g.edges.push_back({"l:a", "t:0", "", 0, false, 1});
  g.clusters.push_back({"cluster_g:x", "x", ""});
  return g;
}

}  // namespace chunkscope::fuzz
