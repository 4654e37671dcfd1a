// memory_view: a min/max envelope of the live-memory step series, two points per pixel column.
#include "chunkscope/viz/memory.hpp"

#include <algorithm>

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
    while (next < t.size() && static_cast<double>(t[next]) < cb) {
      lo = std::min(lo, static_cast<double>(b[next]));
      hi = std::max(hi, static_cast<double>(b[next]));
      ++next;
    }
    v.t_ns.push_back(ca);
    v.t_ns.push_back(ca);
    v.bytes.push_back(lo);
    v.bytes.push_back(hi);
  }
  return v;
}

}  // namespace chunkscope::viz
