#include "chunkscope/core/trace_io.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>

#include "trace_columns.hpp"
#include "trace_reader.hpp"

namespace chunkscope {
namespace {

using nlohmann::json;

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

/// Reads a document with `reader`; a fault becomes the failed Result.
Result<Trace> convert_doc(const detail::TraceReader& reader, const json& doc, const std::string& name,
                          detail::TraceReader::LayerSink* streamed) {
  try {
    return reader.read(doc, streamed);
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

Result<Trace> trace_from_json(const json& doc, const std::string& name) {
  return convert_doc(detail::TraceReader(name), doc, name, nullptr);
}

// write_trace_json: trace_json_text.cpp (the same text, without the document).

std::string write_trace_cbor(const Trace& t) {
  const std::vector<std::uint8_t> v = json::to_cbor(trace_to_json(t));
  return std::string(v.begin(), v.end());
}

bool is_cbor_path(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".cbor") == 0;
}

namespace {

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
  const detail::TraceReader reader(name, &cd.columns);
  detail::TraceReader::LayerSink layers(reader);
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
  return convert_doc(reader, cd.doc, name, &layers);
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
  const detail::TraceReader reader(name, &cd.columns);
  detail::TraceReader::LayerSink layers(reader);
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
  return convert_doc(reader, cd.doc, name, &layers);
}

}  // namespace chunkscope
