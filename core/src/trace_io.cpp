#include "chunkscope/core/trace_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <unordered_set>

#include "chunkscope/core/limits.hpp"
#include "trace_columns.hpp"

namespace chunkscope {
namespace {

using nlohmann::json;

// Columns diverted by the fast readers (trace_columns.hpp) while one document is converted; an
// array field may then be {"$col": k}. Thread-local: readers on several threads do not mix.
thread_local std::vector<std::vector<std::int64_t>>* g_columns = nullptr;

[[noreturn]] void bad(const std::string& name, const std::string& field, const std::string& what) {
  throw InputError(name + ": field \"" + field + "\": " + what);
}

// The compact encoding's columns while a document is built (write_trace_compact): an integer
// array of 32 or more entries goes to `data` and the document gets {"$col": k} in its place.
struct ColumnSink {
  std::string data;
  json counts = json::array();
};

template <class T>
json column(const std::vector<T>& v, ColumnSink* sink) {
  if (!sink || v.size() < 32) return json(v);
  const std::vector<std::int64_t> w(v.begin(), v.end());
  detail::encode_column(w, sink->data);
  sink->counts.push_back(w.size());
  return json{{"$col", sink->counts.size() - 1}};
}

json memory_to_json(const MemorySeries& m, const Trace& t, ColumnSink* sink) {
  return {{"device", m.device},
          {"t_ns", column(m.t_ns, sink)},
          {"live_bytes", column(m.live_bytes, sink)},
          {"peak_bytes", m.peak_bytes},
          {"peak_t_ns", m.peak_t_ns},
          {"peak_layer", m.peak_layer >= 0 && m.peak_layer < static_cast<int>(t.layers.size())
                             ? json(t.layers[m.peak_layer].id)
                             : json(nullptr)},
          {"limit_bytes", m.limit_bytes}};
}

// ---- typed, located readers
const json& field(const json& o, const char* f, const std::string& name, const std::string& path) {
  if (!o.is_object() || !o.contains(f)) bad(name, path + f, "is missing");
  return o[f];
}
std::string get_str(const json& o, const char* f, const std::string& name, const std::string& path,
                    bool required = false) {
  if (!o.contains(f) || o[f].is_null()) {
    if (required) bad(name, path + f, "is missing");
    return {};
  }
  if (!o[f].is_string()) bad(name, path + f, "must be a string");
  return o[f].get<std::string>();
}
std::int64_t get_int(const json& v, const std::string& name, const std::string& path) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e18) return static_cast<std::int64_t>(d);
    if (std::isnan(d)) bad(name, path, "must be an integer, got NaN");
    if (std::isinf(d)) bad(name, path, std::string("must be an integer, got ") + (d > 0 ? "infinity" : "-infinity"));
  }
  bad(name, path, "must be an integer, got " + v.dump().substr(0, 40));
}
std::int64_t get_int_or(const json& o, const char* f, std::int64_t d, const std::string& name,
                        const std::string& path) {
  if (!o.contains(f) || o[f].is_null()) return d;
  return get_int(o[f], name, path + f);
}
template <class T>
std::vector<T> int_array(const json& o, const char* f, const std::string& name, const std::string& path,
                         bool required = true) {
  if (!o.contains(f) || o[f].is_null()) {
    if (required) bad(name, path + f, "is missing");
    return {};
  }
  const json& a = o[f];
  if (a.is_object() && a.contains("$col") && g_columns) {
    const json& k = a["$col"];
    if (!k.is_number_integer() || k.get<std::int64_t>() < 0 || k.get<std::uint64_t>() >= g_columns->size())
      bad(name, path + f, "refers to a column that does not exist");
    std::vector<std::int64_t>& col = (*g_columns)[k.get<std::size_t>()];
    if constexpr (std::is_same_v<T, std::int64_t>) {
      return std::move(col);
    } else {
      std::vector<T> out(col.size());
      for (size_t i = 0; i < col.size(); ++i) {
        if (col[i] < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
            col[i] > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
          bad(name, path + f + "[" + std::to_string(i) + "]", "is out of range");
        out[i] = static_cast<T>(col[i]);
      }
      return out;
    }
  }
  if (!a.is_array()) bad(name, path + f, "must be an array");
  std::vector<T> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const std::int64_t v = get_int(a[i], name, path + f + "[" + std::to_string(i) + "]");
    if constexpr (sizeof(T) < 8) {
      if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
          v > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
        bad(name, path + f + "[" + std::to_string(i) + "]", "is out of range");
    }
    out.push_back(static_cast<T>(v));
  }
  return out;
}

