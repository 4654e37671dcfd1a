#include "chunkscope/exec/recorder.hpp"

#include <algorithm>
#include <ctime>

#include "chunkscope/core/analysis/chunk_flow.hpp"
#include "chunkscope/core/ops.hpp"
#include "chunkscope/exec/resource_sampler.hpp"

namespace chunkscope {

std::string iso_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<TraceLayer> trace_layers(const Graph& g) { return trace_layers_of(g); }

Recorder::Recorder(std::string tool_version) : tool_version_(std::move(tool_version)) {}

Recorder::~Recorder() = default;

void Recorder::sample_resources(std::int64_t interval_ns) {
  if (sampler_) sampler_->stop();
  sampler_ = interval_ns > 0 ? std::make_unique<ResourceSampler>(interval_ns) : nullptr;
}

void Recorder::on_clock_start(std::chrono::steady_clock::time_point t0) {
  if (sampler_) sampler_->start(t0);
}

void Recorder::on_run_begin(const Graph& g, const RunInfo& info) {
  graph_ = &g;
  info_ = info;
  workers_ = std::vector<WorkerBuffers>(static_cast<size_t>(std::max(1, info.workers)));
  // Reserve enough for an even share plus slack, so the hot path does not allocate.
  const auto n = static_cast<size_t>(g.tasks().size());
  const size_t share = n / workers_.size() + n / 4 + 64;
  for (auto& w : workers_) {
    w.tasks.reserve(share);
    w.memory.reserve(3 * share);
  }
}

void Recorder::on_run_end(std::int64_t wall_ns, RunStatus status, const std::string& error) {
  if (sampler_) sampler_->stop();
  wall_ns_ = wall_ns;
  status_ = run_status_name(status);
  error_ = error;
}

Trace Recorder::trace() const {
  Trace t;
  if (!graph_) return t;
  const Graph& g = *graph_;
  const TaskGraph& tg = g.tasks();
  const std::int64_t n = tg.size();
  t.meta.tool_version = tool_version_;
  t.meta.executor = info_.executor;
  t.meta.device = info_.device;
  t.meta.pipeline = g.name();
  t.meta.start_time = iso_time_now();
  t.meta.status = status_;
  t.meta.error = error_;
  t.meta.threads = info_.workers;
  t.meta.memory_limit = info_.memory_limit;
  t.meta.wall_ns = wall_ns_;
  t.layers = trace_layers(g);
  t.meta.worker_devices = info_.worker_devices;
  TraceTasks& c = t.tasks;
  c.layer.resize(static_cast<size_t>(n));
  c.stage.resize(static_cast<size_t>(n));
  c.chunk.resize(static_cast<size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    c.layer[i] = tg.layer(i);
    c.stage[i] = tg.stage(i);
    c.chunk[i] = tg.index(i);
  }
  c.worker.assign(static_cast<size_t>(n), -1);
  c.start_ns.assign(static_cast<size_t>(n), 0);
  c.end_ns.assign(static_cast<size_t>(n), 0);
  c.bytes.assign(static_cast<size_t>(n), 0);
  c.status.assign(static_cast<size_t>(n), 0);
  c.fused.assign(static_cast<size_t>(n), 0);
  c.dep_offsets = tg.dep_offsets();
  c.dep_index = tg.dep_index();
  std::vector<MemoryEvent> mem;
  for (const auto& w : workers_) {
    for (const TaskEvent& e : w.tasks) {
      if (e.task < 0 || e.task >= n) continue;
      c.worker[e.task] = e.worker;
      c.start_ns[e.task] = e.start_ns;
      c.end_ns[e.task] = e.end_ns;
      c.bytes[e.task] = e.bytes;
      c.status[e.task] = static_cast<std::uint8_t>(e.status);
      c.fused[e.task] = e.fused ? 1 : 0;
    }
    mem.insert(mem.end(), w.memory.begin(), w.memory.end());
    for (const TransferEvent& x : w.transfers) {
      t.transfers.task.push_back(x.task);
      t.transfers.start_ns.push_back(x.start_ns);
      t.transfers.end_ns.push_back(x.end_ns);
      t.transfers.bytes.push_back(x.bytes);
      t.transfers.to_device.push_back(x.to_device ? 1 : 0);
      t.transfers.device.push_back(x.device);
    }
  }
  // Exact live-memory timeline per device: sort the +/- events by time (releases first at equal
  // times) and accumulate.
  std::stable_sort(mem.begin(), mem.end(), [](const MemoryEvent& a, const MemoryEvent& b) {
    if (a.t_ns != b.t_ns) return a.t_ns < b.t_ns;
    return a.delta < b.delta;
  });
  auto build = [&](int device, MemorySeries& s) {
    std::int64_t live = 0;
    s.t_ns.clear();
    s.live_bytes.clear();
    s.limit_bytes = device == 0 ? info_.memory_limit : info_.device_memory_limit;
    s.t_ns.push_back(0);
    s.live_bytes.push_back(0);
    for (const MemoryEvent& e : mem) {
      if (e.device != device || e.delta == 0) continue;
      live += e.delta;
      if (live > s.peak_bytes) {
        s.peak_bytes = live;
        s.peak_t_ns = e.t_ns;
        s.peak_layer = e.layer;
      }
      if (s.t_ns.back() == e.t_ns)
        s.live_bytes.back() = live;
      else {
        s.t_ns.push_back(e.t_ns);
        s.live_bytes.push_back(live);
      }
    }
  };
  build(0, t.memory);
  if (sampler_) {
    // The samples inside the run (the last one may be taken a little after the executor's end).
    ResourceSeries s = sampler_->series("local");
    std::size_t k = 0;
    for (std::size_t i = 0; i < s.t_ns.size(); ++i)
      if (s.t_ns[i] >= 0 && s.t_ns[i] <= wall_ns_) {
        s.t_ns[k] = s.t_ns[i];
        s.rss_bytes[k] = s.rss_bytes[i];
        s.cpu_percent[k] = s.cpu_percent[i];
        ++k;
      }
    s.t_ns.resize(k);
    s.rss_bytes.resize(k);
    s.cpu_percent.resize(k);
    if (k > 0) {
      t.resources.interval_ns = sampler_->requested_interval_ns();
      t.resources.processes.push_back(std::move(s));
    }
  }
  int max_device = 0;
  for (const auto& e : mem) max_device = std::max(max_device, e.device);
  // Device d is named by the worker lanes (TraceMeta::device_name: "cuda:1" when the run used
  // GPU 1), else "cuda:<d-1>".
  for (int d = 1; d <= max_device; ++d) {
    MemorySeries s;
    s.device = t.meta.device_name(d);
    if (s.device.empty()) s.device = "cuda:" + std::to_string(d - 1);
    build(d, s);
    t.device_memory.push_back(std::move(s));
  }
  validate(t, "the recorded trace");  // what readers check of a file, checked where the trace is made
  return t;
}

}  // namespace chunkscope
