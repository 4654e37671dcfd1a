// Rule held-chunks: at the memory peak, chunks that one consumer already used but that wait for a
// later consumer (the classic fork where one branch runs late), and why that consumer was late.
#include <algorithm>
#include <cmath>
#include <map>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_held_chunks(const Context& c, Findings& out) {
  const MemorySeries& m = c.t.memory;
  const double peak = static_cast<double>(m.peak_bytes);
  if (peak <= 0) return;
  const TraceTasks& k = c.t.tasks;
  const auto n = k.size();
  std::vector<std::int64_t> first_end(static_cast<size_t>(n), -1), last_start(static_cast<size_t>(n), -1),
      last_task(static_cast<size_t>(n), -1);
  std::vector<std::int32_t> first_layer(static_cast<size_t>(n), -1);
  for (std::int64_t i = 0; i < n; ++i) {
    if (!c.task_ran(i)) continue;
    for (auto e = k.dep_offsets[i]; e < k.dep_offsets[i + 1]; ++e) {
      const auto d = k.dep_index[e];
      if (first_end[d] < 0 || k.end_ns[i] < first_end[d]) {
        first_end[d] = k.end_ns[i];
        first_layer[d] = k.layer[i];
      }
      if (k.start_ns[i] > last_start[d]) {
        last_start[d] = k.start_ns[i];
        last_task[d] = i;
      }
    }
  }
  const std::int64_t tp = m.peak_t_ns;
  std::vector<double> typical_ns(c.t.layers.size(), 1);
  for (size_t l = 0; l < c.ran.size(); ++l) {
    std::vector<double> d;
    for (auto i : c.ran[l]) d.push_back(static_cast<double>(k.duration(i)));
    typical_ns[l] = std::max(1.0, median(d));
  }
  // (producer layer, late consumer layer) -> bytes waiting at the peak.
  std::map<std::pair<int, int>, double> waiting;
  std::map<std::pair<int, int>, std::int64_t> example;
  double total = 0, byte_ns = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (first_end[i] < 0 || last_start[i] <= first_end[i] || k.bytes[i] <= 0) continue;
    // Waiting in a queue for a free worker is normal; held means the late consumer became ready
    // only well after the first use (blocked by another input) or, ready, waited much longer
    // than its layer's tasks take (ordering).
    const std::int64_t lt = last_task[i];
    // Waiting for more tasks of the same consumer layer is fan-out (see rechunk-fan), not a late branch.
    if (k.layer[lt] == first_layer[i]) continue;
    const double typical = typical_ns[k.layer[lt]];
    const double blocked_for = static_cast<double>(c.ready_ns[lt] - first_end[i]);
    const double queued_for = static_cast<double>(k.start_ns[lt] - std::max(c.ready_ns[lt], first_end[i]));
    if (blocked_for <= typical && queued_for <= 4 * typical) continue;
    byte_ns += static_cast<double>(k.bytes[i]) * static_cast<double>(last_start[i] - first_end[i]);
    if (first_end[i] <= tp && tp < last_start[i]) {
      const std::pair<int, int> key{k.layer[i], k.layer[last_task[i]]};
      waiting[key] += static_cast<double>(k.bytes[i]);
      example.emplace(key, i);
      total += static_cast<double>(k.bytes[i]);
    }
  }
  if (total < c.o.held_share * peak || total < c.o.min_stake_bytes) return;
  auto best = waiting.begin();
  for (auto it = waiting.begin(); it != waiting.end(); ++it)
    if (it->second > best->second) best = it;
  const auto [prod, late] = best->first;
  // Why was the late consumer late: did it wait for another input, or was it ready and not run?
  const std::int64_t held_task = example[best->first];
  const std::int64_t lt = last_task[held_task];
  std::int64_t blocker = -1;
  for (auto e = k.dep_offsets[lt]; e < k.dep_offsets[lt + 1]; ++e) {
    const auto d = k.dep_index[e];
    if (k.layer[d] != prod && (blocker < 0 || k.end_ns[d] > k.end_ns[blocker])) blocker = d;
  }
  // Blocked: the other input arrived only after this chunk had been used once.
  const bool blocked = blocker >= 0 && k.end_ns[blocker] > first_end[held_task];
  Finding f;
  f.rule = "held-chunks";
  f.layers = {c.id(prod), c.id(late)};
  if (blocked && k.layer[blocker] != late) f.layers.push_back(c.id(k.layer[blocker]));
  f.stake_bytes = total;
  f.stake_share = total / peak;
  f.severity =
      c.grade_bytes(f.stake_share, total,
                    f.stake_share >= 0.5 && m.limit_bytes > 0 && peak >= 0.9 * static_cast<double>(m.limit_bytes));
  f.message = "At the memory peak, " + format_bytes(total) + " (" + std::to_string(std::lround(100 * total / peak)) +
              "%) were chunks already used once but still waiting for a later consumer; most were chunks of " +
              c.q(prod) + " waiting for " + c.q(late) + ".";
  f.add("held_bytes", total, "B")
      .add("held_share", total / peak, "share")
      .add("peak_bytes", peak, "B")
      .add("held_byte_seconds", byte_ns / 1e9, "count")
      .add("top_pair_bytes", best->second, "B");
  if (blocked) {
    f.add("blocking_input_end_ns", static_cast<double>(k.end_ns[blocker]), "ns");
    f.advice = c.q(late) + " also needs " + c.q(k.layer[blocker]) + ", which was produced later: compute " +
               c.q(k.layer[blocker]) + " earlier or from the same chunks, so that " + c.q(late) + " can consume " +
               c.q(prod) + " right after it is made.";
  } else {
    f.advice = c.q(late) +
               " was ready but ran late: " + std::string(c.dask ? "Dask's ordering ran other work first; " : "") +
               hold_back_advice(c);
    f.advice += ", or chunk so that each chunk of " + c.q(prod) + " feeds fewer, earlier tasks.";
  }
  out.push_back(std::move(f));
}

}  // namespace chunkscope::analysis