/// A list of numbers (a diverted integer column is accepted too); each must be finite.
std::vector<double> number_array(const json& o, const char* f, const std::string& name, const std::string& path) {
  if (!o.contains(f) || o[f].is_null()) bad(name, path + f, "is missing");
  const json& a = o[f];
  if (a.is_object() && a.contains("$col")) {
    const std::vector<std::int64_t> ints = int_array<std::int64_t>(o, f, name, path);
    return std::vector<double>(ints.begin(), ints.end());
  }
  if (!a.is_array()) bad(name, path + f, "must be an array");
  std::vector<double> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string at = path + f + "[" + std::to_string(i) + "]";
    if (!a[i].is_number()) bad(name, at, "must be a number, got " + a[i].dump().substr(0, 40));
    const double v = a[i].get<double>();
    if (!std::isfinite(v)) bad(name, at, "must be a finite number");
    out.push_back(v);
  }
  return out;
}

/// One process's series (`path` ends with "." or is the object's own location plus ".").
ResourceSeries resource_series_from_json(const json& o, const std::string& name, const std::string& path) {
  const std::string at = path.substr(0, path.size() - 1);
  if (!o.is_object()) bad(name, at, "must be an object");
  ResourceSeries s;
  s.t_ns = int_array<std::int64_t>(o, "t_ns", name, path);
  s.rss_bytes = int_array<std::int64_t>(o, "rss_bytes", name, path);
  s.cpu_percent = number_array(o, "cpu_percent", name, path);
  const auto cores = get_int_or(o, "cores", 0, name, path);
  if (cores < 0 || cores > 1'000'000) bad(name, path + "cores", "is out of range");
  s.cores = static_cast<int>(cores);
  const size_t n = s.t_ns.size();
  if (s.rss_bytes.size() != n)
    bad(name, path + "rss_bytes",
        "has " + std::to_string(s.rss_bytes.size()) + " entries but t_ns has " + std::to_string(n));
  if (s.cpu_percent.size() != n)
    bad(name, path + "cpu_percent",
        "has " + std::to_string(s.cpu_percent.size()) + " entries but t_ns has " + std::to_string(n));
  for (size_t i = 0; i < n; ++i) {
    const std::string k = "[" + std::to_string(i) + "]";
    if (i && s.t_ns[i] < s.t_ns[i - 1]) bad(name, path + "t_ns" + k, "goes back in time");
    if (s.rss_bytes[i] < 0) bad(name, path + "rss_bytes" + k, "is negative");
    if (s.cpu_percent[i] < 0) bad(name, path + "cpu_percent" + k, "is negative");
  }
  return s;
}

/// The settings shared by both forms ("interval_ns", "workers_in_process").
void resource_settings_from_json(const json& r, TraceResources& out, const std::string& name, const std::string& path) {
  out.interval_ns = get_int_or(r, "interval_ns", 0, name, path);
  if (out.interval_ns < 0) bad(name, path + "interval_ns", "is negative");
  if (r.contains("workers_in_process") && !r["workers_in_process"].is_null()) {
    if (!r["workers_in_process"].is_boolean()) bad(name, path + "workers_in_process", "must be true or false");
    out.workers_in_process = r["workers_in_process"].get<bool>();
  }
}

/// The document's "resources": {"interval_ns", "workers_in_process", "processes": [{"process", ...}]}.
TraceResources resources_from_json(const json& r, const std::string& name) {
  if (!r.is_object()) bad(name, "resources", "must be an object");
  TraceResources out;
  resource_settings_from_json(r, out, name, "resources.");
  const json& ps = field(r, "processes", name, "resources.");
  if (!ps.is_array()) bad(name, "resources.processes", "must be an array");
  for (size_t i = 0; i < ps.size(); ++i) {
    const std::string p = "resources.processes[" + std::to_string(i) + "].";
    ResourceSeries s = resource_series_from_json(ps[i], name, p);
    s.process = get_str(ps[i], "process", name, p, true);
    if (s.process.empty()) bad(name, p + "process", "is empty");
    for (const auto& other : out.processes)
      if (other.process == s.process) bad(name, p + "process", "\"" + s.process + "\" is named twice");
    out.processes.push_back(std::move(s));
  }
  return out;
}

/// The legacy form written by the Dask capture before the typed field: meta.extra.resources with
/// "processes" an object keyed by process name.
TraceResources legacy_resources_from_json(const json& r, const std::string& name) {
  const std::string path = "meta.extra.resources.";
  TraceResources out;
  resource_settings_from_json(r, out, name, path);
  if (!r.contains("processes") || r["processes"].is_null()) return out;
  const json& ps = r["processes"];
  if (!ps.is_object()) bad(name, path + "processes", "must be an object of series by process");
  for (const auto& [process, series] : ps.items()) {
    ResourceSeries s = resource_series_from_json(series, name, path + "processes." + process + ".");
    s.process = process;
    out.processes.push_back(std::move(s));
  }
  return out;
}

