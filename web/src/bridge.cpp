// The WebAssembly bridge: the only file that includes emscripten headers (STYLE.md rule 6).
//
// One Session holds a loaded trace (core) and its view model (viz). Every call takes and returns
// JSON text, so the JavaScript side stays a thin drawer: it sends the view state, gets DOT to lay
// out (in a Web Worker, with Graphviz compiled to WebAssembly), and hands Graphviz's JSON back to
// scene(), which is the same parse_layout() the native viewer uses. Errors become JS Errors whose
// message is the one-line message core/viz produce.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <nlohmann/json.hpp>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/dot.hpp"
#include "chunkscope/viz/json.hpp"
#include "chunkscope/viz/layout.hpp"
#include "chunkscope/viz/legend.hpp"
#include "chunkscope/viz/memory.hpp"
#include "chunkscope/viz/memory_stack.hpp"
#include "chunkscope/viz/model.hpp"
#include "chunkscope/viz/palette.hpp"
#include "chunkscope/viz/range_summary.hpp"
#include "chunkscope/viz/resources.hpp"
#include "chunkscope/viz/timeline.hpp"
#include "chunkscope/viz/view.hpp"

namespace {

using nlohmann::json;
using namespace chunkscope;

/// A legend (viz/legend.hpp) as JSON: {title, ramp, note, entries: [{color, label}]}.
json legend_json(const viz::Legend& l) {
  json entries = json::array();
  for (const auto& e : l.entries) entries.push_back({{"color", e.color}, {"label", e.label}});
  return {{"title", l.title}, {"ramp", l.ramp}, {"note", l.note}, {"entries", std::move(entries)}};
}

[[noreturn]] void throw_js(const std::string& msg) { emscripten::val::global("Error").new_(msg).throw_(); }

viz::ViewState parse_state(const std::string& text) {
  viz::ViewState v;
  const json j = json::parse(text.empty() ? "{}" : text);
  if (j.contains("expanded_groups"))
    for (const auto& g : j["expanded_groups"]) v.expanded_groups.insert(g.get<std::string>());
  if (j.contains("expanded_layers"))
    for (const auto& l : j["expanded_layers"]) v.expanded_layers.insert(l.get<std::string>());
  if (j.contains("color_by")) {
    if (auto c = viz::parse_color_by(j["color_by"].get<std::string>())) v.color_by = *c;
  }
  if (j.contains("selected")) v.selected = j["selected"].get<std::string>();
  if (j.contains("search")) v.search = j["search"].get<std::string>();
  return v;
}

class Session {
 public:
  /// Loads a trace from bytes in the module's memory (compact, CBOR or JSON); returns the model
  /// summary (layers, groups, findings, meta) as JSON.
  std::string load(std::uintptr_t ptr, std::size_t len, const std::string& name) {
    return load_with(ptr, len, name, "");
  }

