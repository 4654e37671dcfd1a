#pragma once
// Comparing two runs (before and after a change): per layer — matched by id, then by name, then by
// op — the chunk shape, tasks, time and memory of each run, their changes, and which changes are
// regressions. `chunkscope diff`, Python's Trace.compare and the front-ends all use this.
//
//   const TraceComparison c = compare_traces(before, after);
//   std::cout << comparison_table(c);             // the terminal table of `chunkscope diff`
//   if (c.regressions > 0) return 3;              // what `chunkscope diff` exits with
//
// Change texts stay readable on tiny baselines: an increase beyond 2× is written as a factor
// ("256×", capped at ">1000×") instead of "+25500%", always next to the absolute change.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// When a worse number is a regression: both the relative and the absolute change must pass.
struct CompareOptions {
  double time_ratio = 0.20;            ///< a layer's busy time (or the wall time) grew by >= 20%...
  std::int64_t min_time_ns = 1000000;  ///< ...and by >= 1 ms and >= time_share of the base run's busy time
  double time_share = 0.02;
  double memory_ratio = 0.10;                ///< peak memory grew by >= 10%...
  std::int64_t min_memory_bytes = 16 << 20;  ///< ...and by >= 16 MiB and >= memory_share of the base run's peak
  double memory_share = 0.02;
};

/// One number in both runs (a = base, b = new); `present_a/b` false where the layer is missing.
struct ComparedValue {
  double a = 0, b = 0;
  bool regression = false;
  bool improvement = false;  ///< better by the same margins a regression needs (time or memory only)
  double change() const { return b - a; }
};

/// One layer in either run.
struct LayerComparison {
  std::string id_a, id_b;                    ///< empty where the layer is missing from that run
  std::string op;                            ///< the op (of B when both have one)
  std::string matched_by;                    ///< "id", "name", "op", or "" (only in one run)
  int layer_a = -1, layer_b = -1;            ///< layer indices in each trace
  std::string chunk_shape_a, chunk_shape_b;  ///< "500×32×2" ("" where missing)
  ComparedValue tasks, busy_ns, peak_live_bytes, output_bytes;
  bool regression() const { return busy_ns.regression || peak_live_bytes.regression; }
};

/// Whole-run numbers and every layer: A's order first, then layers only B has.
struct TraceComparison {
  std::string pipeline_a, pipeline_b;
  ComparedValue wall_ns, peak_bytes, tasks, busy_ns, critical_ns;
  std::vector<LayerComparison> layers;
  int regressions = 0;  ///< regressed numbers (run and layers)
};

/// Compares two traces (O(layers + tasks)).
TraceComparison compare_traces(const Trace& a, const Trace& b, const CompareOptions& options = {});
/// The relative change for people: "+12%", "-40%", "3.1×" (b/a beyond 2), ">1000×", "new" (a = 0, b > 0),
/// "gone" (b = 0 < a), "" (both 0).
std::string relative_change_text(double a, double b);
/// The terminal table of `chunkscope diff`: run rows, then one row per layer (strings from the traces
/// passed through terminal_safe), regressions marked "!", and a closing line counting them.
std::string comparison_table(const TraceComparison& c);
/// The absolute change with the relative one, as the table writes it: "-79.1 ms (-64%)", "+48.0 MiB (>1000×)",
/// "-16380 (-100%)"; `unit` is "ns", "bytes" or "" (a count).
std::string change_text(const ComparedValue& v, const std::string& unit);
/// The same as JSON (docs/dashboard.md, "Comparing two runs", lists the fields).
nlohmann::json comparison_to_json(const TraceComparison& c);

}  // namespace chunkscope
