#pragma once
// Colours every front-end uses, as "#rrggbb" text, so a node has the same colour everywhere.
#include <string>

namespace chunkscope::viz {

/// Sequential palette (light -> dark blue-purple) for a value in 0..1; NaN and values outside
/// 0..1 are clamped (NaN -> 0).
std::string value_color(double v01);
/// Categorical colour of a layer index, stable across runs (cycles through 12 hues; negative -> grey).
std::string layer_color(int layer);
/// Categorical colour of a worker (negative = never ran -> grey).
std::string worker_color(int worker);
/// Outline colour of a finding severity: -1 none (neutral grey), 0 info (blue), 1 warning (orange),
/// 2 critical (red).
std::string severity_color(int severity);

}  // namespace chunkscope::viz
