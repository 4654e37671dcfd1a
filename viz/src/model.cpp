#include "chunkscope/viz/model.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "chunkscope/core/limits.hpp"
#include "chunkscope/core/trace_summary.hpp"

namespace chunkscope::viz {
namespace {

constexpr const char* kColorNames[] = {"time", "memory", "tasks", "chunk-bytes", "worker", "critical", "findings"};

bool ran(std::uint8_t status) {
  return status == static_cast<std::uint8_t>(TaskStatus::Done) ||
         status == static_cast<std::uint8_t>(TaskStatus::Failed);
}

// Drops empty levels and keeps at most kMaxGroupDepth levels (readers refuse deeper paths; in a
// trace built in memory, a deeper layer sits in its last kept group), so that the group tree and
// its paths stay small whatever the trace holds.
std::string normalize_group(const std::string& path) {
  std::string out;
  int depth = 0;
  size_t i = 0;
  while (i <= path.size() && depth < kMaxGroupDepth) {
    const size_t j = std::min(path.find('/', i), path.size());
    if (j > i) {
      out += (out.empty() ? "" : "/") + path.substr(i, j - i);
      ++depth;
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

const char* color_by_name(ColorBy c) { return kColorNames[static_cast<int>(c)]; }

std::optional<ColorBy> parse_color_by(std::string_view name) {
  for (int i = 0; i < 7; ++i)
    if (name == kColorNames[i]) return static_cast<ColorBy>(i);
  return std::nullopt;
}

Model::Model(Trace trace, Findings findings) : trace_(std::move(trace)), findings_(std::move(findings)) {
  layer_ids_ = LayerIndex(trace_.layers);
  const TraceTasks& c = trace_.tasks;
  const auto n = c.size();
  const auto nl = trace_.layers.size();
  const TraceSummary sum = summarize(trace_);
  busy_ns_ = sum.busy_ns;

  // Per-layer static facts and group tree.
  std::map<std::string, int, std::less<>> group_index{{"", 0}};
  groups_.push_back(GroupNode{});
  layers_.resize(nl);
  layer_group_.resize(nl);
  inputs_.resize(nl);
  fan_in_.resize(nl);
  layer_tasks_.resize(nl);
  for (size_t l = 0; l < nl; ++l) {
    const TraceLayer& tl = trace_.layers[l];
    LayerStats& s = layers_[l];
    s.layer = static_cast<int>(l);
    s.id = tl.id;
    s.name = tl.name;
    s.op = tl.op;
    s.group = normalize_group(tl.group);
    s.shape = tl.shape;
    const ArrayMeta meta = tl.meta();
    s.chunks = 1;
    std::int64_t elems = 1;
    for (const auto& axis : tl.chunks) {
      s.chunk_shape.push_back(axis.empty() ? 0 : axis[0]);
      s.chunks *= static_cast<std::int64_t>(axis.size());
      elems *= axis.empty() ? 0 : axis[0];
    }
    s.chunk_bytes = elems * static_cast<std::int64_t>(dtype_size(meta.dtype));
    s.shape_text = tl.shape_text();
    if (const auto w = tl.params.find("created_at"); w != tl.params.end() && w->is_string())
      s.created_at = w->get<std::string>();  // Dask: the user's file:line
    s.chunk_shape_text = tl.chunk_shape_text();
    if (tl.unknown_sizes()) {  // Dask left the sizes unknown: no grid, no size figures (docs/trace-format.md)
      const auto n = tl.params.find("chunk_count");
      s.chunks = n != tl.params.end() && n->is_number_integer() ? n->get<std::int64_t>() : 0;
      s.chunk_bytes = 0;
    }
    // Fused: its work ran inside another layer (a Dask layer fused away: params.dask_fused_into names
    // the Dask layer that ran it; a source pushed into a later layer: pushed_into is that layer's id).
    if (!tl.pushed_into.empty())
      s.fused_into = tl.pushed_into;
    else if (const auto f = tl.params.find("dask_fused_into"); f != tl.params.end() && f->is_string())
      s.fused_into = f->get<std::string>();  // a Dask name until mapped to its layer id below
    s.busy_ns = sum.layers[l].busy_ns;
    s.time_share = busy_ns_ > 0 ? static_cast<double>(s.busy_ns) / static_cast<double>(busy_ns_) : 0.0;
    s.bytes_out = sum.layers[l].output_bytes;
    s.critical_ns = sum.layers[l].critical_ns;
    for (const auto& in : tl.inputs) {
      const int k = layer_ids_.find(in);
      if (k >= 0) inputs_[l].push_back(k);
    }
    // Group path -> chain of groups, created in order of first appearance.
    int parent = 0;
    std::string path;
    size_t i = 0;
    while (i < s.group.size()) {
      const size_t j = std::min(s.group.find('/', i), s.group.size());
      const std::string name = s.group.substr(i, j - i);
      path += (path.empty() ? "" : "/") + name;
      auto it = group_index.find(path);
      if (it == group_index.end()) {
        const int g = static_cast<int>(groups_.size());
        groups_.push_back(GroupNode{path, name, parent, {}, {}});
        groups_[static_cast<size_t>(parent)].groups.push_back(g);
        it = group_index.emplace(path, g).first;
      }
      parent = it->second;
      i = j + 1;
    }
    layer_group_[l] = parent;
    groups_[static_cast<size_t>(parent)].layers.push_back(static_cast<int>(l));
  }
  group_index_ = std::move(group_index);
  // Dask names of fused_into -> the layer ids the front-ends show.
  {
    std::map<std::string, std::string, std::less<>> id_of_dask_name;
    for (const auto& tl : trace_.layers)
      if (const auto d = tl.params.find("dask_name"); d != tl.params.end() && d->is_string())
        id_of_dask_name.emplace(d->get<std::string>(), tl.id);
    for (auto& s : layers_)
      if (const auto it = id_of_dask_name.find(s.fused_into); !s.fused_into.empty() && it != id_of_dask_name.end())
        s.fused_into = it->second;
  }

  // Per-task passes: layer task lists, workers, fan-in, liveness at the memory peak.
  int max_worker = -1;
  std::vector<std::pair<int, int>> per_input;  // (input layer, deps) of one task
  for (std::int64_t i = 0; i < n; ++i) {
    const int l = c.layer[i];
    layer_tasks_[static_cast<size_t>(l)].push_back(i);
    ++layers_[static_cast<size_t>(l)].tasks;
    if (ran(c.status[i]) && c.worker[i] >= 0) max_worker = std::max(max_worker, c.worker[i]);
    per_input.clear();
    for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) {
      const auto d = c.dep_index[static_cast<size_t>(e)];
      const int dl = c.layer[d];
      if (dl == l) continue;
      auto it = std::find_if(per_input.begin(), per_input.end(), [&](auto& p) { return p.first == dl; });
      if (it == per_input.end())
        per_input.emplace_back(dl, 1);
      else
        ++it->second;
    }
    auto& fi = fan_in_[static_cast<size_t>(l)];
    for (const auto& pk : per_input) {
      const int dl = pk.first, k = pk.second;  // (no structured binding: clang 14 / em++ cannot capture one)
      auto it = std::find_if(fi.begin(), fi.end(), [&](const EdgeFanIn& f) { return f.input == dl; });
      if (it == fi.end())
        fi.push_back({dl, k});
      else
        it->fan_in = std::max(it->fan_in, k);
    }
  }
  if (n == 0)  // a plan document (docs/trace-format.md): the tasks each layer will run
    for (size_t l = 0; l < nl; ++l) {
      const auto p = trace_.layers[l].params.find("planned_tasks");
      if (p != trace_.layers[l].params.end() && p->is_number_integer()) layers_[l].tasks = p->get<std::int64_t>();
    }
  // The worker that ran most of a layer's tasks (the lowest on a tie), from its sorted workers:
  // memory in tasks, not in layers x workers.
  std::vector<int> workers;
  for (size_t l = 0; l < nl; ++l) {
    workers.clear();
    for (auto i : layer_tasks_[l])
      if (ran(c.status[i]) && c.worker[i] >= 0) workers.push_back(c.worker[i]);
    std::sort(workers.begin(), workers.end());
    size_t best = 0;
    for (size_t k = 0, run = 0; k < workers.size(); ++k) {
      run = k > 0 && workers[k] == workers[k - 1] ? run + 1 : 1;
      if (run > best) {
        best = run;
        layers_[l].main_worker = workers[k];
      }
    }
  }
  // At the peak, the bytes each layer holds on the host (core's chunk_lifetimes: the executor's accounting).
  lifetimes_ = chunk_lifetimes(trace_);
  if (trace_.memory.peak_bytes > 0) {
    const auto held = host_bytes_held_at(trace_, lifetimes_, trace_.memory.peak_t_ns);
    for (size_t l = 0; l < nl && l < held.size(); ++l) layers_[l].peak_held_bytes = held[l];
  }

  // Lanes: one per worker that ran a task, tasks sorted by start.
  std::vector<std::vector<std::int64_t>> by_worker(static_cast<size_t>(max_worker + 1));
  for (std::int64_t i = 0; i < n; ++i)
    if (ran(c.status[i]) && c.worker[i] >= 0) by_worker[static_cast<size_t>(c.worker[i])].push_back(i);
  for (size_t w = 0; w < by_worker.size(); ++w) {
    auto& ids = by_worker[w];
    if (ids.empty()) continue;
    auto before = [&](std::int64_t a, std::int64_t b) {
      return c.start_ns[a] != c.start_ns[b] ? c.start_ns[a] < c.start_ns[b] : a < b;
    };
    if (!std::is_sorted(ids.begin(), ids.end(), before)) std::sort(ids.begin(), ids.end(), before);
    std::vector<std::int64_t> max_end(ids.size());
    std::int64_t m = INT64_MIN;
    for (size_t k = 0; k < ids.size(); ++k) max_end[k] = m = std::max(m, c.end_ns[ids[k]]);
    lane_workers_.push_back(static_cast<int>(w));
    lane_tasks_.push_back(std::move(ids));
    lane_max_end_.push_back(std::move(max_end));
  }

  // Transfer lanes: one per (device, direction), transfers sorted by start.
  const TraceTransfers& x = trace_.transfers;
  std::map<std::pair<int, int>, std::vector<std::int64_t>> by_lane;  // (device, 0 = to device / 1 = to host)
  for (std::int64_t i = 0; i < x.size(); ++i)
    by_lane[{x.device[static_cast<size_t>(i)], x.to_device[static_cast<size_t>(i)] ? 0 : 1}].push_back(i);
  for (auto& [key, ids] : by_lane) {
    auto before = [&](std::int64_t a, std::int64_t b) {
      return x.start_ns[a] != x.start_ns[b] ? x.start_ns[a] < x.start_ns[b] : a < b;
    };
    if (!std::is_sorted(ids.begin(), ids.end(), before)) std::sort(ids.begin(), ids.end(), before);
    TransferLane lane;
    lane.device = key.first;
    lane.to_device = key.second == 0;
    lane.name = device_name(lane.device) + (lane.to_device ? " host\xE2\x86\x92"
                                                             "device"
                                                           : " device\xE2\x86\x92"
                                                             "host");
    lane.max_end.resize(ids.size());
    lane.bytes_before.resize(ids.size() + 1, 0);
    std::int64_t end = INT64_MIN;
    for (size_t k = 0; k < ids.size(); ++k) {
      lane.max_end[k] = end = std::max(end, x.end_ns[static_cast<size_t>(ids[k])]);
      lane.bytes_before[k + 1] = lane.bytes_before[k] + x.bytes[static_cast<size_t>(ids[k])];
    }
    lane.transfers = std::move(ids);
    transfer_lanes_.push_back(std::move(lane));
  }

  critical_.assign(static_cast<size_t>(n), 0);
  for (auto i : sum.critical_path) critical_[static_cast<size_t>(i)] = 1;

  mem_blocks_.push_back(MinMaxBlocks::of(trace_.memory.live_bytes));
  for (const auto& d : trace_.device_memory) mem_blocks_.push_back(MinMaxBlocks::of(d.live_bytes));

  apply_findings();
}

void Model::set_findings(Findings findings) {
  findings_ = std::move(findings);
  for (auto& l : layers_) {
    l.severity = -1;
    l.findings = 0;
  }
  apply_findings();
}

void Model::apply_findings() {
  for (const Finding& f : findings_) {
    std::vector<int> seen;
    for (const auto& id : f.layers) {
      const int l = layer_ids_.find(id);
      if (l < 0 || std::find(seen.begin(), seen.end(), l) != seen.end()) continue;
      seen.push_back(l);
      layers_[static_cast<size_t>(l)].severity =
          std::max(layers_[static_cast<size_t>(l)].severity, static_cast<int>(f.severity));
      ++layers_[static_cast<size_t>(l)].findings;
    }
  }
}

std::string Model::device_name(int device) const {
  if (std::string name = trace_.meta.device_name(device); !name.empty()) return name;
  const auto& dm = trace_.device_memory;
  if (device >= 1 && static_cast<size_t>(device) <= dm.size() && !dm[static_cast<size_t>(device) - 1].device.empty())
    return dm[static_cast<size_t>(device) - 1].device;
  return "device " + std::to_string(device);
}

int Model::group_of_layer(int layer) const {
  return layer >= 0 && static_cast<size_t>(layer) < layer_group_.size() ? layer_group_[static_cast<size_t>(layer)] : -1;
}

int Model::find_group(std::string_view path) const {
  const auto it = group_index_.find(path);
  return it == group_index_.end() ? -1 : it->second;
}

int Model::find_layer(std::string_view id) const { return layer_ids_.find(std::string(id)); }

std::vector<int> Model::ancestors_of_layer(int layer) const {
  std::vector<int> chain;
  for (int g = group_of_layer(layer); g > 0; g = groups_[static_cast<size_t>(g)].parent) chain.push_back(g);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

bool Model::on_critical_path(std::int64_t task) const {
  return task >= 0 && static_cast<size_t>(task) < critical_.size() && critical_[static_cast<size_t>(task)] != 0;
}

Model::MinMaxBlocks Model::MinMaxBlocks::of(const std::vector<std::int64_t>& v) {
  MinMaxBlocks b;
  for (size_t i = 0; i < v.size(); i += 64) {
    const auto [lo, hi] = std::minmax_element(v.begin() + static_cast<std::ptrdiff_t>(i),
                                              v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), i + 64)));
    b.min1.push_back(*lo);
    b.max1.push_back(*hi);
  }
  for (size_t i = 0; i < b.min1.size(); i += 64) {
    const size_t e = std::min(b.min1.size(), i + 64);
    b.min2.push_back(*std::min_element(b.min1.begin() + static_cast<std::ptrdiff_t>(i),
                                       b.min1.begin() + static_cast<std::ptrdiff_t>(e)));
    b.max2.push_back(*std::max_element(b.max1.begin() + static_cast<std::ptrdiff_t>(i),
                                       b.max1.begin() + static_cast<std::ptrdiff_t>(e)));
  }
  return b;
}

const MemorySeries& Model::memory_series(int device) const {
  return device <= 0 || static_cast<size_t>(device) > trace_.device_memory.size()
             ? trace_.memory
             : trace_.device_memory[static_cast<size_t>(device) - 1];
}

std::pair<std::int64_t, std::int64_t> Model::memory_minmax(std::size_t a, std::size_t b, int device) const {
  if (device < 0 || static_cast<size_t>(device) >= mem_blocks_.size()) device = 0;
  const auto& v = memory_series(device).live_bytes;
  const MinMaxBlocks& k = mem_blocks_[static_cast<size_t>(device)];
  b = std::min(b, v.size());
  std::int64_t lo = INT64_MAX, hi = INT64_MIN;
  auto take = [&](std::int64_t mn, std::int64_t mx) {
    lo = std::min(lo, mn);
    hi = std::max(hi, mx);
  };
  while (a < b && a % 64) take(v[a], v[a]), ++a;                                       // up to a level-1 block
  while (a + 64 <= b && (a / 64) % 64) take(k.min1[a / 64], k.max1[a / 64]), a += 64;  // up to a level-2 block
  while (a + 4096 <= b) take(k.min2[a / 4096], k.max2[a / 4096]), a += 4096;
  while (a + 64 <= b) take(k.min1[a / 64], k.max1[a / 64]), a += 64;
  while (a < b) take(v[a], v[a]), ++a;
  return {lo, hi};
}

}  // namespace chunkscope::viz