MemorySeries memory_from_json(const json& m, const std::string& name, const std::string& path,
                              const std::vector<TraceLayer>& layers) {
  if (!m.is_object()) bad(name, path, "must be an object");
  MemorySeries s;
  s.device = get_str(m, "device", name, path + ".");
  if (s.device.empty()) s.device = "host";
  s.t_ns = int_array<std::int64_t>(m, "t_ns", name, path + ".");
  s.live_bytes = int_array<std::int64_t>(m, "live_bytes", name, path + ".");
  if (s.t_ns.size() != s.live_bytes.size())
    bad(name, path + ".live_bytes",
        "has " + std::to_string(s.live_bytes.size()) + " entries but t_ns has " + std::to_string(s.t_ns.size()));
  for (size_t i = 0; i < s.t_ns.size(); ++i) {
    if (s.t_ns[i] < 0) bad(name, path + ".t_ns[" + std::to_string(i) + "]", "is negative");
    if (i && s.t_ns[i] < s.t_ns[i - 1]) bad(name, path + ".t_ns[" + std::to_string(i) + "]", "goes back in time");
    if (s.live_bytes[i] < 0) bad(name, path + ".live_bytes[" + std::to_string(i) + "]", "is negative");
  }
  s.peak_bytes = get_int_or(m, "peak_bytes", 0, name, path + ".");
  s.peak_t_ns = get_int_or(m, "peak_t_ns", 0, name, path + ".");
  s.limit_bytes = get_int_or(m, "limit_bytes", 0, name, path + ".");
  if (s.peak_bytes < 0) bad(name, path + ".peak_bytes", "is negative");
  if (s.limit_bytes < 0) bad(name, path + ".limit_bytes", "is negative");
  const std::string pl = get_str(m, "peak_layer", name, path + ".");
  if (!pl.empty()) {
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i].id == pl) s.peak_layer = static_cast<std::int32_t>(i);
    if (s.peak_layer < 0) bad(name, path + ".peak_layer", "names an unknown layer \"" + pl + "\"");
  }
  return s;
}

