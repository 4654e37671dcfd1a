#pragma once
// Comparing two runs (before and after applying advice): per layer id, busy time and bytes held
// at the memory peak in each run and their differences. Plain data for ComparePanel.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viewer {

/// One layer id in either run (-1 values: the layer is missing from that run).
struct LayerDiff {
  std::string id;
  std::int64_t busy_a = -1, busy_b = -1;  ///< summed task time (ns)
  std::int64_t peak_a = -1, peak_b = -1;  ///< bytes held at the run's memory peak
  std::int64_t tasks_a = -1, tasks_b = -1;
};

/// Whole-run numbers and the layers: A's order first, then layers only B has.
struct RunDiff {
  std::int64_t wall_a = 0, wall_b = 0, peak_a = 0, peak_b = 0, tasks_a = 0, tasks_b = 0;
  std::vector<LayerDiff> layers;
};

RunDiff compare_runs(const viz::Model& a, const viz::Model& b);

}  // namespace chunkscope::viewer
