#include "utilisation.hpp"

#include <algorithm>

namespace chunkscope::viewer {

std::vector<double> lane_utilisation(const viz::Model& m, std::int64_t t0, std::int64_t t1) {
  std::vector<double> out;
  const TraceTasks& c = m.trace().tasks;
  const double span = static_cast<double>(std::max<std::int64_t>(t1 - t0, 1));
  for (int lane = 0; lane < static_cast<int>(m.lane_workers().size()); ++lane) {
    // Tasks sorted by start; the running maximum of their ends finds the first that can overlap.
    const auto& tasks = m.lane_tasks(lane);
    const auto& max_end = m.lane_max_end(lane);
    std::int64_t busy = 0;
    for (auto i = static_cast<size_t>(std::lower_bound(max_end.begin(), max_end.end(), t0 + 1) - max_end.begin());
         i < tasks.size(); ++i) {
      const auto t = tasks[i];
      if (c.start_ns[t] >= t1) break;
      if (c.end_ns[t] > t0) busy += std::min(c.end_ns[t], t1) - std::max(c.start_ns[t], t0);
    }
    out.push_back(static_cast<double>(busy) / span);
  }
  return out;
}

}  // namespace chunkscope::viewer
