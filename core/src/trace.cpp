#include "chunkscope/core/trace.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "chunkscope/core/dtype.hpp"
#include "chunkscope/core/error.hpp"
#include "chunkscope/core/limits.hpp"

namespace chunkscope {

const char* trace_status_name(std::uint8_t s) {
  switch (s) {
    case 0: return "not_run";
    case 1: return "done";
    case 2: return "failed";
    case 3: return "cancelled";
  }
  return "unknown";
}

std::string TraceMeta::device_name(int device) const {
  if (device < 1) return "";
  std::vector<const std::string*> seen;  // the distinct non-host names in order: device 1, 2, ...
  for (const auto& w : worker_devices) {
    if (w == "host") continue;
    bool dup = false;
    for (const auto* s : seen) dup = dup || *s == w;
    if (!dup) seen.push_back(&w);
  }
  return static_cast<size_t>(device) <= seen.size() ? *seen[static_cast<size_t>(device) - 1] : "";
}

std::string TraceMeta::worker_device(int worker) const {
  return worker >= 0 && static_cast<size_t>(worker) < worker_devices.size()
             ? worker_devices[static_cast<size_t>(worker)]
             : "";
}

nlohmann::json TraceMeta::file_extra() const {
  if (worker_devices.empty()) return extra;
  nlohmann::json e = extra.is_object() ? extra : nlohmann::json::object();
  e["worker_devices"] = worker_devices;
  return e;
}

void TraceMeta::lift_worker_devices() {
  if (!extra.is_object()) return;
  const auto it = extra.find("worker_devices");
  if (it == extra.end() || !it->is_array()) return;
  for (const auto& d : *it)
    if (!d.is_string()) return;  // not ours: left in extra as it is
  worker_devices.clear();
  for (const auto& d : *it) worker_devices.push_back(d.get<std::string>());
  extra.erase(it);
}

ArrayMeta TraceLayer::meta() const {
  ArrayMeta m;
  m.shape = shape;
  m.chunks = chunks;
  m.dtype = parse_dtype(dtype).value_or(DType::Float64);
  return m;
}

bool TraceLayer::unknown_sizes() const {
  const auto it = params.find("unknown_chunks");
  return it != params.end() && it->is_boolean() && it->get<bool>();
}

namespace {
// params[key] as written by the Dask capture: a list of sizes with null for "unknown".
std::string sizes_text(const nlohmann::json& params, const char* key) {
  const auto it = params.find(key);
  if (it == params.end() || !it->is_array()) return "?";
  std::string out;
  for (size_t i = 0; i < it->size(); ++i) {
    if (i) out += "×";
    const auto& v = (*it)[i];
    out += v.is_number_integer() ? std::to_string(v.get<std::int64_t>()) : "?";
  }
  return out.empty() ? "()" : out;
}
}  // namespace

std::string TraceLayer::shape_text() const {
  return unknown_sizes() ? sizes_text(params, "known_shape") : format_shape(shape);
}

std::string TraceLayer::chunk_shape_text() const {
  return unknown_sizes() ? sizes_text(params, "known_chunk_shape") : format_shape(meta().max_chunk_shape());
}

int Trace::find_layer(const std::string& id) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].id == id) return static_cast<int>(i);
  return -1;
}

namespace {

/// The located faults of one trace.
struct Checker {
  const std::string& name;
  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(located_message(name, "", field, what));
  }
  static std::string at(const std::string& field, std::size_t i) { return field + "[" + std::to_string(i) + "]"; }

