#pragma once
// The view: what the user has expanded, selected and searched (ViewState), and the graph that
// follows from it (VisibleGraph) — groups collapsed into one node or drawn as clusters, layers
// as nodes, an expanded layer as its tasks (or one heat-map node when it has too many).
//
//   viz::ViewState v;                      // default: every group collapsed
//   v.toggle_group("denoise");             // show what is inside
//   v.color_by = viz::ColorBy::PeakMemory;
//   viz::VisibleGraph g = viz::visible_graph(model, v);
//   std::string dot = viz::to_dot(g);      // dot.hpp
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// Collapse/expand, colour and selection state of one graph view (plain data; front-ends own it).
struct ViewState {
  std::set<std::string> expanded_groups;  ///< group paths
  std::set<std::string> expanded_layers;  ///< layer ids whose tasks are shown
  ColorBy color_by = ColorBy::TimeShare;
  std::string selected;  ///< layer id, "group:" + path, "task:" + index, or empty
  std::string search;    ///< case-insensitive substring of a layer's id, name or op

  /// Expands a collapsed group or collapses an expanded one.
  void toggle_group(const std::string& path);
  /// Shows or hides the tasks of a layer.
  void toggle_layer(const std::string& id);
  /// Expands every ancestor group of a layer so that its node is visible (unknown id: no change).
  void expand_to(const Model& m, const std::string& layer_id);
};

/// One node of the visible graph.
struct VNode {
  enum class Kind { Group, Layer, Task, Heatmap };
  Kind kind = Kind::Layer;
  std::string key;                 ///< DOT node name: "g:<path>", "l:<id>", "t:<task>", "h:<id>"
  std::string cluster;             ///< innermost expanded group path ("" = top level); tasks/heatmap: "layer:<id>"
  std::vector<std::string> label;  ///< text lines (see docs/viz.md)
  double value = 0;                ///< 0..1 for the colour-by mode
  std::string fill;                ///< "#rrggbb"
  int severity = -1;               ///< worst finding: -1 none, 0 info, 1 warning, 2 critical
  int badge = 0;                   ///< number of findings (0 = no badge)
  bool selected = false, matched = false;
  int layer = -1;                                                  ///< layer index (Layer, Task, Heatmap)
  std::int64_t task = -1;                                          ///< task id (Task)
  int group = -1;                                                  ///< group index (Group)
  std::int64_t tasks = 0, busy_ns = 0, bytes = 0, peak_bytes = 0;  ///< aggregated over a group
};

/// One edge; layer edges between the same two visible nodes are merged.
struct VEdge {
  std::string from, to;  ///< node keys
  std::string label;     ///< "512×512 → 64×8192", "fan-in 16", both, or empty
  int fan_in = 0;        ///< most input chunks one output task reads along this edge
  bool rechunk = false;  ///< the chunk shape changes along this edge
  int count = 1;         ///< layer (or task) edges merged into this one
};

/// A box drawn around the nodes of an expanded group or an expanded layer.
struct Cluster {
  std::string key;  ///< "cluster_g:<path>" or "cluster_l:<id>"
  std::string label;
  std::string parent;  ///< key of the enclosing cluster, "" at top level
};

/// What a graph view shows: nodes, edges, clusters (parents before children).
struct VisibleGraph {
  std::vector<VNode> nodes;
  std::vector<VEdge> edges;
  std::vector<Cluster> clusters;
};

/// Edges whose fan-in is at least this show "fan-in N" in their label.
inline constexpr int kFanInLabel = 8;
/// Most nodes a VisibleGraph has beyond its group and layer nodes: task nodes of all expanded
/// layers together never exceed max_task_nodes (layers past the budget become heat-map nodes).
///
/// Collapsed groups are one node with aggregated numbers; expanded groups are clusters; an
/// expanded layer shows its tasks (task->task edges among visible tasks, other inputs drawn from
/// the node that contains them) or one Heatmap node. Deterministic.
VisibleGraph visible_graph(const Model& m, const ViewState& v, std::int64_t max_task_nodes = 200);

}  // namespace chunkscope::viz
