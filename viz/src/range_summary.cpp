// Range summary of a brushed time window (range_summary.hpp).
#include "chunkscope/viz/range_summary.hpp"

#include <algorithm>
#include <utility>

namespace chunkscope::viz {

RangeSummary range_summary(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns) {
  if (t1_ns < t0_ns) std::swap(t0_ns, t1_ns);
  const Trace& t = m.trace();
  const TraceTasks& c = t.tasks;
  RangeSummary s;
  s.t0_ns = t0_ns;
  s.t1_ns = t1_ns;
  std::vector<RangeLayer> layers(m.layers().size());
  std::vector<RangeWorker> workers(static_cast<size_t>(std::max(0, t.meta.threads)));
  for (std::int64_t i = 0; t1_ns > t0_ns && i < c.size(); ++i) {
    const int w = c.worker[i];
    if (w < 0 || c.end_ns[i] <= t0_ns || c.start_ns[i] >= t1_ns) continue;
    if (c.end_ns[i] == c.start_ns[i] && (c.start_ns[i] < t0_ns || c.start_ns[i] >= t1_ns)) continue;
    const std::int64_t busy = std::min(c.end_ns[i], t1_ns) - std::max(c.start_ns[i], t0_ns);
    const auto l = static_cast<size_t>(c.layer[i]);
    if (l < layers.size()) {
      layers[l].layer = static_cast<int>(l);
      layers[l].busy_ns += busy;
      ++layers[l].tasks;
    }
    if (static_cast<size_t>(w) >= workers.size()) workers.resize(static_cast<size_t>(w) + 1);
    workers[static_cast<size_t>(w)].task_ns += busy;
    ++workers[static_cast<size_t>(w)].tasks;
    ++s.tasks;
  }
  for (auto& l : layers)
    if (l.layer >= 0) s.layers.push_back(l);
  std::stable_sort(s.layers.begin(), s.layers.end(),
                   [](const RangeLayer& a, const RangeLayer& b) { return a.busy_ns > b.busy_ns; });
  // Busy: the union of each worker's task intervals in the window (its timeline lane), not their sum.
  for (int lane = 0; t1_ns > t0_ns && lane < static_cast<int>(m.lane_workers().size()); ++lane) {
    const auto w = static_cast<size_t>(m.lane_workers()[static_cast<size_t>(lane)]);
    if (w >= workers.size()) workers.resize(w + 1);
    workers[w].busy_ns = lane_busy_ns(m, lane, t0_ns, t1_ns);
  }
  for (size_t w = 0; w < workers.size(); ++w) {
    workers[w].worker = static_cast<int>(w);
    workers[w].idle_ns = std::max<std::int64_t>(0, (t1_ns - t0_ns) - workers[w].busy_ns);
  }
  s.workers = std::move(workers);
  // Host memory: the step value in force at t0, and every step inside the window.
  const MemorySeries& mem = t.memory;
  std::int64_t at = 0;
  bool seen = false;
  for (size_t i = 0; i < mem.t_ns.size(); ++i) {
    if (mem.t_ns[i] <= t0_ns) {
      at = mem.live_bytes[i];
      continue;
    }
    if (mem.t_ns[i] >= t1_ns) break;
    if (!seen) s.memory_min = s.memory_max = at, seen = true;
    s.memory_min = std::min(s.memory_min, mem.live_bytes[i]);
    s.memory_max = std::max(s.memory_max, mem.live_bytes[i]);
  }
  if (!seen) s.memory_min = s.memory_max = at;
  return s;
}

std::int64_t lane_busy_ns(const Model& m, int lane, std::int64_t t0_ns, std::int64_t t1_ns) {
  if (lane < 0 || lane >= static_cast<int>(m.lane_workers().size()) || t1_ns <= t0_ns) return 0;
  const TraceTasks& c = m.trace().tasks;
  const auto& tasks = m.lane_tasks(lane);  // sorted by start
  const auto& max_end = m.lane_max_end(lane);
  std::int64_t busy = 0, a = 0, b = 0;  // [a, b): the merged interval being grown
  bool open = false;
  // The running maximum of the ends finds the first task that can reach into the window.
  for (auto i = static_cast<size_t>(std::lower_bound(max_end.begin(), max_end.end(), t0_ns + 1) - max_end.begin());
       i < tasks.size(); ++i) {
    const auto t = tasks[i];
    if (c.start_ns[t] >= t1_ns) break;
    const std::int64_t s = std::max(c.start_ns[t], t0_ns), e = std::min(c.end_ns[t], t1_ns);
    if (e <= s) continue;
    if (open && s <= b) {
      b = std::max(b, e);
      continue;
    }
    if (open) busy += b - a;
    a = s, b = e, open = true;
  }
  if (open) busy += b - a;
  return busy;
}

std::vector<double> lane_utilisation(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns) {
  std::vector<double> out;
  const double span = static_cast<double>(std::max<std::int64_t>(t1_ns - t0_ns, 1));
  for (int lane = 0; lane < static_cast<int>(m.lane_workers().size()); ++lane)
    out.push_back(static_cast<double>(lane_busy_ns(m, lane, t0_ns, t1_ns)) / span);
  return out;
}

}  // namespace chunkscope::viz