  void layers(const std::vector<TraceLayer>& ls) const {
    std::unordered_set<std::string_view> ids;
    ids.reserve(ls.size());
    for (size_t i = 0; i < ls.size(); ++i) {
      const TraceLayer& l = ls[i];
      const std::string p = at("layers", i) + ".";
      if (const int depth = group_depth(l.group); depth > kMaxGroupDepth)
        fail(p + "group",
             "has " + std::to_string(depth) + " levels; at most " + std::to_string(kMaxGroupDepth) + " are supported");
      if (l.shape.size() > static_cast<size_t>(kMaxAxes))
        fail(p + "shape",
             "has " + std::to_string(l.shape.size()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
      std::int64_t elements = 1;
      for (auto s : l.shape) {
        if (s < 0) fail(p + "shape", "has a negative size");
        if (__builtin_mul_overflow(elements, s, &elements) || elements > (std::int64_t{1} << 60))
          fail(p + "shape", "is too large (more than 2^60 elements)");
      }
      if (l.chunks.size() != l.shape.size()) fail(p + "chunks", "must have one list per axis of shape");
      for (size_t a = 0; a < l.shape.size(); ++a) {
        std::int64_t sum = 0;
        for (auto v : l.chunks[a]) {
          if (v < 0 || v > l.shape[a])
            fail(at(p + "chunks", a), "has a chunk size out of range (" + std::to_string(v) + " along an axis of " +
                                          std::to_string(l.shape[a]) + ")");
          sum += v;  // at most (entries) x shape[a]: entries are bounded by memory, shape by 2^60
          if (sum > l.shape[a]) break;
        }
        if (sum != l.shape[a]) fail(p + "chunks", "axis " + std::to_string(a) + " chunk sizes do not sum to the shape");
      }
      if (l.tasks < 0) fail(p + "tasks", "is negative");
      if (!ids.insert(l.id).second) fail(p + "id", "\"" + l.id + "\" is used by two layers");
    }
    for (size_t i = 0; i < ls.size(); ++i)
      for (const auto& in : ls[i].inputs)
        if (!ids.count(in))
          fail(at("layers", i) + ".inputs", "refers to \"" + in + "\", which is not a layer of the trace");
  }

  void tasks(const Trace& t) const {
    const TraceTasks& c = t.tasks;
    const size_t n = c.layer.size();
    const auto same = [&](size_t size, const char* f) {
      if (size != n)
        fail(std::string("tasks.") + f,
             "has " + std::to_string(size) + " entries but tasks.layer has " + std::to_string(n));
    };
    same(c.stage.size(), "stage");
    same(c.chunk.size(), "chunk");
    same(c.worker.size(), "worker");
    same(c.start_ns.size(), "start_ns");
    same(c.end_ns.size(), "end_ns");
    same(c.bytes.size(), "bytes");
    same(c.status.size(), "status");
    same(c.fused.size(), "fused");
    if (c.dep_offsets.size() != n + 1) fail("tasks.dep_offsets", "must have one more entry than there are tasks");
    if (c.dep_offsets.front() != 0 || c.dep_offsets.back() != static_cast<std::int64_t>(c.dep_index.size()))
      fail("tasks.dep_offsets", "must start at 0 and end at the length of dep_index");
    for (size_t i = 0; i < t.layers.size(); ++i)
      if (t.layers[i].tasks > static_cast<std::int64_t>(n))
        fail(at("layers", i) + ".tasks",
             "claims " + std::to_string(t.layers[i].tasks) + " tasks but the trace has " + std::to_string(n));
    const auto nlayers = static_cast<std::int32_t>(t.layers.size());
    std::vector<std::int64_t> layer_chunks;
    layer_chunks.reserve(t.layers.size());
    for (const auto& l : t.layers) {
      std::int64_t k = 1;
      for (const auto& a : l.chunks)
        k = std::min<std::int64_t>(k * static_cast<std::int64_t>(a.size()), std::int64_t{1} << 50);
      layer_chunks.push_back(k);
    }
    const auto nn = static_cast<std::int64_t>(n);
    for (size_t i = 0; i < n; ++i) {
      if (c.layer[i] < 0 || c.layer[i] >= nlayers) fail(at("tasks.layer", i), "refers to a layer that does not exist");
      if (c.stage[i] < 0) fail(at("tasks.stage", i), "is negative");
      if (c.chunk[i] < 0) fail(at("tasks.chunk", i), "is negative");
      if (c.stage[i] == 0 && c.chunk[i] >= layer_chunks[static_cast<size_t>(c.layer[i])])
        fail(at("tasks.chunk", i), "chunk " + std::to_string(c.chunk[i]) + " is outside layer \"" +
                                       t.layers[static_cast<size_t>(c.layer[i])].id + "\"'s chunk grid");
      // An intermediate stage has at most as many tasks as the trace.
      if (c.stage[i] > 0 && c.chunk[i] >= nn)
        fail(at("tasks.chunk", i), "intermediate chunk " + std::to_string(c.chunk[i]) + " is past the trace's " +
                                       std::to_string(n) + " tasks");
      // Readers index per-worker lanes by it: it must be a worker of the run (or -1: never ran).
      if (c.worker[i] < -1 || c.worker[i] >= t.meta.threads)
        fail(at("tasks.worker", i), "worker " + std::to_string(c.worker[i]) + " is not one of the run's " +
                                        std::to_string(t.meta.threads) +
                                        " (meta.threads), nor -1 for a task that never ran");
      if (c.status[i] > 3) fail(at("tasks.status", i), "is not a status code (0-3)");
      if (c.start_ns[i] < 0 || c.end_ns[i] < 0) fail(at("tasks.start_ns", i), "times must not be negative");
      if (c.end_ns[i] < c.start_ns[i]) fail(at("tasks.end_ns", i), "ends before it starts");
      if (c.bytes[i] < 0) fail(at("tasks.bytes", i), "is negative");
      if (c.dep_offsets[i + 1] < c.dep_offsets[i]) fail(at("tasks.dep_offsets", i), "decreases");
      if (c.dep_offsets[i + 1] > static_cast<std::int64_t>(c.dep_index.size()))  // only the last one was checked
        fail(at("tasks.dep_offsets", i + 1),
             "is past the end of dep_index (" + std::to_string(c.dep_index.size()) + " entries)");
      for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) {
        const auto dep = c.dep_index[static_cast<size_t>(e)];
        if (dep < 0 || dep >= static_cast<std::int64_t>(i))
          fail(at("tasks.dep_index", static_cast<size_t>(e)),
               "task " + std::to_string(i) + " depends on task " + std::to_string(dep) +
                   ", which is out of range (dependencies must come earlier)");
      }
    }
  }

  void memory(const MemorySeries& s, const std::string& path, size_t nlayers) const {
    if (s.t_ns.size() != s.live_bytes.size())
      fail(path + ".live_bytes",
           "has " + std::to_string(s.live_bytes.size()) + " entries but t_ns has " + std::to_string(s.t_ns.size()));
    for (size_t i = 0; i < s.t_ns.size(); ++i) {
      if (s.t_ns[i] < 0) fail(at(path + ".t_ns", i), "is negative");
      if (i && s.t_ns[i] < s.t_ns[i - 1]) fail(at(path + ".t_ns", i), "goes back in time");
      if (s.live_bytes[i] < 0) fail(at(path + ".live_bytes", i), "is negative");
    }
    if (s.peak_bytes < 0) fail(path + ".peak_bytes", "is negative");
    if (s.limit_bytes < 0) fail(path + ".limit_bytes", "is negative");
    if (s.peak_layer < -1 || s.peak_layer >= static_cast<std::int64_t>(nlayers))
      fail(path + ".peak_layer", "names a layer that does not exist");
  }

  void transfers(const TraceTransfers& tr, std::int64_t ntasks) const {
    const size_t m = tr.task.size();
    const auto same = [&](size_t size, const char* f) {
      if (size != m) fail(std::string("transfers.") + f, "has a different length than transfers.task");
    };
    same(tr.start_ns.size(), "start_ns");
    same(tr.end_ns.size(), "end_ns");
    same(tr.bytes.size(), "bytes");
    same(tr.to_device.size(), "to_device");
    same(tr.device.size(), "device");
    for (size_t i = 0; i < m; ++i) {
      if (tr.task[i] < -1 || tr.task[i] >= ntasks) fail(at("transfers.task", i), "is out of range");
      if (tr.device[i] < 0 || tr.device[i] > kMaxDevice)
        fail(at("transfers.device", i), "is out of range (0 to " + std::to_string(kMaxDevice) + ")");
      if (tr.end_ns[i] < tr.start_ns[i] || tr.start_ns[i] < 0) fail(at("transfers.end_ns", i), "has bad times");
      if (tr.bytes[i] < 0) fail(at("transfers.bytes", i), "is negative");
    }
  }

  void resources(const TraceResources& r) const {
    if (r.interval_ns < 0) fail("resources.interval_ns", "is negative");
    for (size_t k = 0; k < r.processes.size(); ++k) {
      const ResourceSeries& s = r.processes[k];
      const std::string p = at("resources.processes", k) + ".";
      if (s.process.empty()) fail(p + "process", "is empty");
      for (size_t j = 0; j < k; ++j)
        if (r.processes[j].process == s.process) fail(p + "process", "\"" + s.process + "\" is named twice");
      if (s.cores < 0) fail(p + "cores", "is out of range");
      const size_t n = s.t_ns.size();
      if (s.rss_bytes.size() != n)
        fail(p + "rss_bytes",
             "has " + std::to_string(s.rss_bytes.size()) + " entries but t_ns has " + std::to_string(n));
      if (s.cpu_percent.size() != n)
        fail(p + "cpu_percent",
             "has " + std::to_string(s.cpu_percent.size()) + " entries but t_ns has " + std::to_string(n));
      for (size_t i = 0; i < n; ++i) {
        if (i && s.t_ns[i] < s.t_ns[i - 1]) fail(at(p + "t_ns", i), "goes back in time");
        if (s.rss_bytes[i] < 0) fail(at(p + "rss_bytes", i), "is negative");
        if (!std::isfinite(s.cpu_percent[i])) fail(at(p + "cpu_percent", i), "must be a finite number");
        if (s.cpu_percent[i] < 0) fail(at(p + "cpu_percent", i), "is negative");
      }
    }
  }
};

}  // namespace

void validate(const Trace& t, const std::string& name) {
  const Checker check{name};
  if (t.meta.threads < 0) check.fail("meta.threads", "is out of range");
  if (t.meta.wall_ns < 0) check.fail("meta.wall_ns", "is negative");
  check.layers(t.layers);
  check.tasks(t);
  check.memory(t.memory, "memory", t.layers.size());
  for (size_t k = 0; k < t.device_memory.size(); ++k)
    check.memory(t.device_memory[k], Checker::at("device_memory", k), t.layers.size());
  check.transfers(t.transfers, t.tasks.size());
  check.resources(t.resources);
}

}  // namespace chunkscope
