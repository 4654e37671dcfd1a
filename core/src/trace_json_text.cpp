// write_trace_json: the trace's JSON text written straight from the Trace, byte for byte what
// trace_to_json(t).dump() gives (keys in the same sorted order), without building that document.
// A 100,000-layer trace took 1.1 s and 1.3 million map nodes through the document; and a
// document's destructor allocates (nlohmann_json flattens it onto a heap stack), so running out of
// memory while writing a large one ended in std::terminate (issue 14, items 4 and 5).
#include <charconv>

#include "chunkscope/core/trace_io.hpp"

namespace chunkscope {
namespace {

using nlohmann::json;

class JsonText {
 public:
  std::string out;

  void str(const std::string& s) { out += json(s).dump(); }  // nlohmann's escaping (and UTF-8 check)
  void key(const char* k, bool first = false) {
    if (!first) out += ',';
    out += '"';
    out += k;
    out += "\":";
  }
  template <class T>
  void num(T v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
    out.append(buf, r.ptr);
  }
  template <class T>
  void nums(const std::vector<T>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      num(v[i]);
    }
    out += ']';
  }
  void strs(const std::vector<std::string>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      str(v[i]);
    }
    out += ']';
  }
};

void memory_text(JsonText& w, const MemorySeries& m, const Trace& t) {
  w.out += '{';
  w.key("device", true), w.str(m.device);
  w.key("limit_bytes"), w.num(m.limit_bytes);
  w.key("live_bytes"), w.nums(m.live_bytes);
  w.key("peak_bytes"), w.num(m.peak_bytes);
  w.key("peak_layer");
  if (m.peak_layer >= 0 && m.peak_layer < static_cast<int>(t.layers.size()))
    w.str(t.layers[static_cast<size_t>(m.peak_layer)].id);
  else
    w.out += "null";
  w.key("peak_t_ns"), w.num(m.peak_t_ns);
  w.key("t_ns"), w.nums(m.t_ns);
  w.out += '}';
}

}  // namespace

std::string write_trace_json(const Trace& t) {
  JsonText w;
  w.out.reserve(256 * t.layers.size() + 96 * static_cast<size_t>(t.tasks.size()) + 1024);
  w.out += '{';
  w.key("device_memory", true);
  w.out += '[';
  for (size_t k = 0; k < t.device_memory.size(); ++k) {
    if (k) w.out += ',';
    memory_text(w, t.device_memory[k], t);
  }
  w.out += ']';
  w.key("format"), w.str(std::string(kTraceFormat));
  w.key("layers");
  w.out += '[';
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const TraceLayer& l = t.layers[i];
    if (i) w.out += ',';
    w.out += '{';
    w.key("chunks", true);
    w.out += '[';
    for (size_t a = 0; a < l.chunks.size(); ++a) {
      if (a) w.out += ',';
      w.nums(l.chunks[a]);
    }
    w.out += ']';
    w.key("dtype"), w.str(l.dtype);
    w.key("group"), w.str(l.group);
    w.key("id"), w.str(l.id);
    w.key("inputs"), w.strs(l.inputs);
    w.key("inserted"), w.out += l.inserted ? "true" : "false";
    w.key("kind"), w.str(l.kind);
    w.key("name"), w.str(l.name);
    w.key("op"), w.str(l.op);
    w.key("params"), w.out += l.params.dump();
    w.key("pushed_into");
    if (l.pushed_into.empty())
      w.out += "null";
    else
      w.str(l.pushed_into);
    w.key("shape"), w.nums(l.shape);
    w.key("tasks"), w.num(l.tasks);
    w.out += '}';
  }
  w.out += ']';
  w.key("memory"), memory_text(w, t.memory, t);
  const TraceMeta& m = t.meta;
  w.key("meta");
  w.out += '{';
  w.key("device", true), w.str(m.device);
  w.key("error"), w.str(m.error);
  w.key("executor"), w.str(m.executor);
  w.key("extra"), w.out += m.file_extra().dump();
  w.key("memory_limit"), w.num(m.memory_limit);
  w.key("pipeline"), w.str(m.pipeline);
  w.key("start_time"), w.str(m.start_time);
  w.key("status"), w.str(m.status);
  w.key("threads"), w.num(m.threads);
  w.key("tool_version"), w.str(m.tool_version);
  w.key("wall_ns"), w.num(m.wall_ns);
  w.out += '}';
  if (!t.resources.empty()) {
    const TraceResources& r = t.resources;
    w.key("resources");
    w.out += '{';
    w.key("interval_ns", true), w.num(r.interval_ns);
    w.key("processes");
    w.out += '[';
    for (size_t k = 0; k < r.processes.size(); ++k) {
      const ResourceSeries& p = r.processes[k];
      if (k) w.out += ',';
      w.out += '{';
      w.key("cores", true), w.num(p.cores);
      w.key("cpu_percent"), w.out += json(p.cpu_percent).dump();  // nlohmann's number format
      w.key("process"), w.str(p.process);
      w.key("rss_bytes"), w.nums(p.rss_bytes);
      w.key("t_ns"), w.nums(p.t_ns);
      w.out += '}';
    }
    w.out += ']';
    w.key("workers_in_process"), w.out += r.workers_in_process ? "true" : "false";
    w.out += '}';
  }
  const TraceTasks& c = t.tasks;
  w.key("tasks");
  w.out += '{';
  w.key("bytes", true), w.nums(c.bytes);
  w.key("chunk"), w.nums(c.chunk);
  w.key("dep_index"), w.nums(c.dep_index);
  w.key("dep_offsets"), w.nums(c.dep_offsets);
  w.key("end_ns"), w.nums(c.end_ns);
  w.key("fused"), w.nums(c.fused);
  w.key("layer"), w.nums(c.layer);
  w.key("stage"), w.nums(c.stage);
  w.key("start_ns"), w.nums(c.start_ns);
  w.key("status"), w.nums(c.status);
  w.key("status_names"), w.out += R"(["not_run","done","failed","cancelled"])";
  w.key("worker"), w.nums(c.worker);
  w.out += '}';
  const TraceTransfers& x = t.transfers;
  w.key("transfers");
  w.out += '{';
  w.key("bytes", true), w.nums(x.bytes);
  w.key("device"), w.nums(x.device);
  w.key("end_ns"), w.nums(x.end_ns);
  w.key("start_ns"), w.nums(x.start_ns);
  w.key("task"), w.nums(x.task);
  w.key("to_device"), w.nums(x.to_device);
  w.out += '}';
  w.key("version"), w.num(kTraceVersion);
  w.out += '}';
  return std::move(w.out);
}

}  // namespace chunkscope