  /// As load(), with the findings already computed (findings_to_json text, e.g. by `chunkscope
  /// serve` natively): the page then skips the analysis, the slowest part of opening a big trace.
  std::string load_with(std::uintptr_t ptr, std::size_t len, const std::string& name, const std::string& findings) {
    const std::string bytes(reinterpret_cast<const char*>(ptr), len);
    auto t = read_trace_bytes(bytes, name);
    if (!t) throw_js(t.error());
    try {
      Findings f = findings.empty() ? analyze(*t) : findings_from_json(json::parse(findings));
      model_ = std::make_unique<viz::Model>(std::move(*t), std::move(f));
      graph_.reset();
      grid_.reset();
      json summary = viz::model_summary(*model_);
      // Layer colours of the timeline (by layer, or by group / op when there are more layers than
      // hues) and their legend, from viz::timeline_colors.
      const viz::LayerColors colors = viz::timeline_colors(*model_);
      for (size_t i = 0; i < summary["layers"].size() && i < colors.color.size(); ++i) {
        summary["layers"][i]["color"] = colors.color[i];
        summary["layers"][i]["color_key"] = colors.key[i];
      }
      summary["layer_colors"] = legend_json(colors.legend);
      summary["layer_colors"]["by"] = colors.by;
      // When the first task began: a leading gap (e.g. Dask building its graph) is not task time.
      const TraceTasks& c = model_->trace().tasks;
      std::int64_t first = -1;
      for (std::int64_t i = 0; i < c.size(); ++i)
        if (c.worker[i] >= 0 && (first < 0 || c.start_ns[i] < first)) first = c.start_ns[i];
      summary["first_task_ns"] = first;
      // Per layer, for the layer list: dtype, the chunk sizes per axis (up to 256 per axis, else
      // null: the picture is drawn regular), and whether its tasks ran, failed or never ran.
      const size_t n_layers = model_->trace().layers.size();
      std::vector<int> ran(n_layers, 0), failed(n_layers, 0);
      for (std::int64_t i = 0; i < c.size(); ++i) {
        const auto l = static_cast<size_t>(c.layer[i]);
        if (l >= ran.size()) continue;
        const std::string st = trace_status_name(c.status[i]);
        if (st == "failed") failed[l] = 1;
        if (st == "done" || st == "failed") ran[l] = 1;
      }
      const auto& tl = model_->trace().layers;
      // A plan document (chunkscope.dask.plan(...).save()): nothing ran, every layer is planned.
      const bool plan = model_->trace().meta.status == "plan";
      for (size_t i = 0; i < summary["layers"].size() && i < tl.size(); ++i) {
        json& l = summary["layers"][i];
        l["dtype"] = tl[i].dtype;
        json sizes = json::array();
        for (const auto& axis : tl[i].chunks) sizes.push_back(axis.size() <= 256 ? json(axis) : json(nullptr));
        l["chunk_sizes"] = std::move(sizes);
        // "fused": its work ran inside another layer's tasks (viz Model's fused_into), not "not run".
        const bool fused = l.contains("fused_into") && l["fused_into"].is_string() &&
                           !l["fused_into"].get<std::string>().empty() && !ran[i];
        l["run_state"] = plan                                  ? "planned"
                         : failed[i]                           ? "failed"
                         : ran[i]                              ? "ran"
                         : fused                               ? "fused"
                         : l["tasks"].get<std::int64_t>() == 0 ? "no tasks"
                                                               : "not run";
      }
      summary["meta"]["error"] = model_->trace().meta.error;
      if (plan) {  // the planner's totals for the header (docs/trace-format.md, "Plan documents")
        const json& e = model_->trace().meta.extra;
        const json p = e.is_object() && e.contains("plan") && e["plan"].is_object() ? e["plan"] : json::object();
        summary["meta"]["plan_tasks"] = p.contains("tasks") && p["tasks"].is_number() ? p["tasks"] : json(nullptr);
        summary["meta"]["plan_peak_bytes"] = p.contains("peak_bytes_estimate") && p["peak_bytes_estimate"].is_number()
                                                 ? p["peak_bytes_estimate"]
                                                 : json(nullptr);
      }
      // Graph order for the layer list: inputs before the layers that read them (stable by index).
      std::map<std::string, size_t> index;
      for (size_t i = 0; i < tl.size(); ++i) index.emplace(tl[i].id, i);
      std::vector<std::vector<size_t>> readers(tl.size());
      std::vector<int> pending(tl.size(), 0);
      for (size_t i = 0; i < tl.size(); ++i)
        for (const auto& in : tl[i].inputs)
          if (auto it = index.find(in); it != index.end() && it->second != i) {
            readers[it->second].push_back(i);
            ++pending[i];
          }
      std::set<size_t> ready;
      for (size_t i = 0; i < tl.size(); ++i)
        if (!pending[i]) ready.insert(i);
      json order = json::array();
      while (!ready.empty()) {
        const size_t i = *ready.begin();
        ready.erase(ready.begin());
        order.push_back(i);
        for (size_t r : readers[i])
          if (--pending[r] == 0) ready.insert(r);
      }
      for (size_t i = 0; i < tl.size(); ++i)
        if (pending[i] > 0) order.push_back(i);  // a cycle (a malformed trace): in trace order
      summary["graph_order"] = std::move(order);
      return summary.dump();
    } catch (const std::exception& e) {
      throw_js(name + ": " + e.what());
    }
  }

