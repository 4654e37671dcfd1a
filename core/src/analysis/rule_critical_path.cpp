// Rule critical-path: the chain of dependent tasks that bounds the wall time, the layers on it and
// their shares. Always reported (info); a warning when the run is bound by that chain (it takes
// most of the wall time while the workers are mostly idle).
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_critical_path(const Context& c, Findings& out) {
  const double crit = static_cast<double>(c.sum.critical_ns);
  if (crit <= 0 || c.wall_ns <= 0) return;
  std::vector<int> order;
  for (size_t l = 0; l < c.sum.layers.size(); ++l)
    if (c.sum.layers[l].critical_ns > 0) order.push_back(static_cast<int>(l));
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return c.sum.layers[a].critical_ns > c.sum.layers[b].critical_ns; });
  const double wall_share = crit / c.wall_ns;
  const double efficiency = static_cast<double>(c.sum.busy_ns) / c.worker_ns;
  const bool bound = c.workers > 1 && wall_share >= c.o.critical_wall_share && efficiency < c.o.critical_efficiency;
  Finding f;
  f.rule = "critical-path";
  std::string who;
  int named = 0;
  for (int l : order) {
    const double s = static_cast<double>(c.sum.layers[l].critical_ns) / crit;
    if (s < 0.1 && named > 0) break;
    if (named == 5) break;
    f.layers.push_back(c.id(l));
    who += std::string(named ? ", " : "") + c.q(l) + " " + std::to_string(std::lround(100 * s)) + "%";
    ++named;
  }
  // Time a perfect schedule would not need: wall minus the larger of the chain and busy / workers.
  const double ideal = std::max(crit, static_cast<double>(c.sum.busy_ns) / c.workers);
  f.stake_ns = bound ? std::max(0.0, c.wall_ns - static_cast<double>(c.sum.busy_ns) / c.workers) * c.workers : 0;
  f.stake_share = bound ? c.idle_share(f.stake_ns) : 0;
  f.severity = bound ? c.grade(f.stake_share, f.stake_ns, false) : Severity::Info;
  f.message = "The longest chain of dependent tasks (" +
              format_count(static_cast<std::int64_t>(c.sum.critical_path.size())) + " tasks) takes " +
              format_duration_ns(crit) + ", " + std::to_string(std::lround(100 * wall_share)) + "% of the wall time" +
              (who.empty() ? "." : "; on it: " + who + ".");
  f.add("critical_ns", crit, "ns")
      .add("critical_tasks", static_cast<double>(c.sum.critical_path.size()), "count")
      .add("wall_ns", c.wall_ns, "ns")
      .add("critical_wall_share", wall_share, "share")
      .add("parallel_efficiency", efficiency, "share")
      .add("ideal_wall_ns", ideal, "ns");
  for (int l : order) f.add("critical:" + c.id(l), static_cast<double>(c.sum.layers[l].critical_ns), "ns");
  if (!bound) {
    f.advice = "To finish sooner, speed up the layers on this path; more workers help only while " +
               std::to_string(std::lround(100 * efficiency)) + "% of the worker time is busy.";
  } else if (!order.empty()) {
    const int top = order[0];
    const TraceLayer& L = c.t.layers[top];
    const int origin = c.flow[top].origin;
    const std::int64_t target = parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes, c.o.min_chunk_bytes,
                                                c.workers, c.o.chunks_per_worker);
    const ChunkFix fix = chunk_fix(c, origin, target);
    if (L.kind == "reduce") {
      f.advice = "The run waits on the reduction " + c.q(top) + ": see reduction-split for a better split_every.";
    } else if (fix.ok && fix.editable && fix.chunks_after > fix.chunks_before) {
      f.advice = "The run waits on a few long tasks of " + c.q(top) +
                 " while other workers idle; split them: " + fix.text(c, origin) + ".";
      f.edits.push_back(fix.edit);
    } else {
      f.advice = "More workers will not help: the run waits on one chain of dependent tasks through " + c.q(top) +
                 "; make its tasks shorter.";
    }
  }
  out.push_back(std::move(f));
}

}  // namespace chunkscope::analysis
