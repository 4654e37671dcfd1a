// parse_layout: Graphviz `-Tjson` output -> Scene. Every field is checked; nothing trusted.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "chunkscope/viz/layout.hpp"
#include "chunkscope/viz/palette.hpp"

namespace chunkscope::viz {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw LayoutError("layout: " + where + ": " + what);
}

// A number from a JSON number or a numeric string; finite only.
double number(const json& v, const std::string& where) {
  double d = 0;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) fail(where, "expected a number, got \"" + s.substr(0, 40) + "\"");
  } else {
    fail(where, "expected a number");
  }
  if (!std::isfinite(d)) fail(where, "not a finite number");
  return d;
}

// Splits "a,b,c" into numbers; `count` of them exactly (0 = any).
std::vector<double> numbers(std::string_view s, char sep, size_t count, const std::string& where) {
  std::vector<double> out;
  size_t i = 0;
  while (i <= s.size()) {
    const size_t j = std::min(s.find(sep, i), s.size());
    out.push_back(number(json(std::string(s.substr(i, j - i))), where));
    i = j + 1;
  }
  if (count && out.size() != count) fail(where, "expected " + std::to_string(count) + " numbers");
  return out;
}

const std::string& string_field(const json& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end()) fail(where + "." + key, "missing");
  if (!it->is_string()) fail(where + "." + key, "expected a string");
  return it->get_ref<const std::string&>();
}

struct Box {
  double x0, y0, x1, y1;
};

Box box(const json& obj, const std::string& where) {
  const auto v = numbers(string_field(obj, "bb", where), ',', 4, where + ".bb");
  return {v[0], v[1], v[2], v[3]};
}

// "e,x,y s,x,y x0,y0 x1,y1 ..." (the first spline when several are separated by ';').
void edge_points(const std::string& pos, double top, SceneEdge& e, const std::string& where) {
  std::string_view s(pos);
  s = s.substr(0, std::min(s.find(';'), s.size()));
  size_t i = 0;
  while (i < s.size()) {
    const size_t j = std::min(s.find(' ', i), s.size());
    std::string_view tok = s.substr(i, j - i);
    i = j + 1;
    if (tok.empty()) continue;
    const bool end_mark = tok.rfind("e,", 0) == 0, start_mark = tok.rfind("s,", 0) == 0;
    if (end_mark || start_mark) tok.remove_prefix(2);
    const auto v = numbers(tok, ',', 2, where + ".pos");
    const Point p{v[0], top - v[1]};
    if (end_mark)
      e.arrow = p;
    else if (!start_mark)
      e.points.push_back(p);
  }
  if (e.points.size() < 2) fail(where + ".pos", "fewer than 2 spline points");
}

}  // namespace

