// Rule memory-peak: where the peak of live memory occurs, which layers' chunks make it up, and how
// much the computation amplifies its input (peak / bytes of the sources). Always reported (info);
// a warning near the memory limit or when the amplification is large.
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/chunk_lifetimes.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_memory_peak(const Context& c, Findings& out) {
  const MemorySeries& m = c.t.memory;
  const double peak = static_cast<double>(m.peak_bytes);
  if (peak <= 0) return;
  const double limit = static_cast<double>(m.limit_bytes > 0 ? m.limit_bytes : c.t.meta.memory_limit);
  double input = 0;
  for (size_t l = 0; l < c.t.layers.size(); ++l)
    if (c.t.layers[l].kind == "source") input += static_cast<double>(c.array_bytes(static_cast<int>(l)));
  // Chunks live at the peak (chunk_lifetimes: from a task's start to its last reader's end). The
  // peak is of host memory: results held on a GPU (a CUDA worker's output, a Dask layer of CuPy
  // chunks: params.device) are in the device's series, not among the chunks held here.
  const std::int64_t tp = m.peak_t_ns;
  const std::vector<std::int64_t> held_bytes = host_bytes_held_at(c.t, chunk_lifetimes(c.t), tp);
  const std::vector<double> held(held_bytes.begin(), held_bytes.end());
  std::vector<int> order;
  for (size_t l = 0; l < held.size(); ++l)
    if (held[l] > 0) order.push_back(static_cast<int>(l));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return held[a] > held[b]; });
  if (order.size() > 4) order.resize(4);
  const double amp = input > 0 ? peak / input : 0;
  Finding f;
  f.rule = "memory-peak";
  const int pl = m.peak_layer >= 0 && m.peak_layer < static_cast<int>(c.t.layers.size()) ? m.peak_layer : -1;
  if (pl >= 0) f.layers.push_back(c.id(pl));
  for (int l : order)
    if (l != pl) f.layers.push_back(c.id(l));
  f.stake_bytes = peak;
  f.stake_share = limit > 0 ? peak / limit : 0;
  const bool near_limit = limit > 0 && peak >= c.o.memory_limit_share * limit;
  const bool amplifies = input > 0 && amp >= c.o.amplification && peak >= c.o.min_stake_bytes;
  f.severity = near_limit  ? (peak >= 0.98 * limit ? Severity::Critical : Severity::Warning)
               : amplifies ? Severity::Warning
                           : Severity::Info;
  std::string holders;
  for (size_t i = 0; i < order.size() && i < 3; ++i)
    holders += std::string(i ? ", " : "") + c.q(order[i]) + " " + format_bytes(held[order[i]]);
  f.message = "Memory peaked at " + format_bytes(peak) + (pl >= 0 ? " while " + c.q(pl) + " ran" : "") +
              (input > 0 ? ", " + format_ratio(amp) + " the " + format_bytes(input) + " of input" : "") +
              (limit > 0 ? " (limit " + format_bytes(limit) + ")" : "") +
              (holders.empty() ? "." : "; chunks held then: " + holders + ".");
  f.add("peak_bytes", peak, "B")
      .add("peak_t_ns", static_cast<double>(tp), "ns")
      .add("input_bytes", input, "B")
      .add("amplification", amp, "ratio")
      .add("memory_limit", limit, "B");
  for (int l : order) f.add("held_at_peak:" + c.id(l), held[l], "B");
  if (f.severity == Severity::Info) {
    f.advice = "Nothing to change: this is where memory goes.";
  } else if (!order.empty()) {
    const int top = order[0];
    const int origin = c.flow[top].origin;
    const double chunk = static_cast<double>(c.max_chunk_bytes(top));
    if (chunk * c.workers * 2 >= 0.5 * held[top]) {
      // A few big chunks make the peak: smaller chunks lower it.
      const std::int64_t target = std::max<std::int64_t>(c.o.min_chunk_bytes, static_cast<std::int64_t>(chunk / 4));
      const ChunkFix fix = chunk_fix(c, origin, std::min(target, c.o.target_chunk_bytes));
      if (fix.ok && fix.editable && fix.chunks_after > fix.chunks_before) {
        f.advice = "The peak is a few big chunks of " + c.q(top) + ": " + fix.text(c, origin) + ".";
        f.edits.push_back(fix.edit);
      }
    }
    if (f.advice.empty())
      f.advice =
          "The peak is many chunks of " + c.q(top) +
          " alive at once: see the held-chunks and rechunk-fan findings for why they wait" +
          (limit > 0 ? "."
                     : ", or " +
                           (c.dask ? hold_back_advice(c)
                                   : "set --memory-limit so that the executor holds back new chunks until these are "
                                     "consumed") +
                           ".");
  }
  out.push_back(std::move(f));
}

}  // namespace chunkscope::analysis
