// Rule memory-peak: where the peak of live memory occurs, which layers' chunks make it up, and how
// much the computation amplifies its input (peak / bytes of the sources). Always reported (info);
// a warning near the memory limit or when the amplification is large.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_memory_peak(const Context& c, Findings& out) {
  const MemorySeries& m = c.t.memory;
  const double peak = static_cast<double>(m.peak_bytes);
  if (peak <= 0) return;
  const TraceTasks& k = c.t.tasks;
  const double limit = static_cast<double>(m.limit_bytes > 0 ? m.limit_bytes : c.t.meta.memory_limit);
  double input = 0;
  for (size_t l = 0; l < c.t.layers.size(); ++l)
    if (c.t.layers[l].kind == "source") input += static_cast<double>(c.array_bytes(static_cast<int>(l)));
  // Chunks live at the peak: a task's output lives from its start to its last consumer's end.
  std::vector<std::int64_t> last_use(static_cast<size_t>(k.size()), -1);
  for (std::int64_t i = 0; i < k.size(); ++i) {
    if (!c.task_ran(i)) continue;
    for (auto e = k.dep_offsets[i]; e < k.dep_offsets[i + 1]; ++e)
      last_use[k.dep_index[e]] = std::max(last_use[k.dep_index[e]], k.end_ns[i]);
  }
  const std::int64_t tp = m.peak_t_ns;
  // The peak is of host memory: results held on a GPU (a CUDA worker's output, a Dask layer of
  // CuPy chunks: params.device) are in the device's series, not among the chunks held here.
  std::vector<char> on_device(c.t.layers.size(), 0);
  for (size_t l = 0; l < c.t.layers.size(); ++l) {
    const auto& p = c.t.layers[l].params;
    const auto d = p.find("device");
    on_device[l] = d != p.end() && d->is_string() && d->get<std::string>() != "host" && d->get<std::string>() != "cpu";
  }
  auto device_task = [&](std::int64_t i) {
    if (on_device[k.layer[i]]) return true;
    const std::string w = k.worker[i] >= 0 ? c.t.meta.worker_device(k.worker[i]) : std::string();
    return !w.empty() && w != "host" && w != "cpu";
  };
  std::vector<double> held(c.t.layers.size(), 0);
  for (std::int64_t i = 0; i < k.size(); ++i) {
    if (!c.task_ran(i) || k.bytes[i] <= 0 || device_task(i)) continue;
    const std::int64_t until =
        last_use[i] >= 0 ? last_use[i] : std::max(k.end_ns[i], static_cast<std::int64_t>(c.wall_ns));
    if (k.start_ns[i] <= tp && tp < until) held[k.layer[i]] += static_cast<double>(k.bytes[i]);
  }
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
  std::ostringstream a;
  a.precision(2);
  a << amp;
  std::string holders;
  for (size_t i = 0; i < order.size() && i < 3; ++i)
    holders += std::string(i ? ", " : "") + c.q(order[i]) + " " + format_bytes(held[order[i]]);
  f.message = "Memory peaked at " + format_bytes(peak) + (pl >= 0 ? " while " + c.q(pl) + " ran" : "") +
              (input > 0 ? ", " + a.str() + "× the " + format_bytes(input) + " of input" : "") +
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
