#include "utilisation.hpp"

#include "chunkscope/viz/range_summary.hpp"

namespace chunkscope::viewer {

std::vector<double> lane_utilisation(const viz::Model& m, std::int64_t t0, std::int64_t t1) {
  return viz::lane_utilisation(m, t0, t1);  // the union of each lane's tasks: never above 100%
}

}  // namespace chunkscope::viewer
