// Rule unmanaged-memory: the process's resident memory (RSS, Trace::resources) at its highest is
// mostly memory that is not chunks: what Dask calls unmanaged memory (Python objects, library
// buffers and copies, the allocator's free lists). Fires when, at the RSS peak of a process, RSS
// minus the chunk bytes accounted then is more than half of RSS and the run added at least
// min_stake_bytes of it (RSS at the first sample, the interpreter and libraries, is left out).
#include <algorithm>
#include <cmath>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

namespace {

constexpr double kUnmanagedShare = 0.5;  // of RSS at its peak

/// The managed (chunk) bytes of a process over time, a step series: the host live-memory series for
/// the process that ran the work, a worker's managed memory from meta.extra.worker_memory on a
/// distributed capture.
struct Managed {
  bool known = false;
  std::vector<std::int64_t> t_ns, bytes;
  /// Bytes at `t` (0 before the first point).
  std::int64_t at(std::int64_t t) const {
    const auto it = std::upper_bound(t_ns.begin(), t_ns.end(), t);
    if (it == t_ns.begin()) return 0;
    const auto i = static_cast<size_t>(it - t_ns.begin()) - 1;
    return i < bytes.size() ? bytes[i] : 0;
  }
};

Managed managed_of(const Context& c, const std::string& process) {
  Managed m;
  if (process == "local") {
    m.known = true;
    m.t_ns = c.t.memory.t_ns;
    m.bytes = c.t.memory.live_bytes;
    return m;
  }
  const nlohmann::json& extra = c.t.meta.extra;
  if (!extra.is_object() || !extra.contains("worker_memory") || !extra["worker_memory"].is_object()) return m;
  const nlohmann::json& wm = extra["worker_memory"];
  if (!wm.contains(process) || !wm[process].is_object()) return m;
  const nlohmann::json& w = wm[process];
  if (!w.contains("t_ns") || !w.contains("bytes") || !w["t_ns"].is_array() || !w["bytes"].is_array()) return m;
  m.known = true;
  for (size_t k = 0; k < std::min(w["t_ns"].size(), w["bytes"].size()); ++k) {
    if (!w["t_ns"][k].is_number() || !w["bytes"][k].is_number()) continue;
    const auto t = w["t_ns"][k].get<std::int64_t>();
    if (!m.t_ns.empty() && t < m.t_ns.back()) continue;  // keep it sorted
    m.t_ns.push_back(t);
    m.bytes.push_back(w["bytes"][k].get<std::int64_t>());
  }
  return m;
}

struct Peak {
  const ResourceSeries* s = nullptr;
  std::vector<char> lanes;  // the worker lanes of this process (empty: every task)
  Managed m;
  std::int64_t t = 0, rss = 0, managed = 0, start_rss = 0;
  std::int64_t unmanaged() const { return rss - managed; }
};

}  // namespace