  /// The visible graph for a view state: {"dot": ..., "graph": ...}; kept for scene().
  std::string graph(const std::string& state) {
    const viz::Model& m = model();
    try {
      const viz::ViewState v = parse_state(state);
      graph_ = std::make_unique<viz::VisibleGraph>(viz::visible_graph(m, v));
      const json out = {{"dot", viz::to_dot(*graph_)},
                        {"graph", viz::to_json(*graph_)},
                        {"legend", legend_json(viz::graph_legend(m, *graph_, v.color_by))}};
      return out.dump();
    } catch (const std::exception& e) {
      throw_js(std::string("view state: ") + e.what());
    }
  }

  /// As graph(), with extra label lines on layer nodes (the compare view's changes per layer):
  /// `notes` is {"<layer index>": ["32×32 → 1024×4096", "time -64% · mem >1000×"]}. The lines are
  /// part of the DOT, so Graphviz sizes the boxes for them; scene() returns them as label lines.
  std::string annotated_graph(const std::string& state, const std::string& notes) {
    const viz::Model& m = model();
    try {
      const viz::ViewState v = parse_state(state);
      graph_ = std::make_unique<viz::VisibleGraph>(viz::visible_graph(m, v));
      const json n = json::parse(notes.empty() ? "{}" : notes);
      for (auto& node : graph_->nodes)
        if (node.kind == viz::VNode::Kind::Layer && node.layer >= 0)
          if (auto it = n.find(std::to_string(node.layer)); it != n.end())
            for (const auto& line : *it) node.label.push_back(line.get<std::string>());
      const json out = {{"dot", viz::to_dot(*graph_)},
                        {"graph", viz::to_json(*graph_)},
                        {"legend", legend_json(viz::graph_legend(m, *graph_, v.color_by))}};
      return out.dump();
    } catch (const std::exception& e) {
      throw_js(std::string("annotated graph: ") + e.what());
    }
  }

  /// The Scene of the last graph() from Graphviz's -Tjson output.
  std::string scene(const std::string& layout_json) {
    if (!graph_) throw_js("scene() needs graph() first");
    try {
      return viz::to_json(viz::parse_layout(layout_json, *graph_)).dump();
    } catch (const std::exception& e) {
      throw_js(std::string("layout: ") + e.what());
    }
  }

  std::string timeline(double t0, double t1, double width) {
    return viz::to_json(viz::timeline(model(), static_cast<std::int64_t>(t0), static_cast<std::int64_t>(t1), width))
        .dump();
  }

  /// The memory charts of a time window; each curve carries its scale ({drawn, top, note}: the
  /// limit-on-scale rule of viz/legend.hpp over the values shown).
  std::string memory(double t0, double t1, int width) {
    json j =
        viz::to_json(viz::memory_view(model(), static_cast<std::int64_t>(t0), static_cast<std::int64_t>(t1), width));
    auto add_scale = [](json& c) {
      double hi = 0;
      for (const auto& b : c["bytes"]) hi = std::max(hi, b.get<double>());
      const viz::LimitScale s = viz::limit_on_scale(c["limit"].get<std::int64_t>(), hi, c["peak"].get<std::int64_t>());
      c["scale"] = {{"drawn", s.drawn}, {"top", s.top}, {"note", s.note}};
    };
    add_scale(j);
    if (j.contains("devices"))
      for (auto& d : j["devices"]) add_scale(d);
    return j.dump();
  }

