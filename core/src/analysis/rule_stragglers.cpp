// Rule stragglers: tasks much longer than the median of their layer (same stage), and whether
// they did more work (bigger chunks) or the same work more slowly. Dask's alias tasks (no work of
// their own) are not compared.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_stragglers(const Context& c, Findings& out) {
  const TraceTasks& k = c.t.tasks;
  auto in_bytes = [&](std::int64_t i) {
    double b = static_cast<double>(k.bytes[i]);
    for (auto e = k.dep_offsets[i]; e < k.dep_offsets[i + 1]; ++e) b += static_cast<double>(k.bytes[k.dep_index[e]]);
    return b;
  };
  std::vector<bool> on_path(static_cast<size_t>(k.size()), false);
  for (auto i : c.sum.critical_path) on_path[i] = true;
  // Dask's alias tasks pass an input on and take no time of their own: a layer's median over them
  // would make every task that computes look slow. They are left out of every comparison.
  const std::vector<char> alias = dask_alias_tasks(c);
  auto compared = [&](std::int64_t i) { return alias.empty() || !alias[static_cast<size_t>(i)]; };
  // Median duration per (layer, stage), to tell a slow chunk from a slow machine.
  std::map<std::pair<int, int>, std::vector<double>> all;
  for (size_t l = 0; l < c.t.layers.size(); ++l)
    for (auto i : c.ran[l])
      if (compared(i)) all[{static_cast<int>(l), k.stage[i]}].push_back(static_cast<double>(k.duration(i)));
  std::map<std::pair<int, int>, double> typical;
  for (auto& [key, v] : all) typical[key] = median(v);
  // The slowdown (duration / its layer's median) of the other tasks running meanwhile, of any
  // layer: when the tasks running then were slow too, the machine was, not the chunk.
  std::vector<std::int64_t> by_start;
  for (std::int64_t i = 0; i < k.size(); ++i)
    if (c.task_ran(i) && compared(i)) by_start.push_back(i);
  std::sort(by_start.begin(), by_start.end(), [&](auto a, auto b) { return k.start_ns[a] < k.start_ns[b]; });
  auto concurrent_slowdown = [&](std::int64_t w) {
    double sum = 0, weight = 0;
    int n = 0;
    for (auto i : by_start) {
      if (k.start_ns[i] >= k.end_ns[w]) break;
      if (i == w || k.end_ns[i] <= k.start_ns[w]) continue;
      const double t = typical[{k.layer[i], k.stage[i]}];
      if (t <= 0) continue;
      // Weighted by the time the task overlapped the straggler; ratios capped so that one
      // preempted task does not decide.
      const double overlap =
          static_cast<double>(std::min(k.end_ns[i], k.end_ns[w]) - std::max(k.start_ns[i], k.start_ns[w]));
      sum += overlap * std::min(10.0, static_cast<double>(k.duration(i)) / t);
      weight += overlap;
      ++n;
    }
    return n >= 2 && weight > 0 ? sum / weight : 1.0;
  };
  for (size_t l = 0; l < c.t.layers.size(); ++l) {
    std::optional<Finding> best;  // one finding per layer: its worst stage
    std::map<int, std::vector<std::int64_t>> by_stage;
    for (auto i : c.ran[l])
      if (compared(i)) by_stage[k.stage[i]].push_back(i);
    for (const auto& [stage, ids] : by_stage) {
      if (ids.size() < 4) continue;
      std::vector<double> d, b;
      for (auto i : ids) {
        d.push_back(static_cast<double>(k.duration(i)));
        b.push_back(in_bytes(i));
      }
      const double m = median(d), mb = median(b);
      double excess = 0, worst = 0;
      std::int64_t worst_task = -1, count = 0;
      for (auto i : ids) {
        const double di = static_cast<double>(k.duration(i));
        if (di < c.o.straggler_factor * m || di - m < c.o.straggler_min_ns) continue;
        ++count;
        excess += di - m;
        if (di > worst) {
          worst = di;
          worst_task = i;
        }
      }
      if (worst_task < 0) continue;
      const double delay = worst - m;
      const double byte_ratio = mb > 0 ? in_bytes(worst_task) / mb : 1;
      // Other layers' tasks running at the same time were slow too: the machine was busy.
      const double machine = concurrent_slowdown(worst_task);
      if (machine >= 2 && byte_ratio < 1.5) continue;
      Finding f;
      f.rule = "stragglers";
      f.layers.push_back(c.id(static_cast<int>(l)));
      f.stake_ns = excess;
      // A straggler delays everything after its layer by `delay` while other workers may idle.
      // A straggler costs wall time only when the run waited for it (it is on the critical path);
      // elsewhere the other workers kept busy, and on a loaded machine slow tasks are often just
      // preempted ones. Below 1% of the worker time it is not worth mentioning.
      const double delay_share = c.wall_ns > 0 ? delay / c.wall_ns : 0.0;
      f.stake_share = on_path[worst_task] ? std::max(c.time_share(excess), delay_share) : c.time_share(excess);
      // Equal data, off the critical path: the other workers kept busy, and on a loaded machine
      // such tasks are usually preempted ones — nothing to report.
      if (!(on_path[worst_task] && delay_share >= 0.05) && byte_ratio < 1.5) continue;
      if (f.stake_share < 0.01) continue;
      // With the same data, one trace cannot tell a value-dependent cost from a busy machine (a
      // re-run tells: a machine's straggler moves): only uneven data makes a warning.
      f.severity = on_path[worst_task] && delay_share >= 0.1 && byte_ratio >= 1.5
                       ? c.grade(f.stake_share, delay, delay_share >= 0.25)
                       : Severity::Info;
      const TraceLayer& L = c.t.layers[l];
      std::string where = "chunk " + std::to_string(k.chunk[worst_task]);
      if (stage == 0 && L.chunks.size() == L.shape.size() && !L.shape.empty()) {
        const ArrayMeta meta = L.meta();
        if (k.chunk[worst_task] < meta.num_chunks())
          where = "chunk " + format_shape(meta.chunk_coords(k.chunk[worst_task])) + " (" +
                  format_shape(meta.chunk_shape(k.chunk[worst_task])) + ")";
      } else if (stage > 0) {
        where = "stage-" + std::to_string(stage) + " task " + std::to_string(k.chunk[worst_task]);
      }
      f.message = "The task for " + where + " of " + c.q(static_cast<int>(l)) + " took " + format_duration_ns(worst) +
                  ", " + format_ratio(worst / std::max(1.0, m)) + " the layer's median of " + format_duration_ns(m) +
                  (count > 1 ? " (" + format_count(count) + " tasks were this slow)." : ".");
      f.add("median_ns", m, "ns")
          .add("max_ns", worst, "ns")
          .add("ratio", worst / std::max(1.0, m), "ratio")
          .add("stragglers", static_cast<double>(count), "count")
          .add("excess_ns", excess, "ns")
          .add("worst_bytes_ratio", byte_ratio, "ratio")
          .add("worst_worker", k.worker[worst_task], "count")
          .add("stage", stage, "count");
      if (byte_ratio >= 1.5)
        f.advice =
            "It read and wrote " + format_ratio(byte_ratio) +
            " the median data: the chunks are uneven; make them regular (see irregular-chunks) or rechunk before " +
            c.q(static_cast<int>(l)) + ".";
      else
        f.advice =
            "It handled as much data as the others, so the cost depends on the values (or the machine was busy): split "
            "the chunks of " +
            c.q(c.flow[l].origin) + " finer so that slow chunks weigh less, and check for other load on worker " +
            std::to_string(k.worker[worst_task]) + ".";
      f.add("on_critical_path", on_path[worst_task] ? 1 : 0, "count");
      if (!best || f.stake_share > best->stake_share) best = std::move(f);
    }
    if (best) out.push_back(std::move(*best));
  }
}

}  // namespace chunkscope::analysis
