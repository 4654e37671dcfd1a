#include "chunkscope/core/trace_summary.hpp"

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {

TraceSummary summarize(const Trace& t) {
  TraceSummary s;
  const TraceTasks& c = t.tasks;
  const auto n = c.size();
  s.layers.resize(t.layers.size());
  std::unordered_map<std::string, int> index;
  for (size_t l = 0; l < t.layers.size(); ++l) index.emplace(t.layers[l].id, static_cast<int>(l));
  for (size_t l = 0; l < t.layers.size(); ++l) {
    LayerSummary& ls = s.layers[l];
    ls.layer = static_cast<int>(l);
    ls.out_chunk_shape = t.layers[l].meta().max_chunk_shape();
    if (!t.layers[l].inputs.empty()) {
      const auto it = index.find(t.layers[l].inputs[0]);
      const int in = it == index.end() ? -1 : it->second;
      if (in >= 0) ls.in_chunk_shape = t.layers[in].meta().max_chunk_shape();
      ls.input_layer = in;
    }
    ls.first_start_ns = -1;
  }
  std::vector<std::vector<std::int64_t>> durations(t.layers.size());
  // Critical path: tasks are in topological order (deps have smaller ids), so one pass suffices.
  std::vector<std::int64_t> finish(static_cast<size_t>(n), 0), pred(static_cast<size_t>(n), -1);
  std::int64_t best = -1, best_finish = -1;
  int max_worker = -1;
  for (std::int64_t i = 0; i < n; ++i) {
    LayerSummary& ls = s.layers[c.layer[i]];
    ++ls.tasks;
    const auto fan_in = c.dep_offsets[i + 1] - c.dep_offsets[i];
    ls.max_fan_in = std::max(ls.max_fan_in, static_cast<double>(fan_in));
    const bool ran = c.status[i] == 1 || c.status[i] == 2;
    const std::int64_t dur = ran ? c.duration(i) : 0;
    if (c.status[i] == 1) ++ls.done;
    if (c.status[i] == 2) ++ls.failed;
    if (c.status[i] == 3) ++ls.cancelled;
    if (ran) {
      ls.busy_ns += dur;
      ls.output_bytes += c.bytes[i];
      ls.max_task_ns = std::max(ls.max_task_ns, dur);
      if (ls.first_start_ns < 0 || c.start_ns[i] < ls.first_start_ns) ls.first_start_ns = c.start_ns[i];
      ls.last_end_ns = std::max(ls.last_end_ns, c.end_ns[i]);
      durations[c.layer[i]].push_back(dur);
      s.busy_ns += dur;
      max_worker = std::max(max_worker, c.worker[i]);
    }
    if (c.status[i] == 1) ++s.tasks_done;
    std::int64_t start = 0;
    for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) {
      const auto d = c.dep_index[e];
      if (finish[d] > start) {
        start = finish[d];
        pred[i] = d;
      }
    }
    finish[i] = start + dur;
    if (finish[i] > best_finish) {
      best_finish = finish[i];
      best = i;
    }
  }
  for (auto& ls : s.layers)
    if (ls.first_start_ns < 0) ls.first_start_ns = 0;
  for (std::int64_t i = best; i >= 0; i = pred[i]) s.critical_path.push_back(i);
  std::reverse(s.critical_path.begin(), s.critical_path.end());
  for (auto i : s.critical_path) {
    const std::int64_t dur = (c.status[i] == 1 || c.status[i] == 2) ? c.duration(i) : 0;
    s.layers[c.layer[i]].critical_ns += dur;
    s.critical_ns += dur;
  }
  for (size_t l = 0; l < durations.size(); ++l) {
    auto& d = durations[l];
    if (d.empty()) continue;
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
    s.layers[l].median_task_ns = d[d.size() / 2];
  }
  // Peak live memory seen at the end of each layer's tasks (the timeline is sorted by time).
  const auto& mt = t.memory.t_ns;
  const auto& mv = t.memory.live_bytes;
  if (!mt.empty()) {
    for (std::int64_t i = 0; i < n; ++i) {
      if (c.status[i] != 1 && c.status[i] != 2) continue;
      auto it = std::upper_bound(mt.begin(), mt.end(), c.end_ns[i]);
      if (it == mt.begin()) continue;
      const auto k = static_cast<size_t>(it - mt.begin() - 1);
      auto& p = s.layers[c.layer[i]].peak_live_bytes;
      p = std::max(p, mv[k]);
    }
  }
  s.workers = std::max(t.meta.threads, max_worker + 1);
  return s;
}

std::string summary_table(const Trace& t, const TraceSummary& s) {
  std::ostringstream out;
  std::int64_t total = t.tasks.size();
  out << "pipeline " << (t.meta.pipeline.empty() ? "?" : terminal_safe(t.meta.pipeline)) << " on "
      << terminal_safe(t.meta.executor) << " (" << s.workers << " workers): " << terminal_safe(t.meta.status)
      << ", wall " << format_duration_ns(static_cast<double>(t.meta.wall_ns)) << ", " << s.tasks_done << "/" << total
      << " tasks, peak memory " << format_bytes(static_cast<double>(t.memory.peak_bytes));
  if (t.memory.peak_layer >= 0 && t.memory.peak_layer < static_cast<int>(t.layers.size()))
    out << " during \"" << terminal_safe(t.layers[t.memory.peak_layer].id) << "\"";
  if (t.memory.limit_bytes > 0) out << " (limit " << format_bytes(static_cast<double>(t.memory.limit_bytes)) << ")";
  out << "\n";
  if (!t.meta.error.empty()) out << "error: " << terminal_safe(t.meta.error) << "\n";
  const std::vector<std::string> head{"layer", "op",       "chunks in → out", "tasks",
                                      "time",  "critical", "bytes",           "peak mem"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& ls : s.layers) {
    const TraceLayer& l = t.layers[ls.layer];
    // Shape texts show "?" where Dask left sizes unknown (TraceLayer::chunk_shape_text).
    std::string shapes = ls.input_layer < 0
                             ? l.chunk_shape_text()
                             : t.layers[ls.input_layer].chunk_shape_text() + " → " + l.chunk_shape_text();
    std::string op = terminal_safe(l.op);
    if (!l.pushed_into.empty()) op += " → " + terminal_safe(l.pushed_into);
    rows.push_back(
        {terminal_safe(l.id), op, shapes, std::to_string(ls.tasks), format_duration_ns(static_cast<double>(ls.busy_ns)),
         format_duration_ns(static_cast<double>(ls.critical_ns)), format_bytes(static_cast<double>(ls.output_bytes)),
         format_bytes(static_cast<double>(ls.peak_live_bytes))});
  }
  std::vector<size_t> w(head.size());
  for (size_t k = 0; k < head.size(); ++k) {
    w[k] = text_width(head[k]);
    for (const auto& r : rows) w[k] = std::max(w[k], text_width(r[k]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t k = 0; k < r.size(); ++k) out << (k ? "  " : "") << pad_text(r[k], w[k], k >= 3);
    out << "\n";
  };
  line(head);
  for (const auto& r : rows) line(r);
  out << "critical path: " << s.critical_path.size() << " tasks, "
      << format_duration_ns(static_cast<double>(s.critical_ns)) << "; busy time "
      << format_duration_ns(static_cast<double>(s.busy_ns)) << " over " << s.workers << " workers\n";
  return out.str();
}

}  // namespace chunkscope