Scene parse_layout(std::string_view graphviz_json, const VisibleGraph& g) {
  json doc;
  try {
    doc = json::parse(graphviz_json.begin(), graphviz_json.end());
  } catch (const json::exception& e) {
    fail("json", std::string(e.what()).substr(0, 200));
  }
  if (!doc.is_object()) fail("json", "expected an object");
  const Box bb = box(doc, "graph");
  if (bb.x1 < bb.x0 || bb.y1 < bb.y0) fail("graph.bb", "negative size");
  Scene scene;
  scene.width = bb.x1 - bb.x0;
  scene.height = bb.y1 - bb.y0;
  const double top = bb.y1;

  // Objects: clusters (with "bb") and nodes (with "pos"), by name; edges refer to their index.
  std::unordered_map<std::string, const json*> node_obj;
  std::unordered_map<std::string, Box> cluster_box;
  std::vector<std::string> names;
  if (const auto it = doc.find("objects"); it != doc.end()) {
    if (!it->is_array()) fail("objects", "expected an array");
    for (size_t k = 0; k < it->size(); ++k) {
      const json& o = (*it)[k];
      const std::string where = "objects[" + std::to_string(k) + "]";
      if (!o.is_object()) fail(where, "expected an object");
      const std::string& name = string_field(o, "name", where);
      names.push_back(name);
      if (o.contains("pos"))
        node_obj[name] = &o;
      else if (o.contains("bb"))
        cluster_box[name] = box(o, where);
    }
  }
  std::unordered_map<std::string, size_t> node_index;
  for (const Cluster& c : g.clusters) {
    const auto it = cluster_box.find(c.key);
    if (it == cluster_box.end()) continue;  // an empty cluster is not laid out
    const Box b = it->second;
    scene.clusters.push_back({c.key, c.label, b.x0, top - b.y1, b.x1 - b.x0, b.y1 - b.y0});
  }
  for (const VNode& n : g.nodes) {
    const auto it = node_obj.find(n.key);
    if (it == node_obj.end()) fail("objects", "node \"" + n.key.substr(0, 80) + "\" missing from the layout");
    const json& o = *it->second;
    const std::string where = "node \"" + n.key.substr(0, 80) + "\"";
    const auto p = numbers(string_field(o, "pos", where), ',', 2, where + ".pos");
    const double w = number(o.contains("width") ? o["width"] : json(), where + ".width") * 72.0;
    const double h = number(o.contains("height") ? o["height"] : json(), where + ".height") * 72.0;
    if (w < 0 || h < 0) fail(where, "negative size");
    SceneNode s;
    s.key = n.key, s.kind = n.kind, s.x = p[0], s.y = top - p[1], s.w = w, s.h = h, s.label = n.label;
    s.fill = n.fill, s.stroke = n.selected ? "#111827" : severity_color(n.severity);
    s.stroke_width = n.selected ? 3.0 : n.severity >= 1 ? 2.0 : 1.0;
    s.severity = n.severity, s.badge = n.badge, s.selected = n.selected, s.matched = n.matched;
    s.layer = n.layer, s.task = n.task;
    node_index[n.key] = scene.nodes.size();
    scene.nodes.push_back(std::move(s));
  }

  // Edges by (tail name, head name).
  std::map<std::pair<std::string, std::string>, const json*> edge_obj;
  if (const auto it = doc.find("edges"); it != doc.end()) {
    if (!it->is_array()) fail("edges", "expected an array");
    for (size_t k = 0; k < it->size(); ++k) {
      const json& e = (*it)[k];
      const std::string where = "edges[" + std::to_string(k) + "]";
      if (!e.is_object()) fail(where, "expected an object");
      auto end_name = [&](const char* key) -> const std::string& {
        const auto f = e.find(key);
        if (f == e.end() || !f->is_number_integer()) fail(where + "." + key, "expected an object index");
        const auto idx = f->get<std::int64_t>();
        if (idx < 0 || static_cast<std::uint64_t>(idx) >= names.size()) fail(where + "." + key, "index out of range");
        return names[static_cast<size_t>(idx)];
      };
      edge_obj[{end_name("tail"), end_name("head")}] = &e;
    }
  }
  for (const VEdge& ve : g.edges) {
    const auto it = edge_obj.find({ve.from, ve.to});
    const std::string where = "edge \"" + ve.from.substr(0, 60) + "\" -> \"" + ve.to.substr(0, 60) + "\"";
    if (it == edge_obj.end()) fail("edges", where + " missing from the layout");
    const json& e = *it->second;
    SceneEdge s;
    s.from = ve.from, s.to = ve.to, s.label = ve.label, s.rechunk = ve.rechunk, s.count = ve.count;
    edge_points(string_field(e, "pos", where), top, s, where);
    if (e.contains("lp")) {
      const auto lp = numbers(string_field(e, "lp", where), ',', 2, where + ".lp");
      s.label_pos = {lp[0], top - lp[1]};
    } else {
      const Point& mid = s.points[s.points.size() / 2];
      s.label_pos = mid;
    }
    s.color = ve.rechunk ? "#d97706" : "#9ca3af";
    s.width = std::min(4.0, 1.0 + std::log2(static_cast<double>(std::max(1, ve.count))) / 2);
    scene.edges.push_back(std::move(s));
  }
  return scene;
}

}  // namespace chunkscope::viz
