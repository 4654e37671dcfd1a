#include "trace_reader.hpp"

#include <new>

#include "chunkscope/core/trace_io.hpp"

namespace chunkscope::detail {

using nlohmann::json;

namespace {

std::string indexed(const std::string& field, std::size_t i) { return field + "[" + std::to_string(i) + "]"; }

}  // namespace

void TraceReader::LayerSink::begin() {
  layers_.clear();
  error_ = nullptr;
}

void TraceReader::LayerSink::element(json&& v) {
  if (error_) return;
  try {
    layers_.push_back(reader_.layer(v, layers_.size()));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    error_ = std::current_exception();
  }
}

TraceLayer TraceReader::layer(const json& l, std::size_t i) const {
  const FieldReader r = FieldReader{name_, "", &l, "", columns_}.nested(l, indexed("layers", i));
  TraceLayer tl;
  tl.id = r.str("id");
  tl.name = r.str_or("name", "");
  if (tl.name.empty()) tl.name = tl.id;
  tl.op = r.str_or("op", "");
  tl.kind = r.str_or("kind", "");
  tl.group = r.str_or("group", "");
  tl.dtype = r.str_or("dtype", "");
  if (tl.dtype.empty()) tl.dtype = "float64";
  tl.pushed_into = r.str_or("pushed_into", "");
  if (l.contains("inputs")) {
    const json& in = l["inputs"];
    if (!in.is_array()) r.fail("inputs", "must be an array of layer ids");
    for (const auto& x : in) {
      if (!x.is_string()) r.fail("inputs", "must be an array of layer ids");
      tl.inputs.push_back(x.get<std::string>());
    }
  }
  tl.shape = r.int_column<std::int64_t>("shape", false);
  if (r.has("chunks")) {
    const json& chunks = l["chunks"];
    if (!chunks.is_array() || chunks.size() != tl.shape.size())
      r.fail("chunks", "must have one list per axis of shape");
    for (size_t a = 0; a < chunks.size(); ++a) {
      const json& axis = chunks[a];
      const std::string where = indexed("chunks", a);
      if (!axis.is_array()) r.fail(where, "must be the list of chunk sizes along axis " + std::to_string(a));
      std::vector<std::int64_t> c;
      c.reserve(axis.size());
      for (const json& x : axis) c.push_back(r.integer(where, x));
      tl.chunks.push_back(std::move(c));
    }
  } else {
    for (auto s : tl.shape) tl.chunks.push_back({s});
  }
  tl.tasks = r.integer_or("tasks", 0);
  if (l.contains("params") && l["params"].is_object()) tl.params = l["params"];
  tl.inserted = l.contains("inserted") && l["inserted"].is_boolean() && l["inserted"].get<bool>();
  return tl;
}

TraceMeta TraceReader::meta(const FieldReader& m) const {
  TraceMeta out;
  out.tool_version = m.str_or("tool_version", "");
  out.executor = m.str_or("executor", "");
  out.device = m.str_or("device", "");
  out.pipeline = m.str_or("pipeline", "");
  out.start_time = m.str_or("start_time", "");
  out.status = m.str_or("status", "");
  if (out.status.empty()) out.status = "ok";
  out.error = m.str_or("error", "");
  const auto threads = m.integer_or("threads", 1);
  if (threads < 0 || threads > 1'000'000) m.fail("threads", "is out of range");
  out.threads = static_cast<int>(threads);
  out.memory_limit = m.integer_or("memory_limit", 0);
  out.wall_ns = m.integer_or("wall_ns", 0);
  if (m.obj->contains("extra") && (*m.obj)["extra"].is_object()) out.extra = (*m.obj)["extra"];
  out.lift_worker_devices();
  return out;
}

TraceTasks TraceReader::tasks(const FieldReader& r) const {
  TraceTasks c;
  c.layer = r.int_column<std::int32_t>("layer");
  const size_t n = c.layer.size();
  c.stage = r.int_column<std::int32_t>("stage", false);
  if (c.stage.empty()) c.stage.assign(n, 0);
  c.chunk = r.int_column<std::int64_t>("chunk");
  c.worker = r.int_column<std::int32_t>("worker");
  c.start_ns = r.int_column<std::int64_t>("start_ns");
  c.end_ns = r.int_column<std::int64_t>("end_ns");
  c.bytes = r.int_column<std::int64_t>("bytes");
  c.status = r.int_column<std::uint8_t>("status");
  c.fused = r.int_column<std::uint8_t>("fused", false);
  if (c.fused.empty()) c.fused.assign(n, 0);
  c.dep_offsets = r.int_column<std::int64_t>("dep_offsets");
  c.dep_index = r.int_column<std::int64_t>("dep_index");
  return c;
}

MemorySeries TraceReader::memory(const FieldReader& m, const std::vector<TraceLayer>& layers) const {
  MemorySeries s;
  s.device = m.str_or("device", "");
  if (s.device.empty()) s.device = "host";
  s.t_ns = m.int_column<std::int64_t>("t_ns");
  s.live_bytes = m.int_column<std::int64_t>("live_bytes");
  s.peak_bytes = m.integer_or("peak_bytes", 0);
  s.peak_t_ns = m.integer_or("peak_t_ns", 0);
  s.limit_bytes = m.integer_or("limit_bytes", 0);
  const std::string pl = m.str_or("peak_layer", "");
  if (!pl.empty()) {
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i].id == pl) s.peak_layer = static_cast<std::int32_t>(i);
    if (s.peak_layer < 0) m.fail("peak_layer", "names an unknown layer \"" + pl + "\"");
  }
  return s;
}

