#pragma once
// Scene: a laid-out graph in points, y pointing down, ready to draw — the only graph structure a
// front-end walks. Made by parse_layout (layout.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chunkscope/viz/view.hpp"

namespace chunkscope::viz {

struct Point {
  double x = 0, y = 0;
};

/// A node box: centre (x, y), size (w, h), in points.
struct SceneNode {
  std::string key;
  VNode::Kind kind = VNode::Kind::Layer;
  double x = 0, y = 0, w = 0, h = 0;
  std::vector<std::string> label;
  std::string fill, stroke;
  double stroke_width = 1;
  int severity = -1, badge = 0;
  bool selected = false, matched = false;
  int layer = -1;
  std::int64_t task = -1;
};

/// An edge: cubic Bézier control points (1 + 3n points), optional arrow tip, label.
struct SceneEdge {
  std::string from, to;
  std::vector<Point> points;
  std::optional<Point> arrow;  ///< where the arrowhead's tip is (the spline ends short of it)
  std::string label;
  Point label_pos;
  std::string color;
  double width = 1;
  bool rechunk = false;
  int count = 1;
};

/// A cluster box: top-left (x, y) and size, in points.
struct SceneCluster {
  std::string key, label;
  double x = 0, y = 0, w = 0, h = 0;
};

/// Everything to draw one graph view.
struct Scene {
  double width = 0, height = 0;
  std::vector<SceneCluster> clusters;  ///< parents before children
  std::vector<SceneNode> nodes;
  std::vector<SceneEdge> edges;
};

}  // namespace chunkscope::viz
