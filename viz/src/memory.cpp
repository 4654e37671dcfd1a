// memory_view: a min/max envelope of the live-memory step series, two points per pixel column.
#include "chunkscope/viz/memory.hpp"

#include <algorithm>
#include <cmath>

namespace chunkscope::viz {

MemoryView memory_view(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px) {
  const MemorySeries& ms = m.trace().memory;
  MemoryView v;
  v.limit = ms.limit_bytes;
  v.peak = ms.peak_bytes;
  v.peak_t = ms.peak_t_ns;
  if (ms.peak_layer >= 0 && static_cast<size_t>(ms.peak_layer) < m.layers().size())
    v.peak_layer = m.layers()[static_cast<size_t>(ms.peak_layer)].id;
  if (!(t1_ns > t0_ns) || width_px <= 0) return v;
  const auto& t = ms.t_ns;
  const auto& b = ms.live_bytes;
  const double span = static_cast<double>(t1_ns - t0_ns);
  v.t_ns.reserve(2 * static_cast<size_t>(width_px));
  v.bytes.reserve(2 * static_cast<size_t>(width_px));
  // next: the first change after the column's start; b[next - 1] is the value in effect there.
  size_t next = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), t0_ns) - t.begin());
  for (int col = 0; col < width_px; ++col) {
    const double ca = static_cast<double>(t0_ns) + span * col / width_px;
    const double cb = static_cast<double>(t0_ns) + span * (col + 1) / width_px;
    while (next < t.size() && static_cast<double>(t[next]) <= ca) ++next;  // changes up to the column's start
    double lo = next > 0 ? static_cast<double>(b[next - 1]) : 0.0, hi = lo;
    // the changes inside the column: found by binary search, their range from the model's blocks
    const auto end = static_cast<size_t>(std::lower_bound(t.begin() + static_cast<std::ptrdiff_t>(next), t.end(), static_cast<std::int64_t>(std::ceil(cb))) - t.begin());
    size_t stop = end;
    while (stop > next && static_cast<double>(t[stop - 1]) >= cb) --stop;
    while (stop < t.size() && static_cast<double>(t[stop]) < cb) ++stop;
    if (stop > next) {
      const auto [mn, mx] = m.memory_minmax(next, stop);
      lo = std::min(lo, static_cast<double>(mn));
      hi = std::max(hi, static_cast<double>(mx));
      next = stop;
    }
    v.t_ns.push_back(ca);
    v.t_ns.push_back(ca);
    v.bytes.push_back(lo);
    v.bytes.push_back(hi);
  }
  return v;
}

}  // namespace chunkscope::viz
