// memory_view: a min/max envelope of each live-memory step series (host, GPUs), two points per pixel column.
#include "chunkscope/viz/memory.hpp"

#include <algorithm>
#include <cmath>

namespace chunkscope::viz {
namespace {

// Fills c from memory series `device` of the model (0 = host, k = device_memory[k - 1]).
void fill_curve(const Model& m, int device, std::int64_t t0_ns, std::int64_t t1_ns, int width_px, MemoryCurve& c) {
  const MemorySeries& ms = m.memory_series(device);
  c.limit = ms.limit_bytes;
  c.peak = ms.peak_bytes;
  c.peak_t = ms.peak_t_ns;
  if (ms.peak_layer >= 0 && static_cast<size_t>(ms.peak_layer) < m.layers().size())
    c.peak_layer = m.layers()[static_cast<size_t>(ms.peak_layer)].id;
  if (!(t1_ns > t0_ns) || width_px <= 0) return;
  const auto& t = ms.t_ns;
  const auto& b = ms.live_bytes;
  const double span = static_cast<double>(t1_ns - t0_ns);
  c.t_ns.reserve(2 * static_cast<size_t>(width_px));
  c.bytes.reserve(2 * static_cast<size_t>(width_px));
  // next: the first change after the column's start; b[next - 1] is the value in effect there.
  size_t next = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), t0_ns) - t.begin());
  for (int col = 0; col < width_px; ++col) {
    const double ca = static_cast<double>(t0_ns) + span * col / width_px;
    const double cb = static_cast<double>(t0_ns) + span * (col + 1) / width_px;
    while (next < t.size() && static_cast<double>(t[next]) <= ca) ++next;  // changes up to the column's start
    double lo = next > 0 ? static_cast<double>(b[next - 1]) : 0.0, hi = lo;
    // the changes inside the column: found by binary search, their range from the model's blocks
    const auto end = static_cast<size_t>(std::lower_bound(t.begin() + static_cast<std::ptrdiff_t>(next), t.end(),
                                                          static_cast<std::int64_t>(std::ceil(cb))) -
                                         t.begin());
    size_t stop = end;
    while (stop > next && static_cast<double>(t[stop - 1]) >= cb) --stop;
    while (stop < t.size() && static_cast<double>(t[stop]) < cb) ++stop;
    if (stop > next) {
      const auto [mn, mx] = m.memory_minmax(next, stop, device);
      lo = std::min(lo, static_cast<double>(mn));
      hi = std::max(hi, static_cast<double>(mx));
      next = stop;
    }
    c.t_ns.push_back(ca);
    c.t_ns.push_back(ca);
    c.bytes.push_back(lo);
    c.bytes.push_back(hi);
  }
}

}  // namespace

MemoryView memory_view(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px) {
  MemoryView v;
  fill_curve(m, 0, t0_ns, t1_ns, width_px, v);
  const auto& dm = m.trace().device_memory;
  v.devices.resize(dm.size());
  for (size_t k = 0; k < dm.size(); ++k) {
    const int device = static_cast<int>(k) + 1;
    MemoryCurve& c = v.devices[k];
    // The series' own name; a nameless one (the reader makes it "host") is named like its transfers.
    c.device = dm[k].device.empty() || dm[k].device == "host" ? m.device_name(device) : dm[k].device;
    if (c.device == "host") c.device = "device " + std::to_string(device);
    fill_curve(m, device, t0_ns, t1_ns, width_px, c);
  }
  return v;
}

}  // namespace chunkscope::viz