/// One element of "layers" (index i) as a TraceLayer; throws InputError naming the field.
TraceLayer layer_from_json(const json& l, size_t i, const std::string& name) {
  const std::string p = "layers[" + std::to_string(i) + "].";
  if (!l.is_object()) bad(name, "layers[" + std::to_string(i) + "]", "must be an object");
  TraceLayer tl;
  tl.id = get_str(l, "id", name, p, true);
  tl.name = get_str(l, "name", name, p);
  if (tl.name.empty()) tl.name = tl.id;
  tl.op = get_str(l, "op", name, p);
  tl.kind = get_str(l, "kind", name, p);
  tl.group = get_str(l, "group", name, p);
  if (const int depth = group_depth(tl.group); depth > kMaxGroupDepth)
    bad(name, p + "group",
        "has " + std::to_string(depth) + " levels; at most " + std::to_string(kMaxGroupDepth) + " are supported");
  tl.dtype = get_str(l, "dtype", name, p);
  if (tl.dtype.empty()) tl.dtype = "float64";
  tl.pushed_into = get_str(l, "pushed_into", name, p);
  if (l.contains("inputs")) {
    if (!l["inputs"].is_array()) bad(name, p + "inputs", "must be an array of layer ids");
    for (const auto& x : l["inputs"]) {
      if (!x.is_string()) bad(name, p + "inputs", "must be an array of layer ids");
      tl.inputs.push_back(x.get<std::string>());
    }
  }
  tl.shape = int_array<std::int64_t>(l, "shape", name, p, false);
  if (tl.shape.size() > static_cast<size_t>(kMaxAxes))
    bad(name, p + "shape",
        "has " + std::to_string(tl.shape.size()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
  std::int64_t elements = 1;
  for (auto s : tl.shape) {
    if (s < 0) bad(name, p + "shape", "has a negative size");
    if (__builtin_mul_overflow(elements, s, &elements) || elements > (std::int64_t{1} << 60))
      bad(name, p + "shape", "is too large (more than 2^60 elements)");
  }
  if (l.contains("chunks") && !l["chunks"].is_null()) {
    if (!l["chunks"].is_array() || l["chunks"].size() != tl.shape.size())
      bad(name, p + "chunks", "must have one list per axis of shape");
    for (size_t a = 0; a < tl.shape.size(); ++a) {
      if (!l["chunks"][a].is_array()) bad(name, p + "chunks", "must have one list of sizes per axis");
      std::vector<std::int64_t> c;
      std::int64_t sum = 0;
      for (const auto& x : l["chunks"][a]) {
        const auto v = get_int(x, name, p + "chunks");
        if (v < 0 || v > tl.shape[a]) bad(name, p + "chunks", "has a chunk size out of range");
        sum += v;
        c.push_back(v);
      }
      if (sum != tl.shape[a])
        bad(name, p + "chunks", "axis " + std::to_string(a) + " chunk sizes do not sum to the shape");
      tl.chunks.push_back(std::move(c));
    }
  } else {
    for (auto s : tl.shape) tl.chunks.push_back({s});
  }
  tl.tasks = get_int_or(l, "tasks", 0, name, p);
  if (tl.tasks < 0) bad(name, p + "tasks", "is negative");
  if (l.contains("params") && l["params"].is_object()) tl.params = l["params"];
  tl.inserted = l.contains("inserted") && l["inserted"].is_boolean() && l["inserted"].get<bool>();
  return tl;
}

/// Takes the "layers" elements from the parser one at a time (trace_columns.hpp, ElementSink). The
/// first bad layer's error is kept and raised after the document's format and version are checked,
/// so a file that is not a trace at all still says so first.
struct LayerReader : detail::ElementSink {
  explicit LayerReader(const std::string& name) : name(name) {}
  void begin() override {
    layers.clear();
    error = nullptr;
  }
  void element(json&& v) override {
    if (error) return;
    try {
      layers.push_back(layer_from_json(v, layers.size(), name));
    } catch (const std::bad_alloc&) {
      throw;
    } catch (...) {
      error = std::current_exception();
    }
  }
  const std::string& name;
  std::vector<TraceLayer> layers;
  std::exception_ptr error;
};

/// `streamed`: the layers the parser already read (the document's "layers" is then empty).
Trace from_json_impl(const json& d, const std::string& name, LayerReader* streamed = nullptr) {
  if (!d.is_object()) throw InputError(name + ": not a chunkscope trace (expected a JSON object)");
  if (get_str(d, "format", name, "") != kTraceFormat)
    throw InputError(name + ": not a chunkscope trace (field \"format\" must be \"" + std::string(kTraceFormat) +
                     "\")");
  const std::int64_t version = get_int(field(d, "version", name, ""), name, "version");
  if (version != kTraceVersion)
    bad(name, "version",
        "is " + std::to_string(version) + "; this chunkscope reads version " + std::to_string(kTraceVersion));
  Trace t;
  if (d.contains("meta")) {
    const json& m = d["meta"];
    if (!m.is_object()) bad(name, "meta", "must be an object");
    t.meta.tool_version = get_str(m, "tool_version", name, "meta.");
    t.meta.executor = get_str(m, "executor", name, "meta.");
    t.meta.device = get_str(m, "device", name, "meta.");
    t.meta.pipeline = get_str(m, "pipeline", name, "meta.");
    t.meta.start_time = get_str(m, "start_time", name, "meta.");
    t.meta.status = get_str(m, "status", name, "meta.");
    if (t.meta.status.empty()) t.meta.status = "ok";
    t.meta.error = get_str(m, "error", name, "meta.");
    const auto threads = get_int_or(m, "threads", 1, name, "meta.");
    if (threads < 0 || threads > 1'000'000) bad(name, "meta.threads", "is out of range");
    t.meta.threads = static_cast<int>(threads);
    t.meta.memory_limit = get_int_or(m, "memory_limit", 0, name, "meta.");
    t.meta.wall_ns = get_int_or(m, "wall_ns", 0, name, "meta.");
    if (t.meta.wall_ns < 0) bad(name, "meta.wall_ns", "is negative");
    if (m.contains("extra") && m["extra"].is_object()) t.meta.extra = m["extra"];
    t.meta.lift_worker_devices();
  }
  const json& layers = field(d, "layers", name, "");
  if (!layers.is_array()) bad(name, "layers", "must be an array");
  std::unordered_set<std::string> seen_ids;
  if (streamed) {
    if (streamed->error) std::rethrow_exception(streamed->error);
    t.layers = std::move(streamed->layers);
  } else {
    for (size_t i = 0; i < layers.size(); ++i) t.layers.push_back(layer_from_json(layers[i], i, name));
  }
  for (size_t i = 0; i < t.layers.size(); ++i)
    if (!seen_ids.insert(t.layers[i].id).second)
      bad(name, "layers[" + std::to_string(i) + "].id", "\"" + t.layers[i].id + "\" is used by two layers");
  for (size_t i = 0; i < t.layers.size(); ++i)
    for (const auto& in : t.layers[i].inputs)
      if (!seen_ids.count(in))
        bad(name, "layers[" + std::to_string(i) + "].inputs",
            "refers to \"" + in + "\", which is not a layer of the trace");
  const json& tasks = field(d, "tasks", name, "");
  if (!tasks.is_object()) bad(name, "tasks", "must be an object of columns");
  TraceTasks& c = t.tasks;
  c.layer = int_array<std::int32_t>(tasks, "layer", name, "tasks.");
  const size_t n = c.layer.size();
  auto col = [&](auto& v, const char* f, bool required) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    v = int_array<T>(tasks, f, name, "tasks.", required);
    if (!required && v.empty()) v.assign(n, T{});
    if (v.size() != n)
      bad(name, std::string("tasks.") + f,
          "has " + std::to_string(v.size()) + " entries but tasks.layer has " + std::to_string(n));
  };
  col(c.stage, "stage", false);
  col(c.chunk, "chunk", true);
  col(c.worker, "worker", true);
  col(c.start_ns, "start_ns", true);
  col(c.end_ns, "end_ns", true);
  col(c.bytes, "bytes", true);
  col(c.status, "status", true);
  col(c.fused, "fused", false);
  c.dep_offsets = int_array<std::int64_t>(tasks, "dep_offsets", name, "tasks.");
  c.dep_index = int_array<std::int64_t>(tasks, "dep_index", name, "tasks.");
  if (c.dep_offsets.size() != n + 1) bad(name, "tasks.dep_offsets", "must have one more entry than there are tasks");
  if (c.dep_offsets.front() != 0 || c.dep_offsets.back() != static_cast<std::int64_t>(c.dep_index.size()))
    bad(name, "tasks.dep_offsets", "must start at 0 and end at the length of dep_index");
  for (size_t i = 0; i < t.layers.size(); ++i)
    if (t.layers[i].tasks > static_cast<std::int64_t>(n))
      bad(name, "layers[" + std::to_string(i) + "].tasks",
          "claims " + std::to_string(t.layers[i].tasks) + " tasks but the trace has " + std::to_string(n));
  const auto nlayers = static_cast<std::int32_t>(t.layers.size());
  std::vector<std::int64_t> layer_chunks;
  for (const auto& l : t.layers) {
    std::int64_t k = 1;
    for (const auto& a : l.chunks)
      k = std::min<std::int64_t>(k * static_cast<std::int64_t>(a.size()), std::int64_t{1} << 50);
    layer_chunks.push_back(k);
  }
  for (size_t i = 0; i < n; ++i) {
    const std::string at = "[" + std::to_string(i) + "]";
    if (c.layer[i] < 0 || c.layer[i] >= nlayers) bad(name, "tasks.layer" + at, "refers to a layer that does not exist");
    if (c.stage[i] < 0) bad(name, "tasks.stage" + at, "is negative");
    if (c.chunk[i] < 0) bad(name, "tasks.chunk" + at, "is negative");
    if (c.stage[i] == 0 && c.chunk[i] >= layer_chunks[c.layer[i]])
      bad(name, "tasks.chunk" + at,
          "chunk " + std::to_string(c.chunk[i]) + " is outside layer \"" + t.layers[c.layer[i]].id + "\"'s chunk grid");
    // An intermediate stage has at most as many tasks as the trace.
    if (c.stage[i] > 0 && c.chunk[i] >= static_cast<std::int64_t>(n))
      bad(name, "tasks.chunk" + at,
          "intermediate chunk " + std::to_string(c.chunk[i]) + " is past the trace's " + std::to_string(n) + " tasks");
    // Readers index per-worker lanes by it: it must be a worker of the run (or -1: never ran).
    if (c.worker[i] < -1 || c.worker[i] >= t.meta.threads)
      bad(name, "tasks.worker" + at,
          "worker " + std::to_string(c.worker[i]) + " is not one of the run's " + std::to_string(t.meta.threads) +
              " (meta.threads), nor -1 for a task that never ran");
    if (c.status[i] > 3) bad(name, "tasks.status" + at, "is not a status code (0-3)");
    if (c.start_ns[i] < 0 || c.end_ns[i] < 0) bad(name, "tasks.start_ns" + at, "times must not be negative");
    if (c.end_ns[i] < c.start_ns[i]) bad(name, "tasks.end_ns" + at, "ends before it starts");
    if (c.bytes[i] < 0) bad(name, "tasks.bytes" + at, "is negative");
    if (c.dep_offsets[i + 1] < c.dep_offsets[i]) bad(name, "tasks.dep_offsets" + at, "decreases");
    if (c.dep_offsets[i + 1] > static_cast<std::int64_t>(c.dep_index.size()))  // only the last one was checked
      bad(name, "tasks.dep_offsets[" + std::to_string(i + 1) + "]",
          "is past the end of dep_index (" + std::to_string(c.dep_index.size()) + " entries)");
    for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) {
      const auto dep = c.dep_index[e];
      if (dep < 0 || dep >= static_cast<std::int64_t>(i))
        bad(name, "tasks.dep_index[" + std::to_string(e) + "]",
            "task " + std::to_string(i) + " depends on task " + std::to_string(dep) +
                ", which is out of range (dependencies must come earlier)");
    }
  }
  if (d.contains("memory") && !d["memory"].is_null())
    t.memory = memory_from_json(d["memory"], name, "memory", t.layers);
  if (d.contains("device_memory") && d["device_memory"].is_array())
    for (size_t i = 0; i < d["device_memory"].size(); ++i)
      t.device_memory.push_back(
          memory_from_json(d["device_memory"][i], name, "device_memory[" + std::to_string(i) + "]", t.layers));
  if (d.contains("transfers") && d["transfers"].is_object()) {
    const json& x = d["transfers"];
    TraceTransfers& tr = t.transfers;
    tr.task = int_array<std::int64_t>(x, "task", name, "transfers.", false);
    const size_t m = tr.task.size();
    auto tcol = [&](auto& v, const char* f) {
      using T = typename std::decay_t<decltype(v)>::value_type;
      v = int_array<T>(x, f, name, "transfers.", false);
      if (v.empty()) v.assign(m, T{});
      if (v.size() != m) bad(name, std::string("transfers.") + f, "has a different length than transfers.task");
    };
    tcol(tr.start_ns, "start_ns");
    tcol(tr.end_ns, "end_ns");
    tcol(tr.bytes, "bytes");
    tcol(tr.to_device, "to_device");
    tcol(tr.device, "device");
    for (size_t i = 0; i < m; ++i) {
      if (tr.task[i] < -1 || tr.task[i] >= static_cast<std::int64_t>(n))
        bad(name, "transfers.task[" + std::to_string(i) + "]", "is out of range");
      if (tr.device[i] < 0 || tr.device[i] > kMaxDevice)
        bad(name, "transfers.device[" + std::to_string(i) + "]",
            "is out of range (0 to " + std::to_string(kMaxDevice) + ")");
      if (tr.end_ns[i] < tr.start_ns[i] || tr.start_ns[i] < 0)
        bad(name, "transfers.end_ns[" + std::to_string(i) + "]", "has bad times");
      if (tr.bytes[i] < 0) bad(name, "transfers.bytes[" + std::to_string(i) + "]", "is negative");
    }
  }
  if (d.contains("resources") && !d["resources"].is_null()) t.resources = resources_from_json(d["resources"], name);
  // The legacy place (Dask captures before the typed field) is read into the same field, once.
  if (const auto it = t.meta.extra.find("resources"); it != t.meta.extra.end()) {
    if (t.resources.empty() && it->is_object()) t.resources = legacy_resources_from_json(*it, name);
    if (it->is_object()) t.meta.extra.erase(it);
  }
  return t;
}

