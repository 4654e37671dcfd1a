// timeline: lanes of task rectangles in pixels, folding what is too narrow to see.
#include "chunkscope/viz/timeline.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

namespace chunkscope::viz {
namespace {

// The layer with the most time among tasks ids[k..j): exact for short runs, else from 32 tasks
// spread evenly over the run (a fold is one pixel wide; its colour is a summary, its count exact).
int fold_layer(const std::vector<std::int64_t>& ids, size_t k, size_t j, const TraceTasks& c) {
  std::pair<int, std::int64_t> best{c.layer[ids[k]], -1};
  std::vector<std::pair<int, std::int64_t>> acc;
  const size_t n = j - k, step = n <= 32 ? 1 : n / 32;
  for (size_t i = k; i < j; i += step) {
    const std::int64_t t = ids[i];
    const int l = c.layer[t];
    auto it = std::find_if(acc.begin(), acc.end(), [&](const auto& p) { return p.first == l; });
    if (it == acc.end()) acc.push_back({l, c.duration(t)});
    else it->second += c.duration(t);
  }
  for (const auto& p : acc)
    if (p.second > best.second) best = p;
  return best.first;
}

}  // namespace

Timeline timeline(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, double width_px, double min_px) {
  Timeline tl;
  tl.t0 = t0_ns;
  tl.t1 = t1_ns;
  const auto& workers = m.lane_workers();
  // Lanes are named by device where the executor says which worker is which (CUDA traces:
  // meta.extra.worker_devices = ["cuda:0", "host"]), else "worker N".
  const auto& extra = m.trace().meta.extra;
  const nlohmann::json* devices = extra.contains("worker_devices") && extra["worker_devices"].is_array() ? &extra["worker_devices"] : nullptr;
  for (int w : workers) {
    std::string name = "worker " + std::to_string(w);
    if (devices && w >= 0 && static_cast<size_t>(w) < devices->size() && (*devices)[static_cast<size_t>(w)].is_string())
      name = (*devices)[static_cast<size_t>(w)].get<std::string>() + " (worker " + std::to_string(w) + ")";
    tl.lanes.push_back(std::move(name));
  }
  if (!(t1_ns > t0_ns) || !(width_px > 0)) return tl;
  if (!(min_px > 0)) min_px = 1e-9;
  const TraceTasks& c = m.trace().tasks;
  const double scale = width_px / static_cast<double>(t1_ns - t0_ns);
  const auto px = [&](std::int64_t t) { return static_cast<double>(std::clamp(t, t0_ns, t1_ns) - t0_ns) * scale; };
  for (int lane = 0; lane < static_cast<int>(workers.size()); ++lane) {
    const auto& ids = m.lane_tasks(lane);
    const auto& max_end = m.lane_max_end(lane);
    // First task that may end at or after t0 (max_end is non-decreasing).
    size_t k = static_cast<size_t>(std::lower_bound(max_end.begin(), max_end.end(), t0_ns) - max_end.begin());
    while (k < ids.size()) {
      const std::int64_t t = ids[k];
      const std::int64_t s = c.start_ns[t], e = c.end_ns[t];
      if (s > t1_ns) break;
      if (e < t0_ns) {
        ++k;
        continue;
      }
      const double x0 = px(s), x1 = px(e);
      if (x1 - x0 >= min_px) {
        tl.rects.push_back({lane, x0, x1, c.layer[t], t, 1});
        ++k;
        continue;
      }
      // A narrow task: fold it with every task that starts before the next min_px boundary, found
      // by binary search (tasks of a lane are sorted by start), so a call costs O(rects log tasks)
      // whatever the zoom, not O(tasks in view).
      const auto boundary = t0_ns + static_cast<std::int64_t>(std::ceil((x0 + min_px) / scale));
      size_t j = static_cast<size_t>(
          std::partition_point(ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(), [&](std::int64_t id) { return c.start_ns[id] < boundary; }) -
          ids.begin());
      j = std::max(j, k + 1);
      if (j - 1 > k && px(c.end_ns[ids[j - 1]]) - px(c.start_ns[ids[j - 1]]) >= min_px) --j;  // a wide last task stays its own rect
      const size_t n = j - k;
      double fx1 = x1;
      for (size_t i = (n > 64 ? j - 64 : k); i < j; ++i) fx1 = std::max(fx1, px(c.end_ns[ids[i]]));  // overlapping lanes (Dask threads)
      tl.rects.push_back({lane, x0, fx1, fold_layer(ids, k, j, c), n == 1 ? t : -1, static_cast<int>(std::min<size_t>(n, INT32_MAX))});
      k = j;
    }
  }
  return tl;
}

}  // namespace chunkscope::viz