  /// Memory by layer over a time window (viz::memory_stack, docs/viz.md "Memory by layer"): {by,
  /// note, t_ns, at_ns, total, bands: [{label, color, layers, peak_bytes, bytes}], limit, peak,
  /// peak_t, scale: {drawn, top, note}}; per column the bands' bytes sum to total.
  std::string memory_stack(double t0, double t1, int width) {
    const viz::MemoryStack s =
        viz::memory_stack(model(), static_cast<std::int64_t>(t0), static_cast<std::int64_t>(t1), width);
    json j = viz::to_json(s);
    double hi = 0;
    for (double b : s.total) hi = std::max(hi, b);
    const viz::LimitScale ls = viz::limit_on_scale(s.limit, hi, s.peak);
    j["scale"] = {{"drawn", ls.drawn}, {"top", ls.top}, {"note", ls.note}};
    return j.dump();
  }

  /// Process resources over a time window (viz::resource_view, docs/viz.md "Process resources"),
  /// on memory()'s columns: {t_ns, processes: [{process, rss, cpu_percent, cores, rss_peak}], rss,
  /// cpu_percent, cores, unmanaged, unmanaged_note, rss_peak}, null where not sampled; "{}" when the
  /// trace has no resources (hide the RSS line and the CPU strip).
  std::string resources(double t0, double t1, int width) {
    const viz::ResourceView r =
        viz::resource_view(model(), static_cast<std::int64_t>(t0), static_cast<std::int64_t>(t1), width);
    return r.empty() ? std::string("{}") : viz::to_json(r).dump();
  }

  /// The summary of a brushed window (viz::range_summary): {t0, t1, tasks, memory_min, memory_max,
  /// layers: [{layer, id, busy_ns, tasks}] busiest first, workers: [{worker, busy_ns, idle_ns, task_ns, tasks}]}:
  /// busy_ns is the union of the worker's tasks in the window (never above it), task_ns their summed time (more when
  /// they overlap).
  std::string range_summary(double t0, double t1) {
    const viz::Model& m = model();
    const viz::RangeSummary r = viz::range_summary(m, static_cast<std::int64_t>(t0), static_cast<std::int64_t>(t1));
    json layers = json::array(), workers = json::array();
    for (const auto& l : r.layers)
      layers.push_back({{"layer", l.layer},
                        {"id", m.layers()[static_cast<size_t>(l.layer)].id},
                        {"busy_ns", l.busy_ns},
                        {"tasks", l.tasks}});
    for (const auto& w : r.workers)
      workers.push_back({{"worker", w.worker},
                         {"busy_ns", w.busy_ns},
                         {"idle_ns", w.idle_ns},
                         {"task_ns", w.task_ns},
                         {"tasks", w.tasks}});
    return json{{"t0", r.t0_ns},
                {"t1", r.t1_ns},
                {"tasks", r.tasks},
                {"memory_min", r.memory_min},
                {"memory_max", r.memory_max},
                {"layers", layers},
                {"workers", workers}}
        .dump();
  }

  std::string chunk_grid(int layer, const std::string& color, const std::string& fixed) {
    return viz::to_json(grid_for(layer, color, fixed)).dump();
  }

  /// The chunk grid as pixels: a JSON header line ({rows, cols, grid, row_axis, col_axis, fixed,
  /// vmin, vmax}), a newline, then rows*cols colours as "rrggbb" ("------" where no task). A
  /// 500,000-chunk layer is ~3 MB of text instead of ~25 MB of JSON. The grid is kept for grid_task().
  std::string chunk_grid_pixels(int layer, const std::string& color, const std::string& fixed) {
    const viz::ChunkGrid& g = grid_for(layer, color, fixed);
    json head = viz::to_json(g);
    for (const char* k : {"values", "task", "colors"}) head.erase(k);
    const viz::GridScale scale = viz::grid_scale(g, grid_color_);
    head["scale"] = {
        {"true_min", scale.true_min}, {"true_max", scale.true_max},         {"lo", scale.lo}, {"hi", scale.hi},
        {"clipped", scale.clipped},   {"legend", legend_json(scale.legend)}};
    std::string out = head.dump();
    out += '\n';
    out.reserve(out.size() + g.colors.size() * 6);
    for (const auto& c : g.colors) out += c.size() == 7 ? c.substr(1) : std::string("------");
    return out;
  }

