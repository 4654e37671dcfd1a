// resource_view: RSS and CPU% of the sampled processes per pixel column, and RSS minus the chunk bytes.
#include "chunkscope/viz/resources.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "chunkscope/viz/memory.hpp"

namespace chunkscope::viz {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per column of [t0, t0 + span): the highest RSS sampled in it, else the line between the samples
// around its middle, NaN outside the samples.
std::vector<double> rss_columns(const ResourceSeries& p, double t0, double span, size_t w) {
  std::vector<double> out(w, kNaN);
  const auto& t = p.t_ns;
  const size_t n = std::min(t.size(), p.rss_bytes.size());
  if (n == 0) return out;
  size_t k = 0;  // first sample at or after the column's start
  for (size_t c = 0; c < w; ++c) {
    const double ca = t0 + span * static_cast<double>(c) / static_cast<double>(w);
    const double cb = t0 + span * static_cast<double>(c + 1) / static_cast<double>(w);
    while (k < n && static_cast<double>(t[k]) < ca) ++k;
    double hi = kNaN;
    for (size_t j = k; j < n && static_cast<double>(t[j]) < cb; ++j)
      hi = std::isnan(hi) ? static_cast<double>(p.rss_bytes[j]) : std::max(hi, static_cast<double>(p.rss_bytes[j]));
    if (std::isnan(hi) && k > 0 && k < n) {  // between samples k - 1 and k
      const double mid = (ca + cb) / 2, ta = static_cast<double>(t[k - 1]), tb = static_cast<double>(t[k]);
      const double a = static_cast<double>(p.rss_bytes[k - 1]), b = static_cast<double>(p.rss_bytes[k]);
      hi = tb > ta ? a + (b - a) * std::clamp((mid - ta) / (tb - ta), 0.0, 1.0) : b;
    }
    out[c] = hi;
  }
  return out;
}

// Per column: the highest CPU% of the samples whose interval (from the sample before, or
// interval_ns before the first) reaches into the column; NaN where none does.
std::vector<double> cpu_columns(const ResourceSeries& p, std::int64_t interval_ns, double t0, double span, size_t w) {
  std::vector<double> out(w, kNaN);
  const auto& t = p.t_ns;
  const size_t n = std::min(t.size(), p.cpu_percent.size());
  if (n == 0) return out;
  auto begin_of = [&](size_t j) {
    return j > 0 ? static_cast<double>(t[j - 1]) : static_cast<double>(t[0] - std::max<std::int64_t>(interval_ns, 0));
  };
  size_t k = 0;  // first sample whose time is after the column's start
  for (size_t c = 0; c < w; ++c) {
    const double ca = t0 + span * static_cast<double>(c) / static_cast<double>(w);
    const double cb = t0 + span * static_cast<double>(c + 1) / static_cast<double>(w);
    while (k < n && static_cast<double>(t[k]) <= ca) ++k;
    double hi = kNaN;
    for (size_t j = k; j < n && begin_of(j) < cb; ++j)
      hi = std::isnan(hi) ? p.cpu_percent[j] : std::max(hi, p.cpu_percent[j]);
    out[c] = hi;
  }
  return out;
}

// Adds b into a per column; NaN + x = x, NaN + NaN = NaN.
void add_into(std::vector<double>& a, const std::vector<double>& b) {
  for (size_t c = 0; c < a.size(); ++c)
    if (!std::isnan(b[c])) a[c] = std::isnan(a[c]) ? b[c] : a[c] + b[c];
}

}  // namespace

ResourceView resource_view(const Model& m, std::int64_t t0_ns, std::int64_t t1_ns, int width_px) {
  ResourceView r;
  const Trace& tr = m.trace();
  const TraceResources& res = tr.resources;
  if (res.empty()) return r;
  const bool distributed = tr.meta.executor == "dask-distributed";
  // Which processes hold the chunks: see the header.
  std::vector<char> holds(res.processes.size(), 0);
  bool any_worker = false;
  for (const auto& p : res.processes) any_worker = any_worker || p.process != "local";
  for (size_t i = 0; i < res.processes.size(); ++i) {
    const bool local = res.processes[i].process == "local";
    holds[i] = !distributed || res.workers_in_process ? local : (any_worker && !local);
  }
  std::string holders;
  for (size_t i = 0; i < res.processes.size(); ++i)
    if (holds[i]) holders += std::string(holders.empty() ? "" : ", ") + res.processes[i].process;
  r.unmanaged_note = holders.empty() ? "unmanaged memory: the chunks are held by processes that were not sampled"
                                     : "unmanaged = RSS of " + holders + " − chunk bytes";

  for (const auto& p : res.processes) {
    ResourceCurve c;
    c.process = p.process;
    c.cores = p.cores;
    for (auto b : p.rss_bytes) c.rss_peak = std::max(c.rss_peak, b);
    r.cores += std::max(p.cores, 0);
    r.processes.push_back(std::move(c));
  }
  // The summed RSS's peak over the run: at each sample time, each process's last sample.
  {
    std::vector<size_t> next(res.processes.size(), 0);
    std::vector<std::int64_t> times;
    for (const auto& p : res.processes) times.insert(times.end(), p.t_ns.begin(), p.t_ns.end());
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    for (auto t : times) {
      std::int64_t sum = 0;
      for (size_t i = 0; i < res.processes.size(); ++i) {
        const auto& p = res.processes[i];
        while (next[i] < p.t_ns.size() && p.t_ns[next[i]] <= t) ++next[i];
        if (next[i] > 0 && next[i] - 1 < p.rss_bytes.size()) sum += p.rss_bytes[next[i] - 1];
      }
      r.rss_peak = std::max(r.rss_peak, sum);
    }
  }
  if (!(t1_ns > t0_ns) || width_px <= 0) return r;
  const auto w = static_cast<size_t>(width_px);
  const double t0 = static_cast<double>(t0_ns), span = static_cast<double>(t1_ns - t0_ns);
  r.t_ns.resize(w);
  for (size_t c = 0; c < w; ++c) r.t_ns[c] = t0 + span * static_cast<double>(c) / static_cast<double>(w);
  r.rss.assign(w, kNaN);
  r.cpu_percent.assign(w, kNaN);
  std::vector<double> held(w, kNaN);
  std::vector<int> holders_sampled(w, 0);
  int holder_count = 0;
  for (size_t i = 0; i < res.processes.size(); ++i) {
    ResourceCurve& c = r.processes[i];
    c.rss = rss_columns(res.processes[i], t0, span, w);
    c.cpu_percent = cpu_columns(res.processes[i], res.interval_ns, t0, span, w);
    add_into(r.rss, c.rss);
    add_into(r.cpu_percent, c.cpu_percent);
    if (holds[i]) {
      ++holder_count;
      add_into(held, c.rss);
      for (size_t k = 0; k < w; ++k) holders_sampled[k] += std::isnan(c.rss[k]) ? 0 : 1;
    }
  }
  if (holder_count > 0) {
    const MemoryView mv = memory_view(m, t0_ns, t1_ns, width_px);
    r.unmanaged.assign(w, kNaN);
    for (size_t k = 0; k < w; ++k)
      if (holders_sampled[k] == holder_count) r.unmanaged[k] = std::max(0.0, held[k] - mv.bytes[2 * k + 1]);
  }
  return r;
}

}  // namespace chunkscope::viz
