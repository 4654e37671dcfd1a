#pragma once
// Memory by layer: the host's live bytes over a time window, split into bands (one per layer, or
// per group / op when the timeline colours by them) and stacked, so that the bands of a column sum
// to the memory chart's value there — the answer to "what holds the memory when it peaks".
//
//   viz::MemoryStack s = viz::memory_stack(model, t0, t1, 800);
//   s.total[c];                           // memory_view's highest live bytes in column c
//   s.bands[0].label;                     // the band holding the most at the peak ("blur")
//   s.bands[0].bytes[c] + ... == s.total[c]
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// One band of the stack: a layer, a group, an op, the rest, or bytes held outside any task output.
struct MemoryBand {
  std::string label;            ///< layer id, group path, op, "other layers (N)" or "outside task outputs"
  std::string color;            ///< "#rrggbb": the timeline's colour of the layer / group / op (timeline_colors)
  std::vector<int> layers;      ///< the layers in this band (Model::layers indices); empty for the residual
  std::int64_t peak_bytes = 0;  ///< bytes this band holds at the run's memory peak
  std::vector<double> bytes;    ///< per column: its bytes at the column's sampled instant
};

/// The stacked memory of a window, one value per pixel column.
struct MemoryStack {
  std::string by;             ///< what a band is: "layer", "group", "op" or "busiest" (as LayerColors::by)
  std::string note;           ///< the timeline legend's note, e.g. "30 layers, 12 hues: coloured by group …"
  std::vector<double> t_ns;   ///< per column: its start time
  std::vector<double> at_ns;  ///< per column: the instant the bands are read at (where the column's total is highest)
  std::vector<double> total;  ///< per column: the highest live bytes in it (memory_view's upper envelope)
  /// Bottom to top: the band holding the most at the peak first; the residual ("outside task
  /// outputs": bytes the series counts that no live task output explains) last, only when nonzero.
  std::vector<MemoryBand> bands;
  std::int64_t limit = 0;             ///< host memory limit (0 = none)
  std::int64_t peak = 0, peak_t = 0;  ///< the run's host peak and when
};

/// The host stack over [t0_ns, t1_ns] in width_px columns. In each column the bands are read at
/// the instant where the live bytes are highest, from core's chunk_lifetimes (an output is held
/// from its task's start to its last reader's end); when the outputs held then add up to more than
/// the series (a series recorded apart from the tasks), each band is scaled down so the stack
/// equals the series; when less, the residual band takes the difference. Bands are the timeline's
/// legend entries (so the colours match): layers when at most 12 ran, else groups or ops, else the
/// 11 busiest layers and "other layers". No columns when t1 <= t0 or width_px <= 0.
MemoryStack memory_stack(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px);

}  // namespace chunkscope::viz