  /// The task of one cell of the grid chunk_grid_pixels() last made for this layer/colour/slice; -1 for none.
  double grid_task(int layer, const std::string& color, const std::string& fixed, int row, int col) {
    const viz::ChunkGrid& g = grid_for(layer, color, fixed);
    if (row < 0 || col < 0 || row >= g.rows || col >= g.cols) return -1;
    return static_cast<double>(
        g.task[static_cast<size_t>(row) * static_cast<size_t>(g.cols) + static_cast<size_t>(col)]);
  }

  std::string task_info(double task) {
    const viz::Model& m = model();
    if (!(task >= 0) || task >= static_cast<double>(m.trace().tasks.size()))
      throw_js("no task " + std::to_string(task));
    return viz::to_json(viz::task_info(m, static_cast<std::int64_t>(task))).dump();
  }

  /// Tooltip facts of a host<->device copy (a timeline rect's `transfer`).
  std::string transfer_info(double transfer) {
    const viz::Model& m = model();
    if (!(transfer >= 0) || transfer >= static_cast<double>(m.trace().transfers.size()))
      throw_js("no transfer " + std::to_string(transfer));
    return viz::to_json(viz::transfer_info(m, static_cast<std::int64_t>(transfer))).dump();
  }

 private:
  const viz::Model& model() const {
    if (!model_) throw_js("no trace is loaded");
    return *model_;
  }
  const viz::ChunkGrid& grid_for(int layer, const std::string& color, const std::string& fixed) {
    const viz::Model& m = model();
    if (layer < 0 || layer >= static_cast<int>(m.layers().size()))
      throw_js("chunk grid: no layer " + std::to_string(layer));
    const std::string key = std::to_string(layer) + "|" + color + "|" + fixed;
    if (grid_ && key == grid_key_) return *grid_;
    viz::GridColor c = viz::GridColor::Duration;
    if (color == "bytes")
      c = viz::GridColor::Bytes;
    else if (color == "worker")
      c = viz::GridColor::Worker;
    else if (color == "start")
      c = viz::GridColor::Start;
    std::vector<std::int64_t> fx;
    try {
      for (const auto& x : json::parse(fixed.empty() ? "[]" : fixed)) fx.push_back(x.get<std::int64_t>());
      grid_ = std::make_unique<viz::ChunkGrid>(viz::chunk_grid(m, layer, c, fx));
      grid_color_ = c;
    } catch (const std::exception& e) {
      throw_js(std::string("chunk grid: ") + e.what());
    }
    grid_key_ = key;
    return *grid_;
  }
  std::unique_ptr<viz::ChunkGrid> grid_;
  std::string grid_key_;
  viz::GridColor grid_color_ = viz::GridColor::Duration;
  std::unique_ptr<viz::Model> model_;
  std::unique_ptr<viz::VisibleGraph> graph_;
};

// The version the module was built from (web/CMakeLists.txt passes it to this file only), for the
// page's "about" line.
#ifndef CHUNKSCOPE_VERSION
#define CHUNKSCOPE_VERSION "unknown"
#endif
std::string version() { return CHUNKSCOPE_VERSION; }

}  // namespace

EMSCRIPTEN_BINDINGS(chunkscope) {
  emscripten::function("version", &version);
  emscripten::class_<Session>("Session")
      .constructor<>()
      .function("load", &Session::load)
      .function("loadWithFindings", &Session::load_with)
      .function("graph", &Session::graph)
      .function("scene", &Session::scene)
      .function("timeline", &Session::timeline)
      .function("memory", &Session::memory)
      .function("memoryStack", &Session::memory_stack)
      .function("resources", &Session::resources)
      .function("rangeSummary", &Session::range_summary)
      .function("chunkGrid", &Session::chunk_grid)
      .function("chunkGridPixels", &Session::chunk_grid_pixels)
      .function("gridTask", &Session::grid_task)
      .function("taskInfo", &Session::task_info)
      .function("transferInfo", &Session::transfer_info)
      .function("annotatedGraph", &Session::annotated_graph);
}
