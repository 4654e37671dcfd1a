#pragma once
// Memory view: the live-memory step series of the host reduced to a min/max envelope of two
// points per pixel column, so a plot of millions of changes stays width-sized.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// Envelope of live bytes over a window.
struct MemoryView {
  std::vector<double> t_ns;   ///< two entries per column: the column's start time twice
  std::vector<double> bytes;  ///< per column: lowest then highest live bytes in it
  std::int64_t limit = 0;     ///< memory limit (0 = none)
  std::int64_t peak = 0, peak_t = 0;  ///< the run's peak and when
  std::string peak_layer;     ///< id of the layer that reached the peak, or empty
};

/// Live bytes over [t0_ns, t1_ns] in width_px columns (none when t1 <= t0 or width_px <= 0).
MemoryView memory_view(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px);

}  // namespace chunkscope::viz