TraceTransfers TraceReader::transfers(const FieldReader& x) const {
  TraceTransfers tr;
  tr.task = x.int_column<std::int64_t>("task", false);
  const size_t m = tr.task.size();
  const auto col = [&](auto& v, const char* f) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    v = x.int_column<T>(f, false);
    if (v.empty()) v.assign(m, T{});
  };
  col(tr.start_ns, "start_ns");
  col(tr.end_ns, "end_ns");
  col(tr.bytes, "bytes");
  col(tr.to_device, "to_device");
  col(tr.device, "device");
  return tr;
}

ResourceSeries TraceReader::series(const FieldReader& s) const {
  ResourceSeries out;
  out.t_ns = s.int_column<std::int64_t>("t_ns");
  out.rss_bytes = s.int_column<std::int64_t>("rss_bytes");
  out.cpu_percent = s.number_column("cpu_percent");
  const auto cores = s.integer_or("cores", 0);
  if (cores < 0 || cores > 1'000'000) s.fail("cores", "is out of range");
  out.cores = static_cast<int>(cores);
  return out;
}

namespace {

/// The settings both forms of resources have.
void resource_settings(const FieldReader& r, TraceResources& out) {
  out.interval_ns = r.integer_or("interval_ns", 0);
  out.workers_in_process = r.boolean_or("workers_in_process", false);
}

}  // namespace

TraceResources TraceReader::resources(const FieldReader& r) const {
  TraceResources out;
  resource_settings(r, out);
  const json& ps = r.at("processes");
  if (!ps.is_array()) r.fail("processes", "must be an array");
  for (size_t i = 0; i < ps.size(); ++i) {
    const FieldReader p = r.nested(ps[i], r.path + indexed("processes", i));
    ResourceSeries s = series(p);
    s.process = p.str("process");
    out.processes.push_back(std::move(s));
  }
  return out;
}

TraceResources TraceReader::legacy_resources(const FieldReader& r) const {
  TraceResources out;
  resource_settings(r, out);
  if (!r.has("processes")) return out;
  const json& ps = r.at("processes");
  if (!ps.is_object()) r.fail("processes", "must be an object of series by process");
  for (const auto& [process, v] : ps.items()) {
    ResourceSeries s = series(r.nested(v, r.path + "processes." + process));
    s.process = process;
    out.processes.push_back(std::move(s));
  }
  return out;
}

Trace TraceReader::read(const json& d, LayerSink* streamed) const {
  if (!d.is_object()) throw InputError(name_ + ": not a chunkscope trace (expected a JSON object)");
  const FieldReader top = reader(d);
  if (top.str_or("format", "") != kTraceFormat)
    throw InputError(name_ + ": not a chunkscope trace (field \"format\" must be \"" + std::string(kTraceFormat) +
                     "\")");
  const std::int64_t version = top.integer("version");
  if (version != kTraceVersion)
    top.fail("version",
             "is " + std::to_string(version) + "; this chunkscope reads version " + std::to_string(kTraceVersion));
  Trace t;
  if (d.contains("meta")) t.meta = meta(top.object("meta"));
  const json& layers = top.at("layers");
  if (!layers.is_array()) top.fail("layers", "must be an array");
  if (streamed) {
    if (streamed->error_) std::rethrow_exception(streamed->error_);
    t.layers = std::move(streamed->layers_);
  } else {
    t.layers.reserve(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) t.layers.push_back(layer(layers[i], i));
  }
  const json& tasks_doc = top.at("tasks");
  if (!tasks_doc.is_object()) top.fail("tasks", "must be an object of columns");
  t.tasks = tasks(top.object("tasks"));
  if (top.has("memory")) t.memory = memory(top.object("memory"), t.layers);
  if (d.contains("device_memory") && d["device_memory"].is_array()) {
    const json& dm = d["device_memory"];
    for (size_t i = 0; i < dm.size(); ++i)
      t.device_memory.push_back(memory(top.nested(dm[i], indexed("device_memory", i)), t.layers));
  }
  if (d.contains("transfers") && d["transfers"].is_object()) t.transfers = transfers(top.object("transfers"));
  if (top.has("resources")) t.resources = resources(top.object("resources"));
  // The legacy place (Dask captures before the typed field) is read into the same field, once.
  if (const auto it = t.meta.extra.find("resources"); it != t.meta.extra.end() && it->is_object()) {
    if (t.resources.empty()) t.resources = legacy_resources(FieldReader{name_, "", &*it, "meta.extra.resources."});
    t.meta.extra.erase(it);
  }
  validate(t, name_);
  return t;
}

}  // namespace chunkscope::detail
