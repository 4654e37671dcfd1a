#include "context.hpp"

#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope::analysis {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

int Context::itemsize(int l) const { return dtype_size(t.layers[l].meta().dtype); }

std::int64_t Context::array_bytes(int l) const {
  std::int64_t b = itemsize(l);
  for (auto n : t.layers[l].shape) b *= n;
  return b;
}

std::int64_t Context::max_chunk_bytes(int l) const {
  const TraceLayer& L = t.layers[l];
  if (L.chunks.size() != L.shape.size()) return array_bytes(l);
  return t.layers[l].meta().max_chunk_bytes();
}

std::vector<int> Context::family(int origin) const {
  std::vector<int> out;
  for (size_t l = 0; l < flow.size(); ++l)
    if (flow[l].origin == origin) out.push_back(static_cast<int>(l));
  return out;
}

Severity Context::grade(double share, double ns, bool critical) const {
  if (share < o.min_stake_share || ns < o.min_stake_ns) return Severity::Info;
  return critical ? Severity::Critical : Severity::Warning;
}

Severity Context::grade_bytes(double share, double bytes, bool critical) const {
  if (share < o.min_stake_share || bytes < o.min_stake_bytes) return Severity::Info;
  return critical ? Severity::Critical : Severity::Warning;
}

double measure_overhead(const Trace& t, double max_trivial_ns, bool* measured) {
  const TraceTasks& c = t.tasks;
  const auto n = c.size();
  auto ran = [&](std::int64_t i) { return c.status[i] == 1 || c.status[i] == 2; };
  // Idle gaps between back-to-back tasks on one worker when the second was already ready.
  std::vector<std::vector<std::int64_t>> by_worker;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!ran(i) || c.worker[i] < 0) continue;
    const auto w = static_cast<size_t>(c.worker[i]);
    if (w >= by_worker.size()) by_worker.resize(w + 1);
    by_worker[w].push_back(i);
  }
  std::vector<double> gaps;
  for (auto& ids : by_worker) {
    std::sort(ids.begin(), ids.end(),
              [&](auto a, auto b) { return c.start_ns[a] != c.start_ns[b] ? c.start_ns[a] < c.start_ns[b] : a < b; });
    for (size_t k = 1; k < ids.size(); ++k) {
      const auto a = ids[k - 1], b = ids[k];
      if (c.fused[b]) continue;
      std::int64_t ready = 0;
      for (auto e = c.dep_offsets[b]; e < c.dep_offsets[b + 1]; ++e) ready = std::max(ready, c.end_ns[c.dep_index[e]]);
      if (ready <= c.end_ns[a] && c.start_ns[b] >= c.end_ns[a])
        gaps.push_back(static_cast<double>(c.start_ns[b] - c.end_ns[a]));
    }
  }
  // Durations of trivial tasks: tiny inputs and output, no file I/O.
  constexpr std::int64_t kTrivial = 64 << 10;
  std::vector<double> trivial;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!ran(i) || c.bytes[i] > kTrivial) continue;
    const std::string& op = t.layers[c.layer[i]].op;
    if (op == "to_npy" || op == "to_zarr" || op == "from_npy" || op == "from_zarr") continue;
    std::int64_t in = 0;
    for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) in += c.bytes[c.dep_index[e]];
    if (in <= kTrivial) trivial.push_back(static_cast<double>(c.duration(i)));
  }
  double ovh = 0;
  if (gaps.size() >= 8) ovh += median(gaps);
  if (trivial.size() >= 8) ovh += std::min(median(trivial), max_trivial_ns);
  if (measured) *measured = ovh > 0;
  if (ovh > 0) return ovh;
  // Nothing to measure: typical costs of the engines.
  return t.meta.executor.rfind("dask", 0) == 0 ? 50e3 : 1e3;
}

}  // namespace chunkscope::analysis

namespace chunkscope {
std::int64_t chunk_target_for(const std::string& executor) {
  return executor.rfind("dask", 0) == 0 ? kDefaultChunkTarget : kExecutorChunkTarget;
}
}  // namespace chunkscope

