// timeline: lanes of task rectangles in pixels, folding what is too narrow to see.
#include "chunkscope/viz/timeline.hpp"

#include <algorithm>

namespace chunkscope::viz {
namespace {

// A run of narrow tasks being folded; the layer with the most time in it names it.
class Fold {
 public:
  bool active() const { return count_ > 0; }
  double x0() const { return x0_; }
  double x1() const { return x1_; }
  void start(double x0, double x1, int layer, std::int64_t task, std::int64_t ns) {
    x0_ = x0, x1_ = x1, count_ = 1, task_ = task;
    layers_.clear();
    layers_.push_back({layer, ns});
  }
  void add(double x1, int layer, std::int64_t ns) {
    x1_ = std::max(x1_, x1);
    ++count_;
    for (auto& [l, t] : layers_)
      if (l == layer) {
        t += ns;
        return;
      }
    layers_.push_back({layer, ns});
  }
  void flush(int lane, std::vector<TimelineRect>& out) {
    if (!count_) return;
    auto best = layers_.begin();
    for (auto it = layers_.begin(); it != layers_.end(); ++it)
      if (it->second > best->second) best = it;
    out.push_back({lane, x0_, x1_, best->first, count_ == 1 ? task_ : -1, count_});
    count_ = 0;
  }

 private:
  double x0_ = 0, x1_ = 0;
  int count_ = 0;
  std::int64_t task_ = -1;
  std::vector<std::pair<int, std::int64_t>> layers_;  // few distinct layers per fold
};

}  // namespace

Timeline timeline(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, double width_px, double min_px) {
  Timeline tl;
  tl.t0 = t0_ns;
  tl.t1 = t1_ns;
  const auto& workers = m.lane_workers();
  for (int w : workers) tl.lanes.push_back("worker " + std::to_string(w));
  if (!(t1_ns > t0_ns) || !(width_px > 0)) return tl;
  if (!(min_px > 0)) min_px = 1e-9;
  const TraceTasks& c = m.trace().tasks;
  const double scale = width_px / static_cast<double>(t1_ns - t0_ns);
  Fold fold;
  for (int lane = 0; lane < static_cast<int>(workers.size()); ++lane) {
    const auto& ids = m.lane_tasks(lane);
    const auto& max_end = m.lane_max_end(lane);
    // First task that may end at or after t0 (max_end is non-decreasing).
    size_t k = static_cast<size_t>(std::lower_bound(max_end.begin(), max_end.end(), t0_ns) - max_end.begin());
    for (; k < ids.size(); ++k) {
      const std::int64_t t = ids[k];
      const std::int64_t s = c.start_ns[t], e = c.end_ns[t];
      if (s > t1_ns) break;
      if (e < t0_ns) continue;
      const double x0 = static_cast<double>(std::max(s, t0_ns) - t0_ns) * scale;
      const double x1 = static_cast<double>(std::min(e, t1_ns) - t0_ns) * scale;
      const int layer = c.layer[t];
      if (x1 - x0 >= min_px) {
        fold.flush(lane, tl.rects);
        tl.rects.push_back({lane, x0, x1, layer, t, 1});
      } else if (fold.active() && x0 - fold.x1() < min_px && fold.x1() - fold.x0() < min_px) {
        fold.add(x1, layer, e - s);
      } else {
        fold.flush(lane, tl.rects);
        fold.start(x0, x1, layer, t, e - s);
      }
    }
    fold.flush(lane, tl.rects);
  }
  return tl;
}

}  // namespace chunkscope::viz
