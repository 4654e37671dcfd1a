// Rule cpu-underuse: while tasks ran, the process used far fewer cores than its running tasks could
// (Trace::resources' CPU%): the tasks wait instead of computing, on Python's GIL (a Dask run whose
// CPU stays near one core) or on I/O and locks. Per sample interval the expected CPU is
// min(tasks running on average, cores) × 100%; an interval is low when the measured CPU is under
// half of it. Fires when the low intervals cover at least a quarter of the run and the mean CPU
// over the intervals with tasks is under half the expected mean. Names the layers whose tasks ran
// during the low intervals, by their share of that task time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

namespace {

constexpr double kLowShare = 0.5;       // measured CPU under this share of the expected is low
constexpr double kLowTimeShare = 0.25;  // low intervals covering this share of the run fire

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

/// Which process ran which tasks: on a distributed capture with worker processes, the workers
/// named "<address> thread <id>" in meta.extra.workers; else "local" ran them all.
struct ProcessTasks {
  const ResourceSeries* s = nullptr;
  int threads = 0;
  std::vector<char> mine;  // per worker lane; empty = every task
};

std::vector<ProcessTasks> processes_with_tasks(const Context& c) {
  std::vector<ProcessTasks> out;
  const TraceResources& r = c.t.resources;
  const bool distributed = c.t.meta.executor == "dask-distributed" && !r.workers_in_process;
  if (!distributed) {
    for (const ResourceSeries& s : r.processes)
      if (s.process == "local") out.push_back({&s, c.workers, {}});
    return out;
  }
  for (const ResourceSeries& s : r.processes) {
    if (s.process == "local") continue;
    ProcessTasks p{&s, 0, worker_lanes(c, s.process)};
    for (char m : p.mine) p.threads += m;
    if (p.threads > 0) out.push_back(std::move(p));
  }
  return out;
}

struct Underuse {
  const ProcessTasks* p = nullptr;
  double busy_ns = 0, low_ns = 0;
  double cpu_busy = 0, expected_busy = 0;  // time-weighted means over the intervals with tasks, %
  double cpu_low = 0, expected_low = 0;    // ... over the low intervals
  double lost_ns = 0;                      // core time not used in the low intervals
  std::vector<double> layer_ns;            // task time per layer in the low intervals
};

Underuse measure(const Context& c, const ProcessTasks& p) {
  Underuse u;
  u.p = &p;
  const ResourceSeries& s = *p.s;
  const size_t n = s.t_ns.size();
  if (n < 2) return u;
  const std::vector<IntervalTaskTime> pieces = task_time_in_intervals(c, s.t_ns, p.mine);
  std::vector<double> running(n, 0);  // task time per interval
  for (const IntervalTaskTime& x : pieces) running[x.interval] += x.ns;
  const double cores = s.cores > 0 ? s.cores : p.threads;
  std::vector<char> low(n, 0);
  for (size_t j = 1; j < n; ++j) {
    const double dt = static_cast<double>(s.t_ns[j] - s.t_ns[j - 1]);
    if (dt <= 0 || running[j] <= 0) continue;
    const double expected = 100.0 * std::min({running[j] / dt, cores, static_cast<double>(p.threads)});
    const double cpu = s.cpu_percent[j];
    u.busy_ns += dt;
    u.cpu_busy += cpu * dt;
    u.expected_busy += expected * dt;
    if (expected >= 100.0 && cpu < kLowShare * expected) {
      low[j] = 1;
      u.low_ns += dt;
      u.cpu_low += cpu * dt;
      u.expected_low += expected * dt;
      u.lost_ns += (expected - cpu) / 100.0 * dt;
    }
  }
  if (u.busy_ns > 0) {
    u.cpu_busy /= u.busy_ns;
    u.expected_busy /= u.busy_ns;
  }
  if (u.low_ns > 0) {
    u.cpu_low /= u.low_ns;
    u.expected_low /= u.low_ns;
  }
  u.layer_ns.assign(c.t.layers.size(), 0);
  for (const IntervalTaskTime& x : pieces)
    if (low[x.interval]) u.layer_ns[static_cast<size_t>(x.layer)] += x.ns;
  return u;
}

}  // namespace

