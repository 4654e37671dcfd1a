// Rule low-parallelism: worker time lost because fewer tasks were ready than workers, broken down
// by the layers that were running meanwhile (the ones the others waited for).
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_low_parallelism(const Context& c, Findings& out) {
  if (c.workers < 2 || c.wall_ns <= 0) return;
  const TraceTasks& k = c.t.tasks;
  // Events: +1 available at ready time, -1 at end; +1 running at start, -1 at end.
  struct Ev {
    std::int64_t t;
    int avail, run;
    std::int64_t task;
  };
  std::vector<Ev> ev;
  for (std::int64_t i = 0; i < k.size(); ++i) {
    if (!c.task_ran(i)) continue;
    ev.push_back({std::min(c.ready_ns[i], k.start_ns[i]), +1, 0, i});
    ev.push_back({k.start_ns[i], 0, +1, i});
    ev.push_back({k.end_ns[i], -1, -1, i});
  }
  if (ev.empty()) return;
  std::sort(ev.begin(), ev.end(), [](const Ev& a, const Ev& b) { return a.t != b.t ? a.t < b.t : a.task < b.task; });
  // A layer's share of the idle time while it runs: each running task gets starved / running of
  // every starved interval. `per_task` sums that over time, so a task adds its value at its end
  // minus its value at its start (one pass, not one pass over all layers per event).
  std::vector<double> idle_by_layer(c.t.layers.size(), 0);
  std::vector<double> per_task_at_start(static_cast<size_t>(k.size()), 0);
  double per_task = 0;
  double idle = 0, low_time = 0, no_task_idle = 0;
  int avail = 0, running = 0;
  std::int64_t prev = 0;
  const auto W = c.workers;
  for (size_t e = 0; e <= ev.size(); ++e) {
    const std::int64_t now = e < ev.size() ? ev[e].t : static_cast<std::int64_t>(c.wall_ns);
    const double dt = static_cast<double>(now - prev);
    if (dt > 0 && avail < W) {
      const double starved = static_cast<double>(W - std::max(avail, running)) * dt;
      idle += starved;
      low_time += dt;
      if (running > 0) {
        per_task += starved / running;
      } else {
        no_task_idle += starved;
      }
    }
    if (e == ev.size()) break;
    prev = std::max(prev, now);
    avail += ev[e].avail;
    running += ev[e].run;
    const auto task = static_cast<size_t>(ev[e].task);
    if (ev[e].run > 0)
      per_task_at_start[task] = per_task;
    else if (ev[e].run < 0)
      idle_by_layer[static_cast<size_t>(k.layer[task])] += per_task - per_task_at_start[task];
  }
  const double share = c.idle_share(idle);
  if (share < c.o.idle_share) return;
  std::vector<int> order;
  for (size_t l = 0; l < idle_by_layer.size(); ++l)
    if (c.idle_share(idle_by_layer[l]) >= c.o.idle_layer_share) order.push_back(static_cast<int>(l));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return idle_by_layer[a] > idle_by_layer[b]; });
  if (order.size() > 5) order.resize(5);
  Finding f;
  f.rule = "low-parallelism";
  f.stake_ns = idle;
  f.stake_share = share;
  f.severity = c.grade(share, idle, share >= 0.5);
  for (int l : order) f.layers.push_back(c.id(l));
  std::string who;
  for (size_t i = 0; i < order.size() && i < 3; ++i)
    who += std::string(i ? (i + 1 == std::min<size_t>(order.size(), 3) ? " and " : ", ") : "") + c.q(order[i]) + " (" +
           std::to_string(std::lround(100 * c.idle_share(idle_by_layer[order[i]]))) + "%)";
  f.message = "Workers sat idle for " + std::to_string(std::lround(100 * share)) +
              "% of the run because fewer tasks were ready than the " + std::to_string(W) + " workers" +
              (who.empty() ? "." : "; most of it while " + who + " ran.");
  f.add("idle_ns", idle, "ns")
      .add("idle_share", share, "share")
      .add("low_parallelism_time_share", low_time / c.wall_ns, "share")
      .add("workers", W, "count")
      .add("idle_with_no_task_running_ns", no_task_idle, "ns");
  for (int l : order) f.add("idle_during:" + c.id(l), idle_by_layer[l], "ns");
  // Advice: the first named layer whose chunks are fewer than the workers can get more chunks.
  for (int l : order) {
    const TraceLayer& L = c.t.layers[l];
    if (L.kind == "reduce") {
      f.advice = "While " + c.q(l) +
                 " ran, its combining tree had fewer tasks than workers; see reduction-split, and start other work "
                 "meanwhile (independent outputs run in parallel).";
      break;
    }
    const std::int64_t chunks = L.meta().num_chunks();
    if (chunks >= static_cast<std::int64_t>(W) * 2 || L.kind == "sink") continue;
    const int origin = c.flow[l].origin;
    const std::int64_t target =
        parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes, c.o.min_chunk_bytes, W, c.o.chunks_per_worker);
    const ChunkFix fix = chunk_fix(c, origin, target);
    if (fix.ok && fix.editable && fix.chunks_after > fix.chunks_before) {
      f.advice = c.q(l) + " has " + format_count(chunks) + " chunks for " + std::to_string(W) +
                 " workers: " + fix.text(c, origin) + ".";
      f.edits.push_back(fix.edit);
      break;
    }
  }
  if (f.advice.empty())
    f.advice =
        "The named layers wait on a chain of dependent tasks (see critical-path); more workers will not help, shorter "
        "tasks on that chain will.";
  out.push_back(std::move(f));
}

}  // namespace chunkscope::analysis