void rule_unmanaged_memory(const Context& c, Findings& out) {
  const TraceResources& r = c.t.resources;
  // On a distributed capture with worker processes the client's own process ("local") holds no
  // chunks of the run; its workers do.
  const bool distributed = c.t.meta.executor == "dask-distributed" && !r.workers_in_process;
  std::vector<Peak> hits;
  int processes = 0;
  for (const ResourceSeries& s : r.processes) {
    if (s.rss_bytes.empty() || (distributed && s.process == "local")) continue;
    const auto top = std::max_element(s.rss_bytes.begin(), s.rss_bytes.end());
    Peak p;
    p.s = &s;
    p.t = s.t_ns[static_cast<size_t>(top - s.rss_bytes.begin())];
    p.rss = *top;
    p.m = managed_of(c, s.process);
    if (!p.m.known) continue;
    p.managed = p.m.at(p.t);
    ++processes;
    p.start_rss = s.rss_bytes.front();
    if (distributed) p.lanes = worker_lanes(c, s.process);
    const double unmanaged = static_cast<double>(p.unmanaged());
    if (unmanaged > kUnmanagedShare * static_cast<double>(p.rss) &&
        unmanaged - static_cast<double>(p.start_rss) >= c.o.min_stake_bytes)
      hits.push_back(std::move(p));
  }
  if (hits.empty()) return;
  std::stable_sort(hits.begin(), hits.end(),
                   [](const Peak& a, const Peak& b) { return a.unmanaged() > b.unmanaged(); });
  const Peak& p = hits.front();
  // The layers that made it: each interval's growth of unmanaged memory up to the peak, shared among
  // the layers by their task time in that interval (an interval with no task adds to nobody).
  const ResourceSeries& s = *p.s;
  const std::vector<IntervalTaskTime> pieces = task_time_in_intervals(c, s.t_ns, p.lanes);
  std::vector<double> task_ns(s.t_ns.size(), 0), grown_by(c.t.layers.size(), 0), growth(s.t_ns.size(), 0);
  for (const IntervalTaskTime& x : pieces) task_ns[x.interval] += x.ns;
  for (size_t j = 1; j < s.t_ns.size() && s.t_ns[j] <= p.t; ++j) {
    const std::int64_t before = s.rss_bytes[j - 1] - p.m.at(s.t_ns[j - 1]);
    const std::int64_t now = s.rss_bytes[j] - p.m.at(s.t_ns[j]);
    growth[j] = static_cast<double>(std::max<std::int64_t>(0, now - before));
  }
  double attributed = 0;
  for (const IntervalTaskTime& x : pieces)
    if (growth[x.interval] > 0) {
      const double share = growth[x.interval] * x.ns / task_ns[x.interval];
      grown_by[static_cast<size_t>(x.layer)] += share;
      attributed += share;
    }
  std::vector<int> order;
  for (size_t l = 0; l < grown_by.size(); ++l)
    if (attributed > 0 && grown_by[l] >= 0.1 * attributed) order.push_back(static_cast<int>(l));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return grown_by[a] > grown_by[b]; });
  if (order.size() > 3) order.resize(3);

  const double rss = static_cast<double>(p.rss), managed = static_cast<double>(p.managed);
  const double unmanaged = static_cast<double>(p.unmanaged());
  const bool worker = p.s->process != "local";
  Finding f;
  f.rule = "unmanaged-memory";
  f.severity = Severity::Warning;
  for (int l : order) f.layers.push_back(c.id(l));
  f.stake_bytes = unmanaged;
  f.stake_share = rss > 0 ? unmanaged / rss : 0;
  std::string who;
  for (size_t i = 0; i < order.size(); ++i)
    who += std::string(i ? (i + 1 == order.size() ? " and " : ", ") : "") + c.q(order[i]) + " (" +
           std::to_string(std::lround(100 * grown_by[order[i]] / attributed)) + "%)";
  const std::string where = worker ? "worker " + p.s->process : std::string("the process");
  f.message = "At its peak " + where + " held " + format_bytes(rss) + " (RSS), of which only " + format_bytes(managed) +
              " were chunks: " + format_bytes(unmanaged) + " (" +
              std::to_string(static_cast<int>(100 * unmanaged / rss + 0.5)) + "%) is unmanaged memory" +
              (who.empty() ? "" : "; it grew while " + who + " ran") + ".";
  if (hits.size() > 1)
    f.message += " " + std::to_string(hits.size()) + " of " + std::to_string(processes) + " processes are like this.";
  f.add("rss_bytes", rss, "B")
      .add("managed_bytes", managed, "B")
      .add("unmanaged_bytes", unmanaged, "B")
      .add("rss_at_start_bytes", static_cast<double>(p.start_rss), "B")
      .add("peak_t_ns", static_cast<double>(p.t), "ns")
      .add("processes_affected", static_cast<double>(hits.size()), "count")
      .add_text("process", p.s->process);
  for (int l : order) f.add("unmanaged_growth_during:" + c.id(l), grown_by[l], "B");
  if (c.dask && worker)
    f.advice =
        "Memory outside the chunks is held by the tasks' Python objects and libraries, or freed but kept by the "
        "allocator. Try: give it back with MALLOC_TRIM_THRESHOLD_=65536 in the workers' environment (or "
        "client.run(trim) calling libc malloc_trim(0)); fewer threads per worker (nthreads), so fewer tasks hold "
        "buffers at once; smaller chunks where a library copies its input; and check the named layers' functions "
        "for data they keep (a global list, a cache).";
  else if (c.dask)
    f.advice =
        "Memory outside the chunks is held by the tasks' Python objects and libraries, or freed but kept by the "
        "allocator. Check the named layers' functions for data they keep (a global list, a cache, results kept "
        "after use); use smaller chunks where a library copies its input; fewer threads hold fewer buffers at "
        "once (dask.config.set(num_workers=...)); MALLOC_TRIM_THRESHOLD_=65536 gives freed memory back.";
  else
    f.advice =
        "Memory outside the chunks is kernels' scratch buffers and what the allocator keeps after chunks are freed. "
        "Smaller chunks lower what each task allocates besides its output; fewer threads (-j) lower how many run at "
        "once.";
  out.push_back(std::move(f));
}

}  // namespace chunkscope::analysis