void rule_cpu_underuse(const Context& c, Findings& out) {
  if (c.t.resources.empty() || c.wall_ns <= 0) return;
  const std::vector<ProcessTasks> procs = processes_with_tasks(c);
  Underuse worst;
  int affected = 0;
  for (const ProcessTasks& p : procs) {
    Underuse u = measure(c, p);
    if (u.busy_ns <= 0 || u.expected_busy < 100.0) continue;
    if (u.low_ns < kLowTimeShare * c.wall_ns || u.low_ns < c.o.min_stake_ns) continue;
    if (u.cpu_busy >= kLowShare * u.expected_busy) continue;
    ++affected;
    if (!worst.p || u.lost_ns > worst.lost_ns) worst = std::move(u);
  }
  if (!worst.p) return;
  const Underuse& u = worst;
  double task_ns = 0;
  for (double v : u.layer_ns) task_ns += v;
  std::vector<int> order;
  for (size_t l = 0; l < u.layer_ns.size(); ++l)
    if (task_ns > 0 && u.layer_ns[l] >= 0.05 * task_ns) order.push_back(static_cast<int>(l));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return u.layer_ns[a] > u.layer_ns[b]; });
  if (order.size() > 4) order.resize(4);

  // About one core busy while several tasks ran on a Dask run: the GIL lets one thread run Python.
  const bool gil = c.dask && u.expected_low >= 150.0 && u.cpu_low >= 60.0 && u.cpu_low <= 140.0;
  const bool worker = u.p->s->process != "local";
  Finding f;
  f.rule = "cpu-underuse";
  for (int l : order) f.layers.push_back(c.id(l));
  f.stake_ns = u.lost_ns;
  f.stake_share = c.idle_share(u.lost_ns);
  f.severity = c.grade(u.low_ns / c.wall_ns, u.lost_ns, false);
  std::string who;
  for (size_t i = 0; i < order.size() && i < 3; ++i)
    who += std::string(i ? (i + 1 == std::min<size_t>(order.size(), 3) ? " and " : ", ") : "") + c.q(order[i]) + " (" +
           std::to_string(std::lround(100 * u.layer_ns[order[i]] / task_ns)) + "%)";
  const std::string where = worker ? "worker " + u.p->s->process : std::string("the process");
  f.message = "While tasks ran, " + where + " used " + one_decimal(u.cpu_low / 100.0) +
              " cores where its running tasks could use " + one_decimal(u.expected_low / 100.0) + " (" +
              std::to_string(u.p->threads) + " workers) for " +
              std::to_string(std::lround(100 * u.low_ns / c.wall_ns)) + "% of the run: " +
              (gil ? "GIL-bound (one thread runs Python at a time)" : "I/O-bound or waiting (reads, writes, locks)") +
              (who.empty() ? "." : "; the tasks then were of " + who + ".");
  if (affected > 1) f.message += " " + std::to_string(affected) + " worker processes are like this.";
  f.add("cpu_percent_low", u.cpu_low, "%")
      .add("expected_cpu_percent_low", u.expected_low, "%")
      .add("low_cpu_ns", u.low_ns, "ns")
      .add("low_cpu_time_share", u.low_ns / c.wall_ns, "share")
      .add("cpu_percent_busy", u.cpu_busy, "%")
      .add("expected_cpu_percent_busy", u.expected_busy, "%")
      .add("unused_core_ns", u.lost_ns, "ns")
      .add("workers", u.p->threads, "count")
      .add_text("bound", gil ? "gil" : "io")
      .add_text("process", u.p->s->process);
  for (int l : order) f.add("task_ns_at_low_cpu:" + c.id(l), u.layer_ns[l], "ns");
  if (gil)
    f.advice = worker ? "The tasks hold Python's GIL, so a worker's threads take turns: run more worker processes with "
                        "fewer threads each (LocalCluster(n_workers=..., threads_per_worker=1)), or make the named "
                        "layers' functions release the GIL (NumPy on bigger blocks, Numba with nogil=True)."
                      : "The tasks hold Python's GIL, so the threads take turns: run them in processes "
                        "(dask.config.set(scheduler=\"processes\") or a distributed LocalCluster with several worker "
                        "processes), or make the named layers' functions release the GIL (NumPy on bigger blocks, "
                        "Numba with nogil=True).";
  else if (c.dask)
    f.advice =
        "The tasks wait more than they compute: read bigger pieces (bigger chunks of the source: fewer, larger "
        "requests), give I/O more threads than cores, and look for a lock that serializes them (a store written "
        "with lock=True, HDF5).";
  else
    f.advice =
        "The tasks wait more than they compute: bigger chunks of the sources and sinks make fewer, larger reads and "
        "writes; if the run reads nothing, other processes may be taking the cores (see the machine's load).";
  out.push_back(std::move(f));
}

}  // namespace chunkscope::analysis
