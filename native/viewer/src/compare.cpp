#include "compare.hpp"

namespace chunkscope::viewer {

RunDiff compare_runs(const viz::Model& a, const viz::Model& b) {
  RunDiff d;
  d.wall_a = a.trace().meta.wall_ns;
  d.wall_b = b.trace().meta.wall_ns;
  d.peak_a = a.trace().memory.peak_bytes;
  d.peak_b = b.trace().memory.peak_bytes;
  d.tasks_a = a.trace().tasks.size();
  d.tasks_b = b.trace().tasks.size();
  for (const auto& l : a.layers()) {
    LayerDiff x{l.id, l.busy_ns, -1, l.peak_held_bytes, -1, l.tasks, -1};
    if (int j = b.find_layer(l.id); j >= 0) {
      const auto& r = b.layers()[static_cast<size_t>(j)];
      x.busy_b = r.busy_ns;
      x.peak_b = r.peak_held_bytes;
      x.tasks_b = r.tasks;
    }
    d.layers.push_back(x);
  }
  for (const auto& r : b.layers())
    if (a.find_layer(r.id) < 0) d.layers.push_back(LayerDiff{r.id, -1, r.busy_ns, -1, r.peak_held_bytes, -1, r.tasks});
  return d;
}

}  // namespace chunkscope::viewer
