// timeline: lanes of task (and transfer) rectangles in pixels, folding what is too narrow to see.
#include "chunkscope/viz/timeline.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

namespace chunkscope::viz {
namespace {

// The items (tasks or transfers) of one lane sorted by start, with their times.
struct LaneItems {
  const std::vector<std::int64_t>& ids;
  const std::vector<std::int64_t>& max_end;  // running maximum of end along ids
  const std::vector<std::int64_t>& start;    // by item id
  const std::vector<std::int64_t>& end;
};

// The layer with the most time among items ids[k..j): exact for short runs, else from 32 items
// spread evenly over the run (a fold is one pixel wide; its colour is a summary, its count exact).
// layer_of(id) < 0 (a transfer feeding no known task) never wins over a real layer.
template <class LayerOf>
int fold_layer(const LaneItems& L, size_t k, size_t j, LayerOf layer_of) {
  std::pair<int, std::int64_t> best{layer_of(L.ids[k]), -1};
  std::vector<std::pair<int, std::int64_t>> acc;
  const size_t n = j - k, step = n <= 32 ? 1 : n / 32;
  for (size_t i = k; i < j; i += step) {
    const std::int64_t t = L.ids[i];
    const int l = layer_of(t);
    if (l < 0) continue;
    const std::int64_t d = L.end[static_cast<size_t>(t)] - L.start[static_cast<size_t>(t)];
    auto it = std::find_if(acc.begin(), acc.end(), [&](const auto& p) { return p.first == l; });
    if (it == acc.end())
      acc.push_back({l, d});
    else
      it->second += d;
  }
  for (const auto& p : acc)
    if (p.second > best.second) best = p;
  return best.first;
}

// Walks the items of one lane overlapping [t0, t1] and calls emit(k, j, x0, x1) once per
// rectangle: items ids[k..j) drawn from x0 to x1 (one wide item, or a fold of narrow ones).
template <class Emit>
void walk_lane(const LaneItems& L, std::int64_t t0, std::int64_t t1, double scale, double min_px, Emit emit) {
  const auto px = [&](std::int64_t t) { return static_cast<double>(std::clamp(t, t0, t1) - t0) * scale; };
  const auto start = [&](std::int64_t id) { return L.start[static_cast<size_t>(id)]; };
  const auto end = [&](std::int64_t id) { return L.end[static_cast<size_t>(id)]; };
  const auto& ids = L.ids;
  // First item that may end at or after t0 (max_end is non-decreasing).
  size_t k = static_cast<size_t>(std::lower_bound(L.max_end.begin(), L.max_end.end(), t0) - L.max_end.begin());
  while (k < ids.size()) {
    const std::int64_t t = ids[k];
    const std::int64_t s = start(t), e = end(t);
    if (s > t1) break;
    if (e < t0) {
      ++k;
      continue;
    }
    const double x0 = px(s), x1 = px(e);
    if (x1 - x0 >= min_px) {
      emit(k, k + 1, x0, x1);
      ++k;
      continue;
    }
    // A narrow item: fold it with every item that starts before the next min_px boundary, found
    // by binary search (items of a lane are sorted by start), so a call costs O(rects log items)
    // whatever the zoom, not O(items in view).
    const auto boundary = t0 + static_cast<std::int64_t>(std::ceil((x0 + min_px) / scale));
    size_t j = static_cast<size_t>(std::partition_point(ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(),
                                                        [&](std::int64_t id) { return start(id) < boundary; }) -
                                   ids.begin());
    j = std::max(j, k + 1);
    if (j - 1 > k && px(end(ids[j - 1])) - px(start(ids[j - 1])) >= min_px) --j;  // a wide last item stays its own rect
    double fx1 = x1;
    for (size_t i = (j - k > 64 ? j - 64 : k); i < j; ++i)
      fx1 = std::max(fx1, px(end(ids[i])));  // overlapping lanes (Dask threads)
    emit(k, j, x0, fx1);
    k = j;
  }
}

int clamp_count(size_t n) { return static_cast<int>(std::min<size_t>(n, INT32_MAX)); }

}  // namespace

const char* rect_kind_name(RectKind k) { return k == RectKind::Transfer ? "transfer" : "task"; }

Timeline timeline(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, double width_px, double min_px) {
  Timeline tl;
  tl.t0 = t0_ns;
  tl.t1 = t1_ns;
  const auto& workers = m.lane_workers();
  // Lanes are named by device where the executor says which worker is which (CUDA traces:
  // meta.worker_devices = ["cuda:0", "host"]), else "worker N".
  for (int w : workers) {
    const std::string device = m.trace().meta.worker_device(w);
    tl.lanes.push_back(device.empty() ? "worker " + std::to_string(w) : device + " (worker " + std::to_string(w) + ")");
  }
  tl.task_lanes = static_cast<int>(workers.size());
  for (const TransferLane& x : m.transfer_lanes()) tl.lanes.push_back(x.name);
  if (!(t1_ns > t0_ns) || !(width_px > 0)) return tl;
  if (!(min_px > 0)) min_px = 1e-9;
  const TraceTasks& c = m.trace().tasks;
  const double scale = width_px / static_cast<double>(t1_ns - t0_ns);

  const auto task_layer = [&](std::int64_t t) { return static_cast<int>(c.layer[static_cast<size_t>(t)]); };
  for (int lane = 0; lane < tl.task_lanes; ++lane) {
    const LaneItems items{m.lane_tasks(lane), m.lane_max_end(lane), c.start_ns, c.end_ns};
    walk_lane(items, t0_ns, t1_ns, scale, min_px, [&](size_t k, size_t j, double x0, double x1) {
      const std::int64_t t = items.ids[k];
      const int layer = j - k == 1 ? task_layer(t) : fold_layer(items, k, j, task_layer);
      tl.rects.push_back({lane, x0, x1, layer, j - k == 1 ? t : -1, clamp_count(j - k)});
    });
  }

  const TraceTransfers& x = m.trace().transfers;
  const auto fed_layer = [&](std::int64_t i) {
    const std::int64_t t = x.task[static_cast<size_t>(i)];
    return t >= 0 ? static_cast<int>(c.layer[static_cast<size_t>(t)]) : -1;
  };
  for (size_t k = 0; k < m.transfer_lanes().size(); ++k) {
    const TransferLane& xl = m.transfer_lanes()[k];
    const int lane = tl.task_lanes + static_cast<int>(k);
    const LaneItems items{xl.transfers, xl.max_end, x.start_ns, x.end_ns};
    walk_lane(items, t0_ns, t1_ns, scale, min_px, [&](size_t a, size_t b, double x0, double x1) {
      const std::int64_t i = items.ids[a];
      TimelineRect r{lane, x0, x1, -1, -1, clamp_count(b - a)};
      r.kind = RectKind::Transfer;
      r.bytes = xl.bytes_before[b] - xl.bytes_before[a];
      if (b - a == 1) {
        r.transfer = i;
        r.task = x.task[static_cast<size_t>(i)];
        r.layer = fed_layer(i);
      } else {
        r.layer = fold_layer(items, a, b, fed_layer);
      }
      tl.rects.push_back(r);
    });
  }
  return tl;
}

}  // namespace chunkscope::viz