Result<Trace> convert_doc(const json& doc, const std::string& name, LayerReader* streamed) {
  try {
    return from_json_impl(doc, name, streamed);
  } catch (const InputError& e) {
    return Result<Trace>::failure(e.what());
  } catch (const std::bad_alloc&) {
    throw;  // out of memory is not a fault of the file
  } catch (const std::exception& e) {
    return Result<Trace>::failure(name + ": invalid trace: " + e.what());
  }
}

}  // namespace

namespace {

json layer_doc(const TraceLayer& l) {
  return {{"id", l.id},
          {"name", l.name},
          {"op", l.op},
          {"kind", l.kind},
          {"group", l.group},
          {"inputs", l.inputs},
          {"shape", l.shape},
          {"chunks", l.chunks},
          {"dtype", l.dtype},
          {"tasks", l.tasks},
          {"params", l.params},
          {"inserted", l.inserted},
          {"pushed_into", l.pushed_into.empty() ? json(nullptr) : json(l.pushed_into)}};
}

/// The trace as a document; without `with_layers` the "layers" field is left out (the compact
/// writer encodes them one at a time).
json trace_doc(const Trace& t, ColumnSink* sink, bool with_layers = true) {
  json d;
  d["format"] = kTraceFormat;
  d["version"] = kTraceVersion;
  d["meta"] = {{"tool_version", t.meta.tool_version},
               {"executor", t.meta.executor},
               {"device", t.meta.device},
               {"pipeline", t.meta.pipeline},
               {"start_time", t.meta.start_time},
               {"status", t.meta.status},
               {"error", t.meta.error},
               {"threads", t.meta.threads},
               {"memory_limit", t.meta.memory_limit},
               {"wall_ns", t.meta.wall_ns},
               {"extra", t.meta.file_extra()}};
  if (with_layers) {
    json layers = json::array();
    for (const TraceLayer& l : t.layers) layers.push_back(layer_doc(l));
    d["layers"] = std::move(layers);
  }
  const TraceTasks& c = t.tasks;
  d["tasks"] = {{"layer", column(c.layer, sink)},         {"stage", column(c.stage, sink)},
                {"chunk", column(c.chunk, sink)},         {"worker", column(c.worker, sink)},
                {"start_ns", column(c.start_ns, sink)},   {"end_ns", column(c.end_ns, sink)},
                {"bytes", column(c.bytes, sink)},         {"status", column(c.status, sink)},
                {"fused", column(c.fused, sink)},         {"dep_offsets", column(c.dep_offsets, sink)},
                {"dep_index", column(c.dep_index, sink)}, {"status_names", {"not_run", "done", "failed", "cancelled"}}};
  d["memory"] = memory_to_json(t.memory, t, sink);
  json dm = json::array();
  for (const auto& m : t.device_memory) dm.push_back(memory_to_json(m, t, sink));
  d["device_memory"] = std::move(dm);
  const TraceTransfers& x = t.transfers;
  d["transfers"] = {{"task", column(x.task, sink)},           {"start_ns", column(x.start_ns, sink)},
                    {"end_ns", column(x.end_ns, sink)},       {"bytes", column(x.bytes, sink)},
                    {"to_device", column(x.to_device, sink)}, {"device", column(x.device, sink)}};
  if (!t.resources.empty()) {
    json ps = json::array();
    for (const ResourceSeries& s : t.resources.processes)
      ps.push_back({{"process", s.process},
                    {"t_ns", column(s.t_ns, sink)},
                    {"rss_bytes", column(s.rss_bytes, sink)},
                    {"cpu_percent", s.cpu_percent},
                    {"cores", s.cores}});
    d["resources"] = {{"interval_ns", t.resources.interval_ns},
                      {"workers_in_process", t.resources.workers_in_process},
                      {"processes", std::move(ps)}};
  }
  return d;
}

}  // namespace

