// Rule transfer-bound: layers whose time goes to host<->device copies (CUDA executor traces):
// copy time versus compute time per layer, with the bytes and the bandwidth achieved.
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_transfer_bound(const Context& c, Findings& out) {
  const TraceTransfers& x = c.t.transfers;
  const TraceTasks& k = c.t.tasks;
  if (x.size() == 0) return;
  const size_t n = c.t.layers.size();
  std::vector<double> ns(n, 0), inside(n, 0), bytes(n, 0), count(n, 0), to_dev(n, 0), to_host(n, 0);
  for (std::int64_t j = 0; j < x.size(); ++j) {
    const auto t = x.task[j];
    if (t < 0 || t >= k.size()) continue;
    const auto l = static_cast<size_t>(k.layer[t]);
    const double d = static_cast<double>(std::max<std::int64_t>(0, x.end_ns[j] - x.start_ns[j]));
    ns[l] += d;
    // Copies inside their task's interval are part of its duration already.
    const std::int64_t lo = std::max(x.start_ns[j], k.start_ns[t]), hi = std::min(x.end_ns[j], k.end_ns[t]);
    if (hi > lo) inside[l] += static_cast<double>(hi - lo);
    bytes[l] += static_cast<double>(x.bytes[j]);
    count[l] += 1;
    (x.to_device[j] ? to_dev : to_host)[l] += static_cast<double>(x.bytes[j]);
  }
  for (size_t l = 0; l < n; ++l) {
    if (ns[l] <= 0) continue;
    const double compute = std::max(0.0, static_cast<double>(c.sum.layers[l].busy_ns) - inside[l]);
    const double share = ns[l] / (compute + ns[l]);
    if (share < c.o.transfer_share) continue;
    const double avg = bytes[l] / count[l];
    const double bw = bytes[l] / ns[l] * 1e9;
    Finding f;
    f.rule = "transfer-bound";
    f.layers.push_back(c.id(static_cast<int>(l)));
    f.stake_ns = ns[l];
    f.stake_share = c.time_share(ns[l]);
    f.severity = c.grade(f.stake_share, ns[l], share >= 0.8);
    f.message = "Copies between host and device take " + std::to_string(std::lround(100 * share)) +
                "% of the time of " + c.q(static_cast<int>(l)) + " (" + format_duration_ns(ns[l]) + " copying " +
                format_bytes(bytes[l]) + " against " + format_duration_ns(compute) + " computing).";
    f.add("transfer_ns", ns[l], "ns")
        .add("compute_ns", compute, "ns")
        .add("transfer_share", share, "share")
        .add("transfer_bytes", bytes[l], "B")
        .add("to_device_bytes", to_dev[l], "B")
        .add("to_host_bytes", to_host[l], "B")
        .add("transfers", count[l], "count")
        .add("mean_transfer_bytes", avg, "B")
        .add("bandwidth", bw, "B/s");
    // Back and forth: the producer copied its output to the host and this layer copies it back.
    bool round_trip = false;
    for (const auto& id : c.t.layers[l].inputs) {
      const int p = c.ids.find(id);
      if (p >= 0 && to_host[p] > 0 && to_dev[l] > 0) round_trip = true;
    }
    const int origin = c.flow[l].origin;
    if (avg < static_cast<double>(c.o.small_transfer_bytes)) {
      const std::int64_t target = parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes / 4,
                                                  c.o.min_chunk_bytes, c.workers, c.o.chunks_per_worker);
      const ChunkFix fix = chunk_fix(c, origin, target);
      f.advice =
          "Each copy moves only " + format_bytes(avg) + ", so latency dominates: use bigger chunks" +
          (fix.ok && fix.editable && fix.chunks_after < fix.chunks_before ? " (" + fix.text(c, origin) + ")" : "") +
          ".";
      if (fix.ok && fix.editable && fix.chunks_after < fix.chunks_before) f.edits.push_back(fix.edit);
    } else if (round_trip) {
      f.advice =
          "The data goes back to the host between layers and returns: run the neighbouring layers on the device too, "
          "so chunks stay there.";
    } else {
      f.advice = "The copies reach " + format_bytes(bw) +
                 "/s: use pinned host memory and overlap copies with compute (streams), or do more work per copied "
                 "byte on the device.";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
