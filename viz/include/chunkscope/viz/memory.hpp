#pragma once
// Memory view: the live-memory step series of the host and of each GPU, each reduced to a
// min/max envelope of two points per pixel column, so a plot of millions of changes stays
// width-sized and never loses a peak.
//
//   viz::MemoryView mv = viz::memory_view(model, t0, t1, 800);
//   mv.bytes;                 // the host curve: 1600 values
//   for (const auto& d : mv.devices) d.device;  // "cuda:0": empty for CPU runs and Dask
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// Envelope of one memory series (host or a GPU) over a window.
struct MemoryCurve {
  std::string device = "host";        ///< "host", or the GPU's name ("cuda:0")
  std::vector<double> t_ns;           ///< two entries per column: the column's start time twice
  std::vector<double> bytes;          ///< per column: lowest then highest live bytes in it
  std::int64_t limit = 0;             ///< memory limit of this device (0 = none)
  std::int64_t peak = 0, peak_t = 0;  ///< the run's peak on this device and when
  std::string peak_layer;             ///< id of the layer that reached the peak, or empty
};

/// The host curve (the fields of MemoryCurve) and one curve per GPU series of the trace.
struct MemoryView : MemoryCurve {
  /// One per Trace::device_memory, in its order (device k + 1 of the transfers), on the same
  /// columns as the host curve; empty when the trace has no device series.
  std::vector<MemoryCurve> devices;
};

/// Live bytes over [t0_ns, t1_ns] in width_px columns, host and devices (no points when
/// t1 <= t0 or width_px <= 0; names, limits and peaks are filled all the same).
MemoryView memory_view(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px);

}  // namespace chunkscope::viz
