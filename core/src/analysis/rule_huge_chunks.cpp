// Rule huge-chunks: chunks so large that a few tasks hold a big share of the memory limit (or
// more than `huge_chunk_bytes` each), or so few that the workers starve. Advice: a smaller chunk
// shape on the family's origin.
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_huge_chunks(const Context& c, Findings& out) {
  const TraceTasks& k = c.t.tasks;
  const double limit = static_cast<double>(c.t.memory.limit_bytes > 0 ? c.t.memory.limit_bytes : c.t.meta.memory_limit);
  for (size_t o = 0; o < c.t.layers.size(); ++o) {
    if (c.flow[o].origin != static_cast<int>(o)) continue;
    const int origin = static_cast<int>(o);
    const auto fam = c.family(origin);
    double chunk = 0, busy = 0;
    std::int64_t most_chunks = 0, first = -1, last = 0;
    int biggest = -1;
    for (int l : fam) {
      if (c.ran[l].empty()) continue;
      for (auto i : c.ran[l]) {
        if (k.stage[i] == 0 && static_cast<double>(k.bytes[i]) > chunk) {
          chunk = static_cast<double>(k.bytes[i]);
          biggest = l;
        }
        busy += static_cast<double>(k.duration(i));
        first = first < 0 ? k.start_ns[i] : std::min(first, k.start_ns[i]);
        last = std::max(last, k.end_ns[i]);
      }
      const std::string& kind = c.t.layers[l].kind;
      if (kind != "reduce" && kind != "sink") most_chunks = std::max(most_chunks, c.t.layers[l].meta().num_chunks());
    }
    if (biggest < 0) continue;
    const bool over_limit = limit > 0 && chunk * c.workers >= c.o.huge_limit_share * limit;
    const bool over_size = chunk >= static_cast<double>(c.o.huge_chunk_bytes);
    const double fam_share = c.time_share(busy);
    const bool starve = c.workers > 1 && most_chunks > 0 && most_chunks < c.workers &&
                        fam_share >= c.o.starve_min_share && c.array_bytes(origin) >= 2 * c.o.min_chunk_bytes;
    if (!over_limit && !over_size && !starve) continue;
    double goal = static_cast<double>(c.o.target_chunk_bytes);
    if (limit > 0) goal = std::min(goal, 0.25 * c.o.huge_limit_share * limit / c.workers);
    const std::int64_t target =
        parallel_target(c.array_bytes(origin), static_cast<std::int64_t>(std::max(1.0, goal)),
                        std::min(c.o.min_chunk_bytes, static_cast<std::int64_t>(std::max(1.0, goal))), c.workers,
                        c.o.chunks_per_worker);
    const ChunkFix fix = chunk_fix(c, origin, target);
    if (!fix.ok || fix.chunks_after <= fix.chunks_before) continue;
    Finding f;
    f.rule = "huge-chunks";
    const TraceLayer& L = c.t.layers[origin];
    f.layers.push_back(L.id);
    for (int l : fam)
      if (!c.ran[l].empty() && l != origin) f.layers.push_back(c.id(l));
    const std::string fam_txt = biggest == origin ? c.q(origin) : c.q(biggest) + " (chunked like " + c.q(origin) + ")";
    if (over_limit || over_size) {
      const double held = chunk * c.workers;
      f.stake_bytes = held;
      f.stake_share = limit > 0 ? held / limit
                                : (c.t.memory.peak_bytes > 0 ? held / static_cast<double>(c.t.memory.peak_bytes) : 1.0);
      f.severity = (limit > 0 && held >= limit) ? Severity::Critical : Severity::Warning;
      f.message = "Chunks of " + fam_txt + " are " + format_bytes(chunk) + " each, so " + std::to_string(c.workers) +
                  " tasks at once hold " + format_bytes(held) +
                  (limit > 0 ? " of the " + format_bytes(limit) + " memory limit."
                             : ", more than the memory of a typical task should.");
    } else {
      const double span = static_cast<double>(last - std::max<std::int64_t>(0, first));
      const double idle = span * static_cast<double>(c.workers - most_chunks) / c.workers;
      f.stake_ns = idle * c.workers;
      f.stake_share = c.idle_share(f.stake_ns);
      f.severity = c.grade(f.stake_share, f.stake_ns, f.stake_share >= 0.5);
      f.message = fam_txt + " has only " + format_count(most_chunks) + (most_chunks == 1 ? " chunk" : " chunks") +
                  " for " + std::to_string(c.workers) + " workers, so " + std::to_string(c.workers - most_chunks) +
                  " workers have nothing to do while its layers run (" + std::to_string(std::lround(100 * fam_share)) +
                  "% of the run's worker time).";
    }
    f.add_text("chunk_shape", format_shape(fix.before))
        .add("chunk_bytes", chunk, "B")
        .add("chunks", static_cast<double>(most_chunks), "count")
        .add("workers", c.workers, "count")
        .add("memory_limit", limit, "B")
        .add("family_busy_ns", busy, "ns")
        .add_text("advised_chunk_shape", format_shape(fix.chunk))
        .add("advised_chunk_bytes", static_cast<double>(fix.chunk_bytes), "B")
        .add("advised_chunks", static_cast<double>(fix.chunks_after), "count");
    if (fix.editable) {
      f.advice = "Use smaller chunks: " + fix.text(c, origin) + ".";
      f.edits.push_back(fix.edit);
    } else {
      f.advice = "Use smaller chunks upstream of " + c.q(origin) + " (about " + format_shape(fix.chunk) + ", " +
                 format_bytes(static_cast<double>(fix.chunk_bytes)) + " per chunk).";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
