// Rule tiny-chunks: a chunk family whose tasks are so short that the fixed per-task cost is a large
// share of their time. Advice: the chunk shape `chunkscope advise` gives the family's origin (the
// byte target, keeping enough chunks for the workers), so both advisors make the same edit.
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_tiny_chunks(const Context& c, Findings& out) {
  const TraceTasks& k = c.t.tasks;
  const double ovh = c.overhead_ns;
  for (size_t o = 0; o < c.t.layers.size(); ++o) {
    if (c.flow[o].origin != static_cast<int>(o)) continue;
    const int origin = static_cast<int>(o);
    const auto fam = c.family(origin);
    std::int64_t tasks = 0, scheduled = 0;
    double est_ns = 0;  // sum over layers of tasks x median duration (robust to noise)
    std::vector<double> all;
    std::vector<std::string> ids;
    for (int l : fam) {
      const auto& r = c.ran[l];
      if (r.empty()) continue;
      ids.push_back(c.id(l));
      std::vector<double> d;
      for (auto i : r) {
        d.push_back(static_cast<double>(k.duration(i)));
        if (!k.fused[i]) ++scheduled;
      }
      tasks += static_cast<std::int64_t>(r.size());
      const double m = median(d);
      est_ns += m * static_cast<double>(r.size());
      all.insert(all.end(), d.begin(), d.end());
    }
    if (tasks < c.o.tiny_min_tasks || scheduled == 0) continue;
    const double overhead_total = ovh * static_cast<double>(scheduled);
    const double share = overhead_total / (est_ns + overhead_total);
    if (share < c.o.tiny_overhead_share) continue;
    // One chunk advisor: the byte target `chunkscope advise` uses for this array and these workers
    // (parallel_target of target_chunk_bytes, at least 2 chunks per worker), so the finding,
    // apply-advice and the static advice give the same edit; the chunks it gives are at least the
    // 1 MiB minimum, whose tasks already make a measured overhead small. (Sizing from the measured
    // overhead alone gave 1 MiB here and 16 MiB in advise, and a re-run advised a third shape.)
    const std::int64_t target =
        parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes,
                        std::min(c.o.min_chunk_bytes, c.o.target_chunk_bytes), c.workers, c.o.chunks_per_worker);
    const ChunkFix fix = chunk_fix(c, origin, target);
    if (!fix.ok || fix.chunks_after >= fix.chunks_before) continue;  // already one chunk: the array is just small
    const double ratio = static_cast<double>(fix.chunks_after) / static_cast<double>(fix.chunks_before);
    double tasks_after = 0;
    for (int l : fam)
      if (!c.ran[l].empty()) tasks_after += std::max(1.0, std::ceil(static_cast<double>(c.ran[l].size()) * ratio));
    const double stake = std::max(0.0, (static_cast<double>(scheduled) - tasks_after) * ovh);
    Finding f;
    f.rule = "tiny-chunks";
    f.stake_ns = stake;
    f.stake_share = c.time_share(stake);
    f.severity = c.grade(f.stake_share, stake, share >= c.o.tiny_critical_share);
    const TraceLayer& L = c.t.layers[origin];
    f.layers.push_back(L.id);
    for (const auto& id : ids)
      if (id != L.id) f.layers.push_back(id);
    const double med = median(all);
    f.message = "The chunks of " + c.q(origin) + " (" + format_shape(fix.before) + ", " +
                format_bytes(static_cast<double>(c.max_chunk_bytes(origin))) +
                ") are so small that the fixed cost of a task (about " + format_duration_ns(ovh) + ") is " +
                std::to_string(std::lround(100 * share)) + "% of the time of the " + format_count(tasks) +
                " tasks computed from them (median " + format_duration_ns(med) + ").";
    f.add_text("chunk_shape", format_shape(fix.before))
        .add("chunk_bytes", static_cast<double>(c.max_chunk_bytes(origin)), "B")
        .add("chunks", static_cast<double>(fix.chunks_before), "count")
        .add("tasks", static_cast<double>(tasks), "count")
        .add("median_task_ns", med, "ns")
        .add("task_overhead_ns", ovh, "ns")
        .add("overhead_share", share, "share")
        .add("overhead_total_ns", overhead_total, "ns")
        .add_text("advised_chunk_shape", format_shape(fix.chunk))
        .add("advised_chunk_bytes", static_cast<double>(fix.chunk_bytes), "B")
        .add("advised_chunks", static_cast<double>(fix.chunks_after), "count")
        .add("advised_tasks", tasks_after, "count");
    std::string overhead_note = c.overhead_measured ? "measured in this trace" : "given or assumed";
    if (fix.editable) {
      f.advice = "Use bigger chunks: " + fix.text(c, origin) +
                 " (the chunks `chunkscope advise` proposes for this array). Tasks then take long enough that the "
                 "per-task overhead (" +
                 overhead_note + ") is a small share of their time, and the " + format_count(tasks) +
                 " tasks become about " + format_count(static_cast<std::int64_t>(tasks_after)) + ".";
      if (!L.pushed_into.empty())
        f.advice += " (" + c.q(origin) + " is read directly by " +
                    (c.ids.find(L.pushed_into) >= 0 ? c.q(c.ids.find(L.pushed_into)) : "\"" + L.pushed_into + "\"") +
                    ", which keeps its chunks.)";
      f.edits.push_back(fix.edit);
    } else if (L.inserted) {
      f.advice = "These chunks come from " + c.q(origin) + ", a rechunk " + c.engine() +
                 " inserted to align its inputs: give the inputs of " +
                 c.q(c.consumers[origin].empty() ? origin : c.consumers[origin][0]) +
                 " the same, bigger chunks (about " + format_shape(fix.chunk) +
                 ") so that no small common chunks are needed.";
    } else {
      f.advice = "Use bigger chunks upstream of " + c.q(origin) + " (about " + format_shape(fix.chunk) + ", " +
                 format_bytes(static_cast<double>(fix.chunk_bytes)) + " per chunk).";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