namespace chunkscope::analysis {

Context make_context(const Trace& t, const AnalysisOptions& o) {
  Context c{t, o};
  c.sum = o.summary ? *o.summary : summarize(t);
  c.dask = t.meta.executor.rfind("dask", 0) == 0;
  if (c.o.target_chunk_bytes <= 0) c.o.target_chunk_bytes = chunk_target_for(t.meta.executor);
  c.ids = LayerIndex(t.layers);
  c.flow = chunk_origins(t.layers);
  c.consumers = layer_consumers(t.layers);
  c.workers = std::max(1, c.sum.workers);
  c.wall_ns = static_cast<double>(t.meta.wall_ns);
  const TraceTasks& k = t.tasks;
  const auto n = k.size();
  std::int64_t last_end = 0;
  for (std::int64_t i = 0; i < n; ++i)
    if (c.task_ran(i)) last_end = std::max(last_end, k.end_ns[i]);
  c.wall_ns = std::max(c.wall_ns, static_cast<double>(last_end));
  c.worker_ns = c.wall_ns * c.workers;
  c.ran.resize(t.layers.size());
  c.ready_ns.assign(static_cast<size_t>(n), 0);
  std::vector<std::vector<double>> d0(t.layers.size());
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t ready = 0;
    for (auto e = k.dep_offsets[i]; e < k.dep_offsets[i + 1]; ++e) ready = std::max(ready, k.end_ns[k.dep_index[e]]);
    c.ready_ns[i] = ready;
    if (!c.task_ran(i)) continue;
    c.ran[k.layer[i]].push_back(i);
    if (k.stage[i] == 0) d0[k.layer[i]].push_back(static_cast<double>(k.duration(i)));
  }
  c.median_ns.resize(t.layers.size());
  for (size_t l = 0; l < d0.size(); ++l) c.median_ns[l] = median(d0[l]);
  if (o.task_overhead_ns > 0) {
    c.overhead_ns = o.task_overhead_ns;
    c.overhead_measured = false;
  } else {
    c.overhead_ns = measure_overhead(t, o.max_trivial_task_ns, &c.overhead_measured);
  }
  double ran = 0;
  for (const auto& r : c.ran) ran += static_cast<double>(r.size());
  c.work_ns = std::min(c.worker_ns, static_cast<double>(c.sum.busy_ns) + ran * c.overhead_ns);
  return c;
}

std::string ChunkFix::text(const Context& c, int origin) const {
  if (c.dask) return dask_fix_text(c, origin, *this);
  std::string s = "set the chunks of " + c.q(origin) + " to " + edit["chunks"].dump() + " (" + format_shape(chunk) +
                  ", " + format_bytes(static_cast<double>(chunk_bytes)) +
                  " per chunk): " + std::to_string(chunks_after) + (chunks_after == 1 ? " chunk" : " chunks") +
                  " instead of " + std::to_string(chunks_before);
  if (!why.empty()) s += "; " + why;
  return s;
}

ChunkFix chunk_fix(const Context& c, int origin, std::int64_t target_bytes) {
  ChunkFix f;
  const TraceLayer& L = c.t.layers[origin];
  if (L.shape.empty() || L.chunks.size() != L.shape.size()) return f;
  const FamilyAccess fa = family_access(c.t.layers, c.flow, origin);
  f.before = L.meta().max_chunk_shape();
  f.chunk = chunk_shape_near(L.shape, c.itemsize(origin), target_bytes, fa.wishes, f.before);
  f.chunk_bytes = chunk_nbytes(f.chunk, c.itemsize(origin));
  f.chunks_before = L.meta().num_chunks();
  f.chunks_after = chunk_count(L.shape, f.chunk);
  f.ok = true;
  f.editable = c.flow[origin].editable;
  f.edit = {{"layer", L.id}, {"chunks", chunk_spec_json(L.shape, f.chunk)}};
  f.why = fa.why(f.chunk, L.shape);
  return f;
}

}  // namespace chunkscope::analysis
