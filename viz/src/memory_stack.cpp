// memory_stack: the host's live bytes per band (layer, group or op) per pixel column, summing to the memory curve.
#include "chunkscope/viz/memory_stack.hpp"

#include <algorithm>
#include <cmath>

#include "chunkscope/viz/legend.hpp"

namespace chunkscope::viz {
namespace {

constexpr const char* kResidualColor = "#5b6270";

// A +bytes / -bytes step of one band when a task's output is made or freed.
struct Step {
  std::int64_t t;
  std::int64_t bytes;
  int band;
};

}  // namespace

MemoryStack memory_stack(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px) {
  MemoryStack s;
  const Trace& tr = m.trace();
  const MemorySeries& ms = tr.memory;
  s.limit = ms.limit_bytes;
  s.peak = ms.peak_bytes;
  s.peak_t = ms.peak_t_ns;

  // Bands: the timeline's legend entries (the same colours), the layers of each.
  const LayerColors colors = timeline_colors(m);
  s.by = colors.by;
  s.note = colors.legend.note;
  const auto& layers = m.layers();
  std::vector<MemoryBand> bands(colors.legend.entries.size());
  for (size_t k = 0; k < bands.size(); ++k) {
    bands[k].label = colors.legend.entries[k].label;
    bands[k].color = colors.legend.entries[k].color;
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    const int k = colors.key[l];
    if (k < 0 || static_cast<size_t>(k) >= bands.size()) continue;
    bands[static_cast<size_t>(k)].layers.push_back(static_cast<int>(l));
    bands[static_cast<size_t>(k)].peak_bytes += layers[l].peak_held_bytes;
  }
  // Largest at the peak first (bottom of the stack); bands that never hold anything are dropped.
  std::vector<int> band_of_layer(layers.size(), -1);
  std::stable_sort(bands.begin(), bands.end(),
                   [](const MemoryBand& a, const MemoryBand& b) { return a.peak_bytes > b.peak_bytes; });

  // Steps of each band from the lifetimes of the host outputs.
  const ChunkLifetimes& life = m.lifetimes();
  for (size_t k = 0; k < bands.size(); ++k)
    for (int l : bands[k].layers) band_of_layer[static_cast<size_t>(l)] = static_cast<int>(k);
  const TraceTasks& c = tr.tasks;
  std::vector<Step> steps;
  std::vector<char> used(bands.size(), 0);
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const auto ui = static_cast<size_t>(i);
    if (life.release_ns[ui] < 0 || !life.on_host[ui] || c.bytes[i] <= 0) continue;
    const int b = band_of_layer[static_cast<size_t>(c.layer[i])];
    if (b < 0 || life.release_ns[ui] <= c.start_ns[i]) continue;
    steps.push_back({c.start_ns[i], c.bytes[i], b});
    steps.push_back({life.release_ns[ui], -c.bytes[i], b});
    used[static_cast<size_t>(b)] = 1;
  }
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.t < b.t; });
  {
    std::vector<MemoryBand> kept;
    std::vector<int> index(bands.size(), -1);
    for (size_t k = 0; k < bands.size(); ++k)
      if (used[k] || bands[k].peak_bytes > 0) {
        index[k] = static_cast<int>(kept.size());
        kept.push_back(std::move(bands[k]));
      }
    for (Step& st : steps) st.band = index[static_cast<size_t>(st.band)];
    bands = std::move(kept);
  }
  MemoryBand residual;
  residual.label = "outside task outputs";
  residual.color = kResidualColor;
  if (s.peak > 0) {
    std::int64_t held = 0;
    for (const auto& b : bands) held += b.peak_bytes;
    residual.peak_bytes = std::max<std::int64_t>(0, s.peak - held);
  }

  if (t1_ns > t0_ns && width_px > 0) {
    const auto& t = ms.t_ns;
    const auto& v = ms.live_bytes;
    const double span = static_cast<double>(t1_ns - t0_ns);
    const auto w = static_cast<size_t>(width_px);
    for (auto& b : bands) b.bytes.reserve(w);
    residual.bytes.reserve(w);
    std::vector<double> live(bands.size(), 0.0);
    size_t next = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), t0_ns) - t.begin());
    size_t step = 0;
    bool any_residual = false;
    for (size_t col = 0; col < w; ++col) {
      const double ca = static_cast<double>(t0_ns) + span * static_cast<double>(col) / width_px;
      const double cb = static_cast<double>(t0_ns) + span * static_cast<double>(col + 1) / width_px;
      while (next < t.size() && static_cast<double>(t[next]) <= ca) ++next;
      // The highest value in the column and when: the one in effect at its start, then its changes.
      double total = next > 0 ? static_cast<double>(v[next - 1]) : 0.0;
      std::int64_t at = next > 0 ? t[next - 1] : t0_ns;
      while (next < t.size() && static_cast<double>(t[next]) < cb) {
        if (static_cast<double>(v[next]) > total) {
          total = static_cast<double>(v[next]);
          at = t[next];
        }
        ++next;
      }
      // Bands at `at`: every step up to and including it (instants are non-decreasing by column).
      while (step < steps.size() && steps[step].t <= at) {
        live[static_cast<size_t>(steps[step].band)] += static_cast<double>(steps[step].bytes);
        ++step;
      }
      double sum = 0;
      for (double x : live) sum += std::max(0.0, x);
      const double scale = sum > total && sum > 0 ? total / sum : 1.0;
      double stacked = 0;
      for (size_t k = 0; k < bands.size(); ++k) {
        const double x = std::max(0.0, live[k]) * scale;
        bands[k].bytes.push_back(x);
        stacked += x;
      }
      const double rest = std::max(0.0, total - stacked);
      residual.bytes.push_back(rest);
      any_residual = any_residual || rest > 0.5;
      s.t_ns.push_back(ca);
      s.at_ns.push_back(static_cast<double>(at));
      s.total.push_back(total);
    }
    if (any_residual || residual.peak_bytes > 0) bands.push_back(std::move(residual));
  } else if (residual.peak_bytes > 0) {
    bands.push_back(std::move(residual));
  }
  s.bands = std::move(bands);
  return s;
}

}  // namespace chunkscope::viz
