// JSON of the view structs (field names = member names).
#include "chunkscope/viz/json.hpp"

#include <cmath>

namespace chunkscope::viz {
namespace {

using nlohmann::json;

json point(const Point& p) { return json::array({p.x, p.y}); }

}  // namespace

const char* node_kind_name(VNode::Kind k) {
  switch (k) {
    case VNode::Kind::Group: return "group";
    case VNode::Kind::Layer: return "layer";
    case VNode::Kind::Task: return "task";
    case VNode::Kind::Heatmap: return "heatmap";
  }
  return "?";
}

json to_json(const Scene& s) {
  json j{{"width", s.width},
         {"height", s.height},
         {"clusters", json::array()},
         {"nodes", json::array()},
         {"edges", json::array()}};
  for (const auto& c : s.clusters)
    j["clusters"].push_back({{"key", c.key}, {"label", c.label}, {"x", c.x}, {"y", c.y}, {"w", c.w}, {"h", c.h}});
  for (const auto& n : s.nodes)
    j["nodes"].push_back({{"key", n.key},
                          {"kind", node_kind_name(n.kind)},
                          {"x", n.x},
                          {"y", n.y},
                          {"w", n.w},
                          {"h", n.h},
                          {"label", n.label},
                          {"fill", n.fill},
                          {"stroke", n.stroke},
                          {"stroke_width", n.stroke_width},
                          {"severity", n.severity},
                          {"badge", n.badge},
                          {"selected", n.selected},
                          {"matched", n.matched},
                          {"layer", n.layer},
                          {"task", n.task}});
  for (const auto& e : s.edges) {
    json pts = json::array();
    for (const auto& p : e.points) pts.push_back(point(p));
    j["edges"].push_back({{"from", e.from},
                          {"to", e.to},
                          {"points", pts},
                          {"arrow", e.arrow ? point(*e.arrow) : json()},
                          {"label", e.label},
                          {"label_pos", point(e.label_pos)},
                          {"color", e.color},
                          {"width", e.width},
                          {"rechunk", e.rechunk},
                          {"count", e.count}});
  }
  return j;
}

json to_json(const Timeline& t) {
  json rects = json::array();
  for (const auto& r : t.rects)
    rects.push_back({{"lane", r.lane},
                     {"x0", r.x0},
                     {"x1", r.x1},
                     {"layer", r.layer},
                     {"task", r.task},
                     {"count", r.count},
                     {"kind", rect_kind_name(r.kind)},
                     {"transfer", r.transfer},
                     {"bytes", r.bytes}});
  return {{"lanes", t.lanes}, {"task_lanes", t.task_lanes}, {"rects", rects}, {"t0", t.t0}, {"t1", t.t1}};
}

json to_json(const TransferInfo& t) {
  return {{"device", t.device}, {"to_device", t.to_device}, {"direction", t.direction},
          {"bytes", t.bytes},   {"start_ns", t.start_ns},   {"duration_ns", t.duration_ns},
          {"task", t.task},     {"layer", t.layer},         {"chunk_index", t.chunk_index}};
}

json to_json(const MemoryView& m) {
  json j{{"t_ns", m.t_ns}, {"bytes", m.bytes},   {"limit", m.limit},
         {"peak", m.peak}, {"peak_t", m.peak_t}, {"peak_layer", m.peak_layer}};
  if (m.devices.empty()) return j;  // CPU traces: the document is exactly what it was before devices
  json devices = json::array();
  for (const auto& d : m.devices)
    devices.push_back({{"device", d.device},
                       {"t_ns", d.t_ns},
                       {"bytes", d.bytes},
                       {"limit", d.limit},
                       {"peak", d.peak},
                       {"peak_t", d.peak_t},
                       {"peak_layer", d.peak_layer}});
  j["devices"] = std::move(devices);
  return j;
}

json to_json(const MemoryStack& s) {
  json bands = json::array();
  for (const auto& b : s.bands) {
    json ids = json::array();
    for (int l : b.layers) ids.push_back(l);
    bands.push_back(
        {{"label", b.label}, {"color", b.color}, {"layers", ids}, {"peak_bytes", b.peak_bytes}, {"bytes", b.bytes}});
  }
  return {{"by", s.by},     {"note", s.note},   {"t_ns", s.t_ns}, {"at_ns", s.at_ns},  {"total", s.total},
          {"bands", bands}, {"limit", s.limit}, {"peak", s.peak}, {"peak_t", s.peak_t}};
}

json to_json(const ResourceView& r) {
  auto nullable = [](const std::vector<double>& v) {
    json a = json::array();
    for (double x : v) a.push_back(std::isnan(x) ? json() : json(x));
    return a;
  };
  json processes = json::array();
  for (const auto& p : r.processes)
    processes.push_back({{"process", p.process},
                         {"rss", nullable(p.rss)},
                         {"cpu_percent", nullable(p.cpu_percent)},
                         {"cores", p.cores},
                         {"rss_peak", p.rss_peak}});
  return {{"t_ns", r.t_ns},
          {"processes", processes},
          {"rss", nullable(r.rss)},
          {"cpu_percent", nullable(r.cpu_percent)},
          {"cores", r.cores},
          {"unmanaged", nullable(r.unmanaged)},
          {"unmanaged_note", r.unmanaged_note},
          {"rss_peak", r.rss_peak}};
}

json to_json(const ChunkGrid& g) {
  json values = json::array();
  for (double v : g.values) values.push_back(std::isnan(v) ? json() : json(v));
  return {{"layer", g.layer}, {"grid", g.grid}, {"row_axis", g.row_axis}, {"col_axis", g.col_axis},
          {"fixed", g.fixed}, {"rows", g.rows}, {"cols", g.cols},         {"values", values},
          {"task", g.task},   {"vmin", g.vmin}, {"vmax", g.vmax},         {"colors", g.colors}};
}

json to_json(const TaskInfo& t) {
  return {{"layer", t.layer},
          {"chunk_index", t.chunk_index},
          {"chunk_shape", t.chunk_shape},
          {"bytes", t.bytes},
          {"duration_ns", t.duration_ns},
          {"start_ns", t.start_ns},
          {"worker", t.worker},
          {"stage", t.stage},
          {"fused", t.fused},
          {"status", t.status}};
}

json to_json(const VisibleGraph& g) {
  json j{{"nodes", json::array()}, {"edges", json::array()}, {"clusters", json::array()}};
  for (const auto& n : g.nodes)
    j["nodes"].push_back({{"kind", node_kind_name(n.kind)},
                          {"key", n.key},
                          {"cluster", n.cluster},
                          {"label", n.label},
                          {"value", n.value},
                          {"fill", n.fill},
                          {"severity", n.severity},
                          {"badge", n.badge},
                          {"selected", n.selected},
                          {"matched", n.matched},
                          {"layer", n.layer},
                          {"task", n.task},
                          {"group", n.group},
                          {"tasks", n.tasks},
                          {"busy_ns", n.busy_ns},
                          {"bytes", n.bytes},
                          {"peak_bytes", n.peak_bytes}});
  for (const auto& e : g.edges)
    j["edges"].push_back({{"from", e.from},
                          {"to", e.to},
                          {"label", e.label},
                          {"fan_in", e.fan_in},
                          {"rechunk", e.rechunk},
                          {"count", e.count}});
  for (const auto& c : g.clusters) j["clusters"].push_back({{"key", c.key}, {"label", c.label}, {"parent", c.parent}});
  return j;
}

json to_json(const LayerStats& l) {
  return {{"layer", l.layer},
          {"id", l.id},
          {"name", l.name},
          {"op", l.op},
          {"group", l.group},
          {"shape", l.shape},
          {"chunk_shape", l.chunk_shape},
          {"shape_text", l.shape_text},
          {"chunk_shape_text", l.chunk_shape_text},
          {"chunks", l.chunks},
          {"tasks", l.tasks},
          {"busy_ns", l.busy_ns},
          {"time_share", l.time_share},
          {"bytes_out", l.bytes_out},
          {"chunk_bytes", l.chunk_bytes},
          {"peak_held_bytes", l.peak_held_bytes},
          {"critical_ns", l.critical_ns},
          {"main_worker", l.main_worker},
          {"severity", l.severity},
          {"findings", l.findings},
          {"created_at", l.created_at},
          {"fused_into", l.fused_into}};
}

json model_summary(const Model& m) {
  json layers = json::array(), groups = json::array(), findings = json::array();
  for (const auto& l : m.layers()) layers.push_back(to_json(l));
  for (const auto& g : m.groups())
    groups.push_back(
        {{"path", g.path}, {"name", g.name}, {"parent", g.parent}, {"groups", g.groups}, {"layers", g.layers}});
  for (const Finding& f : m.findings()) {
    json ev = json::array();
    for (const auto& e : f.evidence)
      ev.push_back({{"name", e.name}, {"value", e.value}, {"unit", e.unit}, {"text", e.text}});
    findings.push_back({{"rule", f.rule},
                        {"severity", std::string(severity_name(f.severity))},
                        {"layers", f.layers},
                        {"message", f.message},
                        {"evidence", ev},
                        {"advice", f.advice},
                        {"edits", f.edits}});
  }
  const Trace& t = m.trace();
  const int pl = t.memory.peak_layer;
  json meta{
      {"pipeline", t.meta.pipeline},
      {"executor", t.meta.executor},
      {"threads", t.meta.threads},
      {"wall_ns", t.meta.wall_ns},
      {"status", t.meta.status},
      {"tasks", t.tasks.size()},
      {"peak_bytes", t.memory.peak_bytes},
      {"peak_layer", pl >= 0 && static_cast<size_t>(pl) < t.layers.size() ? t.layers[static_cast<size_t>(pl)].id : ""},
      {"memory_limit", t.meta.memory_limit}};
  return {{"layers", layers}, {"groups", groups}, {"findings", findings}, {"meta", meta}};
}

}  // namespace chunkscope::viz
