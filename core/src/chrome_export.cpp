// The Chrome trace-event export (Perfetto, chrome://tracing): tasks as complete events per worker,
// live memory as counters, dependencies as flow events. Format: docs/trace-format.md.
#include <algorithm>
#include <cstdint>
#include <string>

#include "chunkscope/core/trace_io.hpp"

namespace chunkscope {

using nlohmann::json;

json trace_to_chrome(const Trace& t, std::int64_t max_flows) {
  json events = json::array();
  const TraceTasks& c = t.tasks;
  int max_worker = -1;
  for (std::int64_t i = 0; i < c.size(); ++i) max_worker = std::max(max_worker, c.worker[i]);
  events.push_back({{"ph", "M"},
                    {"pid", 1},
                    {"tid", 0},
                    {"name", "process_name"},
                    {"args", {{"name", "chunkscope " + t.meta.pipeline}}}});
  for (int w = 0; w <= max_worker; ++w)
    events.push_back({{"ph", "M"},
                      {"pid", 1},
                      {"tid", w},
                      {"name", "thread_name"},
                      {"args", {{"name", "worker " + std::to_string(w)}}}});
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  for (std::int64_t i = 0; i < c.size(); ++i) {
    if (c.status[i] == 0 || c.worker[i] < 0) continue;
    const TraceLayer& l = t.layers[c.layer[i]];
    json args = {{"layer", l.id},
                 {"chunk", c.chunk[i]},
                 {"stage", c.stage[i]},
                 {"bytes", c.bytes[i]},
                 {"status", trace_status_name(c.status[i])},
                 {"task", i}};
    if (c.fused[i]) args["fused"] = true;
    events.push_back({{"ph", "X"},
                      {"pid", 1},
                      {"tid", c.worker[i]},
                      {"name", l.name},
                      {"cat", l.op},
                      {"ts", us(c.start_ns[i])},
                      {"dur", us(c.end_ns[i] - c.start_ns[i])},
                      {"args", std::move(args)}});
  }
  auto counter = [&](const MemorySeries& m) {
    for (size_t k = 0; k < m.t_ns.size(); ++k)
      events.push_back({{"ph", "C"},
                        {"pid", 1},
                        {"tid", 0},
                        {"name", "live memory (" + m.device + ")"},
                        {"ts", us(m.t_ns[k])},
                        {"args", {{"bytes", m.live_bytes[k]}}}});
  };
  counter(t.memory);
  for (const auto& m : t.device_memory) counter(m);
  if (static_cast<std::int64_t>(c.dep_index.size()) <= max_flows) {
    std::int64_t id = 0;
    for (std::int64_t i = 0; i < c.size(); ++i) {
      if (c.status[i] == 0 || c.worker[i] < 0) continue;
      for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) {
        const auto d = c.dep_index[e];
        if (c.status[d] == 0 || c.worker[d] < 0) continue;
        ++id;
        events.push_back({{"ph", "s"},
                          {"pid", 1},
                          {"tid", c.worker[d]},
                          {"name", "dep"},
                          {"cat", "dependency"},
                          {"id", id},
                          {"ts", us(c.end_ns[d])}});
        events.push_back({{"ph", "f"},
                          {"bp", "e"},
                          {"pid", 1},
                          {"tid", c.worker[i]},
                          {"name", "dep"},
                          {"cat", "dependency"},
                          {"id", id},
                          {"ts", us(c.start_ns[i])}});
      }
    }
  }
  return {
      {"traceEvents", std::move(events)},
      {"displayTimeUnit", "ns"},
      {"otherData",
       {{"pipeline", t.meta.pipeline}, {"executor", t.meta.executor}, {"tool", "chunkscope " + t.meta.tool_version}}}};
}

}  // namespace chunkscope
