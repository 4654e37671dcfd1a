#include "chunkscope/core/trace.hpp"

#include "chunkscope/core/dtype.hpp"

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

}  // namespace chunkscope
