#pragma once
// Process resources on the memory chart's time axis: the resident memory (RSS) of each sampled
// process and of all of them, their CPU use, and "unmanaged" memory (RSS minus the chunk bytes
// the memory chart shows) where the chunks live in the sampled processes. One value per pixel
// column, like viz::memory_view, so the front-ends draw them over and under the memory chart.
//
//   viz::ResourceView r = viz::resource_view(model, t0, t1, 800);
//   if (!r.empty()) r.rss[c];   // summed RSS at column c (NaN outside the sampled span)
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/model.hpp"

namespace chunkscope::viz {

/// One process's samples over the window's columns (NaN where the column is outside its samples).
struct ResourceCurve {
  std::string process;              ///< "local" or a Dask worker's address
  std::vector<double> rss;          ///< per column: the highest RSS sampled in it, else interpolated
  std::vector<double> cpu_percent;  ///< per column: the highest CPU% whose interval covers it (100 = one core)
  int cores = 0;                    ///< logical CPUs the process may use
  std::int64_t rss_peak = 0;        ///< its highest RSS over the whole run
};

/// The resources of a window; empty() when the trace has none (front-ends then hide them).
struct ResourceView {
  std::vector<double> t_ns;              ///< per column: its start (memory_view's columns)
  std::vector<ResourceCurve> processes;  ///< as in Trace::resources
  std::vector<double> rss;               ///< per column: summed RSS of the processes sampled there
  std::vector<double> cpu_percent;       ///< per column: summed CPU% (100 = one core)
  int cores = 0;                         ///< summed cores: the CPU strip's full scale is 100 × cores %
  /// Per column: RSS of the processes that hold the chunks minus the chunk bytes there (NaN where
  /// not sampled or not meaningful); empty when no sampled process holds the chunks.
  std::vector<double> unmanaged;
  std::string unmanaged_note;  ///< what `unmanaged` is, e.g. "RSS of local − chunk bytes", or why there is none
  std::int64_t rss_peak = 0;   ///< highest summed RSS sampled (over the whole run)
  bool empty() const { return processes.empty(); }
};

/// Resources over [t0_ns, t1_ns] in width_px columns. The chunks live in the sampled processes when
/// the run was not distributed (our executor, Dask's local schedulers: "local") or its workers ran
/// in this process (workers_in_process); in a distributed run with worker processes sampled, in
/// those (every process but "local"). No columns when t1 <= t0 or width_px <= 0.
ResourceView resource_view(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px);

}  // namespace chunkscope::viz
