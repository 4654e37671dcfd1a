// Rule stragglers: tasks much longer than the median of their layer (same stage), and whether
// they did more work (bigger chunks) or the same work more slowly.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

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
  for (size_t l = 0; l < c.t.layers.size(); ++l) {
    std::map<int, std::vector<std::int64_t>> by_stage;
    for (auto i : c.ran[l]) by_stage[k.stage[i]].push_back(i);
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
      Finding f;
      f.rule = "stragglers";
      f.layers.push_back(c.id(static_cast<int>(l)));
      f.stake_ns = excess;
      // A straggler delays everything after its layer by `delay` while other workers may idle.
      f.stake_share = std::max(c.time_share(excess), c.wall_ns > 0 ? delay / c.wall_ns : 0.0);
      f.severity = c.grade(f.stake_share, excess, f.stake_share >= 0.25);
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
      std::ostringstream ratio;
      ratio.precision(2);
      ratio << worst / std::max(1.0, m);
      f.message = "The task for " + where + " of " + c.q(static_cast<int>(l)) + " took " + format_duration_ns(worst) +
                  ", " + ratio.str() + "× the layer's median of " + format_duration_ns(m) +
                  (count > 1 ? " (" + std::to_string(count) + " tasks were this slow)." : ".");
      f.add("median_ns", m, "ns")
          .add("max_ns", worst, "ns")
          .add("ratio", worst / std::max(1.0, m), "ratio")
          .add("stragglers", static_cast<double>(count), "count")
          .add("excess_ns", excess, "ns")
          .add("worst_bytes_ratio", byte_ratio, "ratio")
          .add("worst_worker", k.worker[worst_task], "count")
          .add("stage", stage, "count");
      std::ostringstream br;
      br.precision(2);
      br << byte_ratio;
      if (byte_ratio >= 1.5)
        f.advice =
            "It read and wrote " + br.str() +
            "× the median data: the chunks are uneven; make them regular (see irregular-chunks) or rechunk before " +
            c.q(static_cast<int>(l)) + ".";
      else
        f.advice =
            "It handled as much data as the others, so the cost depends on the values (or the machine was busy): split "
            "the chunks of " +
            c.q(c.flow[l].origin) + " finer so that slow chunks weigh less, and check for other load on worker " +
            std::to_string(k.worker[worst_task]) + ".";
      out.push_back(std::move(f));
    }
  }
}

}  // namespace chunkscope::analysis
