#pragma once
// Internal: label lines and colour values of visible-graph nodes (node_labels.cpp).
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz::detail {

/// Numbers of a group node (sums over its layers; chunk_bytes is the largest).
struct Aggregate {
  int layers = 0;
  std::int64_t tasks = 0, busy_ns = 0, bytes = 0, peak_bytes = 0, critical_ns = 0, chunk_bytes = 0;
  int main_worker = -1;
  std::int64_t main_worker_tasks = -1;
  std::string created_at;  ///< the first layer's that has one (a Dask group: the user's call)
  void add(const LayerStats& s);
};

/// {id, "op  shape  [chunk shape]", "N chunks · T tasks"[, "created at F:L"], "time (share) · bytes"}.
std::vector<std::string> layer_label(const LayerStats& s);
/// {name, "L layers · T tasks"[, "created at F:L"], "time (share) · bytes"}.
std::vector<std::string> group_label(const std::string& name, const Aggregate& a, std::int64_t run_busy_ns);
/// {"[i, j]" (stage 0) or "stage s #k", "duration · worker w"}.
std::vector<std::string> task_label(const Model& m, std::int64_t task);
/// {id, "N tasks: chunk grid"}.
std::vector<std::string> heatmap_label(const LayerStats& s);

/// The raw colour-by metric of a layer-level node (normalised later by the largest visible).
double layer_metric(const LayerStats& s, ColorBy c);
double group_metric(const Aggregate& a, ColorBy c);
double task_metric(const Model& m, std::int64_t task, ColorBy c);
/// True when the mode's values are already 0..1 and are not normalised (Findings).
bool absolute_mode(ColorBy c);

/// Lower-case ASCII copy (search is case-insensitive).
std::string lower(std::string s);
/// `s` with invalid UTF-8 bytes replaced by '?' (keys and labels stay valid text everywhere).
std::string clean_utf8(const std::string& s);

/// `s` usable as (part of) a DOT node name: '%', '\\', control characters and invalid UTF-8
/// bytes become %XX (injective; ordinary names are unchanged).
std::string encode_key(const std::string& s);

}  // namespace chunkscope::viz::detail
