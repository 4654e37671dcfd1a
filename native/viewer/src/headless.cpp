#include "headless.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>

#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/memory.hpp"
#include "chunkscope/viz/timeline.hpp"

namespace chunkscope::viewer {

namespace {

// CPU time of this process or thread in ms (the machine may be shared: wall time includes waiting).
double cpu_ms(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

nlohmann::json view_dump(const Document& doc) {
  nlohmann::json j;
  j["file"] = doc.name();
  if (!doc.ok()) {
    j["error"] = true;
    j["message"] = doc.error();  // the line the error panel shows
    return j;
  }
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array(), clusters = nlohmann::json::array();
  for (const auto& n : doc.graph().nodes) nodes.push_back(n.key);
  for (const auto& e : doc.graph().edges) edges.push_back(e.from + " -> " + e.to);
  for (const auto& c : doc.graph().clusters) clusters.push_back(c.key);
  j["graph"] = {{"nodes", nodes}, {"edges", edges}, {"clusters", clusters}, {"laid_out", doc.scene() != nullptr}};
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : doc.model().layers()) layers.push_back(l.id);
  j["layers"] = layers;
  // CUDA traces: the timeline's transfer lanes over the whole run, with the copies and bytes their
  // rects hold (absent for traces without transfers, so CPU dumps stay as they were).
  const viz::Model& m = doc.model();
  if (!m.transfer_lanes().empty()) {
    const viz::Timeline tl = viz::timeline(m, 0, std::max<std::int64_t>(m.trace().meta.wall_ns, 1), 1000.0);
    nlohmann::json lanes = nlohmann::json::array();
    for (size_t k = static_cast<size_t>(tl.task_lanes); k < tl.lanes.size(); ++k) {
      std::int64_t copies = 0, bytes = 0;
      for (const auto& r : tl.rects) {
        if (r.lane != static_cast<int>(k)) continue;
        copies += r.count;
        bytes += r.bytes;
      }
      lanes.push_back({{"name", tl.lanes[k]}, {"copies", copies}, {"bytes", bytes}});
    }
    j["timeline"] = {{"lanes", tl.lanes}, {"transfer_lanes", lanes}};
  }
  // Traces with GPU memory series: each device chart's name, peak, peak layer, limit and the highest
  // value of its curve over the whole run (absent otherwise, so CPU dumps stay as they were).
  if (!m.trace().device_memory.empty()) {
    const viz::MemoryView mv = viz::memory_view(m, 0, std::max<std::int64_t>(m.trace().meta.wall_ns, 1), 1000);
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& d : mv.devices)
      devices.push_back({{"device", d.device},
                         {"peak", d.peak},
                         {"peak_layer", d.peak_layer},
                         {"limit", d.limit},
                         {"curve_max", d.bytes.empty() ? 0.0 : *std::max_element(d.bytes.begin(), d.bytes.end())}});
    j["memory"] = {{"devices", devices}};
  }
  if (doc.selected_layer() >= 0) {
    viz::ChunkGrid g = viz::chunk_grid(doc.model(), doc.selected_layer(), doc.grid_color, doc.grid_fixed);
    j["selected"] = doc.model().layers()[static_cast<size_t>(doc.selected_layer())].id;
    j["grid"] = {{"grid", g.grid}, {"rows", g.rows}, {"cols", g.cols}};
  }
  if (!doc.frame.empty()) j["frame"] = doc.frame;  // what the last frame drew (screenshot mode)
  return j;
}

int run_bench(const std::string& path) {
  auto t = std::chrono::steady_clock::now();
  const double cpu0 = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
  auto doc = Document::open(path);
  if (!doc->ok()) {
    std::cerr << "chunkscope-view: " << doc->error() << "\n";
    return 2;
  }
  doc->wait_layout(false);  // the window shows the trace here; the analysis goes on in the background
  const double open_ms = ms_since(t), open_cpu_ms = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  doc->wait_layout();
  const double findings_ms = ms_since(t);
  const OpenTimes& ot = doc->open_times();
  const viz::Model& m = doc->model();
  const double width = 1200;
  const std::int64_t wall = std::max<std::int64_t>(m.trace().meta.wall_ns, 1);
  nlohmann::json zooms = nlohmann::json::array();
  double worst = 0, worst_cpu = 0;
  std::vector<double> all;
  for (double span = static_cast<double>(wall); span >= 1000; span /= 8) {
    double zmax = 0;
    std::size_t rects = 0;
    for (int pos = 0; pos < 5; ++pos) {
      std::int64_t t0 = static_cast<std::int64_t>((static_cast<double>(wall) - span) * pos / 4.0);
      auto s = std::chrono::steady_clock::now();
      const double c0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
      viz::Timeline tl = viz::timeline(m, t0, t0 + static_cast<std::int64_t>(span), width);
      viz::MemoryView mv = viz::memory_view(m, t0, t0 + static_cast<std::int64_t>(span), static_cast<int>(width));
      double ms = ms_since(s);
      worst_cpu = std::max(worst_cpu, cpu_ms(CLOCK_THREAD_CPUTIME_ID) - c0);
      rects = std::max(rects, tl.rects.size());
      zmax = std::max(zmax, ms);
      all.push_back(ms);
    }
    worst = std::max(worst, zmax);
    zooms.push_back({{"window_ns", span}, {"max_ms", zmax}, {"max_rects", rects}});
  }
  std::sort(all.begin(), all.end());
  // Opening the group or layer with the most tasks: the graph work of one click (one layout).
  auto s = std::chrono::steady_clock::now();
  int biggest = 0;
  for (const auto& l : m.layers())
    if (l.tasks > m.layers()[static_cast<size_t>(biggest)].tasks) biggest = l.layer;
  doc->select_layer(m.layers()[static_cast<size_t>(biggest)].id);
  doc->toggle_layer(m.layers()[static_cast<size_t>(biggest)].id);
  doc->wait_layout();
  const double expand_ms = ms_since(s);
  nlohmann::json out = {{"trace", path},
                        {"tasks", m.trace().tasks.size()},
                        {"layers", m.layers().size()},
                        {"open_ms", open_ms},
                        {"open_cpu_ms", open_cpu_ms},
                        {"frame_prep_max_cpu_ms", worst_cpu},
                        {"read_ms", ot.read_ms},
                        {"analyze_ms", ot.analyze_ms},
                        {"model_ms", ot.model_ms},
                        {"first_layout_ms", open_ms - ot.read_ms - ot.model_ms},
                        {"open_with_findings_ms", findings_ms},
                        {"frame_prep_max_ms", worst},
                        {"frame_prep_median_ms", all.empty() ? 0.0 : all[all.size() / 2]},
                        {"frames_measured", all.size()},
                        {"expand_biggest_layer_ms", expand_ms},
                        {"graph_nodes_after_expand", doc->graph().nodes.size()},
                        {"zooms", zooms}};
  std::cout << out.dump(1) << "\n";
  return 0;
}

}  // namespace chunkscope::viewer
