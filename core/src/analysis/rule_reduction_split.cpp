// Rule reduction-split: a reduction tree that is too deep (split_every too small: many combine
// levels on the critical path) or that ends in one serial combine of many partials (split_every
// too large). Advice: a split_every giving about two combine levels, capped by the memory a
// combine task holds.
#include <algorithm>
#include <cmath>
#include <set>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_reduction_split(const Context& c, Findings& out) {
  const TraceTasks& k = c.t.tasks;
  std::vector<bool> on_path(static_cast<size_t>(k.size()), false);
  for (auto i : c.sum.critical_path) on_path[i] = true;
  const double crit = static_cast<double>(c.sum.critical_ns);
  for (size_t l = 0; l < c.t.layers.size(); ++l) {
    const TraceLayer& R = c.t.layers[l];
    if (R.kind != "reduce" || c.ran[l].empty()) continue;
    std::int64_t inputs = 0, outputs = 0, final_fan_in = 0;
    std::set<int> levels;
    double combine_path = 0, partial_bytes = 0, final_ns = 0;
    for (auto i : c.ran[l]) {
      const auto deps = k.dep_offsets[i + 1] - k.dep_offsets[i];
      if (k.stage[i] == 1) {
        ++inputs;
        partial_bytes = std::max(partial_bytes, static_cast<double>(k.bytes[i]));
      } else {
        levels.insert(k.stage[i]);
        if (on_path[i]) combine_path += static_cast<double>(k.duration(i));
      }
      if (k.stage[i] == 0) {
        ++outputs;
        final_fan_in = std::max<std::int64_t>(final_fan_in, deps);
        final_ns = std::max(final_ns, static_cast<double>(k.duration(i)));
      }
    }
    if (inputs == 0 || outputs == 0) continue;
    const int depth = static_cast<int>(levels.size());  // combine levels including the output tasks
    const int split =
        R.params.is_object() && R.params.contains("split_every") && R.params["split_every"].is_number_integer()
            ? R.params["split_every"].get<int>()
            : 4;
    const double per_output = static_cast<double>(inputs) / static_cast<double>(outputs);
    const bool deep = depth > c.o.reduction_max_levels;
    const bool serial = final_fan_in > c.o.reduction_max_fan_in;
    if (!deep && !serial) continue;
    const double path_share = crit > 0 ? combine_path / crit : 0;
    const double stake = serial ? std::max(combine_path, final_ns) : combine_path;
    if (path_share < c.o.reduction_critical_share &&
        !(serial && crit > 0 && final_ns / crit >= c.o.reduction_critical_share))
      continue;
    // About two combine levels: sqrt of the partials per output, within [4, 64] and the memory of
    // a combine task (split x partial bytes <= target).
    double s = std::ceil(std::sqrt(per_output));
    if (partial_bytes > 0) s = std::min(s, std::floor(static_cast<double>(c.o.target_chunk_bytes) / partial_bytes));
    const int advised = static_cast<int>(std::clamp(s, 4.0, 64.0));
    if (advised == split) continue;
    Finding f;
    f.rule = "reduction-split";
    f.layers.push_back(R.id);
    f.stake_ns = stake;
    f.stake_share = c.wall_ns > 0 ? stake / c.wall_ns : 0;
    f.severity = c.grade(f.stake_share, stake, f.stake_share >= 0.25);
    if (serial)
      f.message = "The reduction " + c.q(static_cast<int>(l)) + " ends in a task that combines " +
                  format_count(final_fan_in) + " partial results one after another (" + format_duration_ns(final_ns) +
                  "), while the other workers wait.";
    else
      f.message = "The reduction " + c.q(static_cast<int>(l)) + " combines " + format_count(inputs) +
                  " partial results through " + std::to_string(depth) + " levels of small tasks, which take " +
                  format_duration_ns(combine_path) + " of the critical path.";
    f.add("input_chunks", static_cast<double>(inputs), "count")
        .add("outputs", static_cast<double>(outputs), "count")
        .add("split_every", split, "count")
        .add("combine_levels", depth, "count")
        .add("final_fan_in", static_cast<double>(final_fan_in), "count")
        .add("combine_critical_ns", combine_path, "ns")
        .add("critical_share", path_share, "share")
        .add("partial_bytes", partial_bytes, "B")
        .add("final_combine_bytes", partial_bytes * static_cast<double>(final_fan_in), "B")
        .add("advised_split_every", advised, "count");
    const int new_depth = std::max(
        1, static_cast<int>(std::ceil(std::log(std::max(2.0, per_output)) / std::log(static_cast<double>(advised)))));
    f.advice = "Set \"split_every\": " + std::to_string(advised) + " on " + c.q(static_cast<int>(l)) + ": about " +
               std::to_string(new_depth) + (new_depth == 1 ? " combine level" : " combine levels") + " for the " +
               format_count(std::llround(per_output)) + " partials of each output, each combine reading at most " +
               std::to_string(advised) + " of them.";
    f.edits.push_back({{"layer", R.id}, {"split_every", advised}});
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
