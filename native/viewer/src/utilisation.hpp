#pragma once
// Per-worker utilisation of the timeline's window (the green bar under each lane name).
#include <cstdint>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viewer {

/// Busy share of each worker lane over [t0, t1] (0..1: viz::lane_utilisation, the union of the
/// lane's tasks clipped to the window, as the brushed range's summary counts it), in lane order.
std::vector<double> lane_utilisation(const viz::Model& m, std::int64_t t0, std::int64_t t1);

}  // namespace chunkscope::viewer