json trace_to_json(const Trace& t) { return trace_doc(t, nullptr); }

Result<Trace> trace_from_json(const json& doc, const std::string& name) { return convert_doc(doc, name, nullptr); }

// write_trace_json: trace_json_text.cpp (the same text, without the document).

std::string write_trace_cbor(const Trace& t) {
  const std::vector<std::uint8_t> v = json::to_cbor(trace_to_json(t));
  return std::string(v.begin(), v.end());
}

bool is_cbor_path(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".cbor") == 0;
}

namespace {

/// Converts a document whose long arrays were diverted into `columns`.
Result<Trace> from_column_doc(detail::ColumnDoc& cd, const std::string& name, LayerReader* streamed) {
  g_columns = &cd.columns;
  Result<Trace> r = convert_doc(cd.doc, name, streamed);
  g_columns = nullptr;
  return r;
}

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string plain_json_error(const json::exception& e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    const auto close = what.find("] ");
    if (close != std::string::npos) what.erase(0, close + 2);
  }
  return what;
}

Result<Trace> read_compact(const std::string& bytes, const std::string& name) {
  const auto fail = [&](const std::string& what) {
    return Result<Trace>::failure(name + ": not a readable compact trace (" + what + ")");
  };
  std::size_t pos = detail::kCompactMagic.size();
  if (bytes.size() < pos + 8) return fail("the file ends inside its header");
  std::uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | static_cast<unsigned char>(bytes[pos + i]);
  pos += 8;
  if (hlen > bytes.size() - pos)
    return fail("the header claims " + std::to_string(hlen) + " bytes but the file is shorter");
  detail::ColumnDoc cd;
  LayerReader layers(name);
  try {
    // Through the same SAX reader as CBOR traces: nesting is limited and strings must be UTF-8.
    cd.doc = detail::parse_with_columns(std::string_view(bytes).substr(pos, hlen), true, SIZE_MAX, 256, &layers).doc;
    pos += hlen;
    const json& counts = cd.doc.at("$columns");
    if (!counts.is_array()) return fail("field \"$columns\" must be an array");
    const std::string_view data(bytes);
    for (const json& n : counts) {
      if (!n.is_number_integer() || n.get<std::int64_t>() < 0)
        return fail("field \"$columns\" must hold column lengths");
      cd.columns.push_back(detail::decode_column(
          data, pos, static_cast<std::int64_t>(std::min<std::uint64_t>(n.get<std::uint64_t>(), INT64_MAX))));
    }
    if (pos != bytes.size())
      return fail("there are " + std::to_string(bytes.size() - pos) + " bytes after the last column");
  } catch (const json::exception& e) {
    return fail(plain_json_error(e));
  } catch (const detail::FieldError& e) {
    return Result<Trace>::failure(name + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw;  // out of memory is not a fault of the file
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return from_column_doc(cd, name, &layers);
}

}  // namespace

namespace {

/// A CBOR head: major type (4 array, 5 map) and a count, in the shortest form.
void cbor_head(std::string& out, unsigned major, std::uint64_t n) {
  const auto m = static_cast<char>(major << 5);
  if (n < 24) {
    out.push_back(static_cast<char>(m | static_cast<char>(n)));
    return;
  }
  int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffULL ? 4 : 8;
  out.push_back(static_cast<char>(m | static_cast<char>(bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27)));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

}  // namespace

std::string write_trace_compact(const Trace& t) {
  // The columns go straight from the Trace to their encoding, never through JSON values.
  // The header is a CBOR map written field by field, and "layers" one layer at a time: a 100,000-layer
  // trace never becomes one 1.5-million-value document (issue 14, item 5).
  ColumnSink sink;
  json doc = trace_doc(t, &sink, false);
  std::string& data = sink.data;
  doc["$columns"] = std::move(sink.counts);
  std::string head;
  const auto append = [&](const json& v) {
    const std::vector<std::uint8_t> b = json::to_cbor(v);
    head.append(b.begin(), b.end());
  };
  cbor_head(head, 5, doc.size() + 1);
  for (const auto& [key, value] : doc.items()) {
    append(key);
    append(value);
  }
  append("layers");
  cbor_head(head, 4, t.layers.size());
  for (const TraceLayer& l : t.layers) append(layer_doc(l));
  std::string out(detail::kCompactMagic);
  std::uint64_t hlen = head.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((hlen >> (8 * i)) & 0xff));
  out.append(head.begin(), head.end());
  out += data;
  return out;
}

Result<Trace> read_trace_bytes(const std::string& bytes, const std::string& name) {
  if (bytes.compare(0, detail::kCompactMagic.size(), detail::kCompactMagic) == 0) return read_compact(bytes, name);
  const std::string_view magic_stem = detail::kCompactMagic.substr(0, detail::kCompactMagic.size() - 1);
  if (bytes.size() >= detail::kCompactMagic.size() && bytes.compare(0, magic_stem.size(), magic_stem) == 0)
    return Result<Trace>::failure(
        name + ": not a readable trace (compact encoding \"" + bytes.substr(0, detail::kCompactMagic.size()) +
        "\" is not one this chunkscope reads; it reads \"" + std::string(detail::kCompactMagic) + "\")");
  size_t i = 0;
  while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) ++i;
  if (i == bytes.size()) return Result<Trace>::failure(name + ": the file is empty");
  // A trace is a map: CBOR maps start with a byte 0xa0..0xbf (or the self-describe tag 0xd9d9f7);
  // anything else is read as JSON, so that a JSON array or a bare value gets a JSON message.
  const auto first = static_cast<unsigned char>(bytes[i]);
  const bool cbor = (first >= 0xa0 && first <= 0xbf) || first == 0xd9 || first < 0x20 || first >= 0x80;
  detail::ColumnDoc cd;
  LayerReader layers(name);
  try {
    cd = detail::parse_with_columns(bytes, cbor, 32, 256, &layers);
  } catch (const json::exception& e) {
    return Result<Trace>::failure(name + ": not a readable trace (" + (cbor ? "CBOR" : "JSON") +
                                  " error: " + plain_json_error(e) + ")");
  } catch (const detail::FieldError& e) {
    return Result<Trace>::failure(name + ": " + e.what());
  } catch (const std::length_error& e) {
    return Result<Trace>::failure(name + ": not a readable trace (" + e.what() + ")");
  }
  return from_column_doc(cd, name, &layers);
}

}  // namespace chunkscope
