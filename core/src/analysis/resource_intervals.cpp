// Tasks against the sample intervals of a process's resource series (Trace::resources): what the
// unmanaged-memory and cpu-underuse rules both read.
#include <algorithm>

#include "context.hpp"

namespace chunkscope::analysis {

std::vector<IntervalTaskTime> task_time_in_intervals(const Context& c, const std::vector<std::int64_t>& t_ns,
                                                     const std::vector<char>& lanes) {
  std::vector<IntervalTaskTime> out;
  const TraceTasks& k = c.t.tasks;
  const size_t n = t_ns.size();
  if (n < 2) return out;
  for (std::int64_t i = 0; i < k.size(); ++i) {
    if (!c.task_ran(i)) continue;
    if (!lanes.empty()) {
      const auto w = static_cast<size_t>(k.worker[i]);
      if (k.worker[i] < 0 || w >= lanes.size() || !lanes[w]) continue;
    }
    const std::int64_t a = k.start_ns[i], b = k.end_ns[i];
    if (b <= a) continue;
    // The first interval that ends after the task starts, then every interval it overlaps.
    auto j = static_cast<size_t>(std::upper_bound(t_ns.begin(), t_ns.end(), a) - t_ns.begin());
    for (j = std::max<size_t>(j, 1); j < n && t_ns[j - 1] < b; ++j) {
      const std::int64_t lo = std::max(a, t_ns[j - 1]), hi = std::min(b, t_ns[j]);
      if (hi > lo) out.push_back({j, k.layer[i], static_cast<double>(hi - lo)});
    }
  }
  return out;
}

std::vector<char> worker_lanes(const Context& c, const std::string& address) {
  const nlohmann::json& extra = c.t.meta.extra;
  if (!extra.is_object() || !extra.contains("workers") || !extra["workers"].is_array()) return {};
  const nlohmann::json& names = extra["workers"];
  std::vector<char> lanes(names.size(), 0);
  for (size_t w = 0; w < names.size(); ++w)
    lanes[w] = names[w].is_string() && names[w].get<std::string>().rfind(address + " ", 0) == 0;
  return lanes;
}

}  // namespace chunkscope::analysis
