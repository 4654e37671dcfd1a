#include "app.hpp"

#include <imgui.h>

#include <algorithm>

#include "chunkscope/core/units.hpp"
#include "chunkscope/viz/format.hpp"

namespace chunkscope::viewer {

namespace {

constexpr ImGuiWindowFlags kFixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                    ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings;

// A fixed panel window at (x, y, w, h) titled `title`; returns whether to draw into it (always End()).
bool panel(const char* title, float x, float y, float w, float h, ImGuiWindowFlags extra = 0) {
  ImGui::SetNextWindowPos(ImVec2(x, y));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  return ImGui::Begin(title, nullptr, kFixed | extra);
}

}  // namespace

Document& App::open(const std::string& path) {
  docs_.push_back(Document::open(path));
  active_ = docs_.size() - 1;
  return *docs_.back();
}

void App::frame() {
  for (auto& d : docs_) {
    d->frame = nlohmann::json::object();  // the panels fill it (the dump's "frame")
    d->poll_findings();
    if (d->poll_layout() && d->center_on.empty()) d->camera.fit = true;
  }
  draw_bar();
  ImVec2 display = ImGui::GetIO().DisplaySize;
  const float top = 58;
  if (docs_.empty()) {
    if (panel("Welcome", 0, top, display.x, display.y - top)) {
      ImGui::TextUnformatted(
          "chunkscope-view: open a trace (File > Open, or drop .cstrace.json / .cstrace.cbor files here)");
      ImGui::TextDisabled("make one with: chunkscope run samples/pipelines/cells.json --trace cells.cstrace.json");
    }
    ImGui::End();
  } else if (compare && docs_.size() >= 2) {
    draw_compare(0, top, display.x, display.y - top);
  } else {
    Document& doc = *docs_[active_];
    if (doc.ok())
      draw_document(doc, 0, top, display.x, display.y - top);
    else
      draw_error(doc);
  }
  std::string chosen = dialog_.draw();
  if (!chosen.empty()) open(chosen);
}

void App::draw_bar() {
  ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(display.x, 58));
  ImGui::Begin("##bar", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_MenuBar);
  if (ImGui::BeginMenuBar()) {
    if (ImGui::BeginMenu("File")) {
      if (ImGui::MenuItem("Open...")) dialog_.open(docs_.empty() ? "." : docs_[active_]->path() + "/..");
      if (ImGui::MenuItem("Close", nullptr, false, !docs_.empty())) {
        docs_.erase(docs_.begin() + static_cast<std::ptrdiff_t>(active_));
        active_ = 0;
      }
      ImGui::EndMenu();
    }
    for (size_t i = 0; i < docs_.size(); ++i) {
      std::string label = std::string(i == 0   ? "A: "
                                      : i == 1 ? "B: "
                                               : "") +
                          docs_[i]->name() + "##tab" + std::to_string(i);
      if (ImGui::MenuItem(label.c_str(), nullptr, i == active_ && !compare)) {
        active_ = i;
        compare = false;
      }
    }
    if (docs_.size() >= 2) ImGui::MenuItem("Compare A|B", nullptr, &compare);
    ImGui::EndMenuBar();
  }
  if (!docs_.empty() && docs_[active_]->ok() && !compare) {
    Document& doc = *docs_[active_];
    const Trace& t = doc.model().trace();
    const char* modes[] = {"time", "memory", "tasks", "chunk-bytes", "worker", "critical", "findings"};
    int mode = static_cast<int>(doc.view.color_by);
    ImGui::SetNextItemWidth(120);
    if (ImGui::Combo("colour by", &mode, modes, 7)) {
      doc.view.color_by = static_cast<viz::ColorBy>(mode);
      doc.recolor();
    }
    ImGui::SameLine(0, 20);
    // The run's facts on one line, never wrapped: what does not fit is left out from the end.
    std::vector<std::pair<std::string, ImU32>> facts{
        {t.meta.pipeline, IM_COL32(235, 235, 240, 255)},
        {t.meta.status == "ok" ? "ok" : t.meta.status + (t.meta.error.empty() ? "" : ": " + t.meta.error),
         t.meta.status == "ok" ? IM_COL32(150, 210, 150, 255) : IM_COL32(239, 68, 68, 255)},
        {"wall " + viz::fmt_duration(static_cast<double>(t.meta.wall_ns)), 0},
        {viz::fmt_count(static_cast<std::int64_t>(t.tasks.size())) + " tasks", 0},
        {"peak " + viz::fmt_bytes(static_cast<double>(t.memory.peak_bytes)) + " (" +
             viz::fmt_limit(t.memory.limit_bytes > 0 ? t.memory.limit_bytes : t.meta.memory_limit) + ")",
         0},
        {viz::fmt_count(static_cast<std::int64_t>(doc.model().findings().size())) + " findings", 0},
        {t.meta.executor + ", " + std::to_string(t.meta.threads) + " workers", 0}};
    float room = ImGui::GetContentRegionAvail().x;
    for (size_t i = 0; i < facts.size(); ++i) {
      const std::string text = (i ? "· " : "") + facts[i].first;
      const float w = ImGui::CalcTextSize(text.c_str()).x + 8;
      if (w > room) break;
      if (i) ImGui::SameLine(0, 8);
      if (facts[i].second && i) ImGui::PushStyleColor(ImGuiCol_Text, facts[i].second);
      ImGui::TextUnformatted(text.c_str());
      if (facts[i].second && i) ImGui::PopStyleColor();
      room -= w;
    }
  } else if (docs_.size() >= 2 && compare) {
    ImGui::TextUnformatted("comparing A (before) and B (after): green = less time or memory in B");
  }
  ImGui::End();
}

void App::draw_document(Document& doc, float x, float y, float w, float h) {
  if (doc.axis_end_ns != 0) {  // back from compare: the run's own time axis
    doc.axis_end_ns = 0;
    doc.reset_window();
  }
  // Every panel fits the window (1280×720 shows graph, findings, timeline and memory whole).
  const float left = w * 0.44f, right = w - left, graph_h = h * 0.62f;
  auto report = [&](const char* name, float px, float py, float pw, float ph) {
    doc.frame["panels"][name] = {px, py, pw, ph};
  };
  if (panel("Graph  (click: select / open a group; double-click: tasks; drag, wheel; right-click: readable view)", x, y,
            left, graph_h, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse))
    graph_.draw(doc);
  ImGui::End();
  report("graph", x, y, left, graph_h);
  if (panel("Findings", x, y + graph_h, left, h - graph_h)) findings_.draw(doc);
  ImGui::End();
  report("findings", x, y + graph_h, left, h - graph_h);
  // The memory panel grows by a chart per GPU series (CUDA traces), taken from the chunk grid and layers.
  const float devices = static_cast<float>(std::min<size_t>(doc.model().trace().device_memory.size(), 2));
  // Process resources add the CPU strip under the host chart.
  const float cpu = doc.model().trace().resources.empty() ? 0.0f : 0.05f;
  const float tl_h = h * 0.32f, mem_h = h * (0.22f + cpu + 0.11f * devices), low = h - tl_h - mem_h,
              grid_w = right * 0.40f;
  if (panel("Timeline  (wheel: zoom, drag: pan, shift/right-drag: summary of a range, double-click: whole run)",
            x + left, y, right, tl_h, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse))
    timeline_.draw(doc);
  ImGui::End();
  report("timeline", x + left, y, right, tl_h);
  if (panel("Memory", x + left, y + tl_h, right, mem_h, ImGuiWindowFlags_NoScrollbar)) memory_.draw(doc);
  ImGui::End();
  report("memory", x + left, y + tl_h, right, mem_h);
  if (panel("Chunk grid", x + left, y + tl_h + mem_h, grid_w, low)) grid_.draw(doc);
  ImGui::End();
  report("chunk grid", x + left, y + tl_h + mem_h, grid_w, low);
  if (panel("Layers", x + left + grid_w, y + tl_h + mem_h, right - grid_w, low)) table_.draw(doc);
  ImGui::End();
  report("layers", x + left + grid_w, y + tl_h + mem_h, right - grid_w, low);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  doc.frame["display"] = {display.x, display.y};
}

void App::draw_compare(float x, float y, float w, float h) {
  Document& a = *docs_[0];
  Document& b = *docs_[1];
  Document* both[2] = {&a, &b};
  size_t gpus = 0;  // the memory panels grow by a chart per GPU series of either trace
  for (Document* d : both)
    if (d->ok()) gpus = std::max(gpus, d->model().trace().device_memory.size());
  bool resources = false;  // a CPU strip under the host chart of either run
  for (Document* d : both) resources = resources || (d->ok() && !d->model().trace().resources.empty());
  const float half = w / 2, tl_h = h * 0.30f,
              mem_h = h * (0.16f + (resources ? 0.06f : 0.0f) + 0.11f * static_cast<float>(std::min<size_t>(gpus, 2)));
  TimelinePanel* tls[2] = {&timeline_, &timeline_b_};
  MemoryPanel* mems[2] = {&memory_, &memory_b_};
  // One time axis for both runs: from 0 to the longer run's end, so the same x is the same time in
  // A and B (a faster B is visibly shorter); zooming, panning or brushing either moves both.
  std::int64_t axis = 1;
  for (Document* d : both)
    if (d->ok()) axis = std::max(axis, d->model().trace().meta.wall_ns);
  for (Document* d : both)
    if (d->ok() && d->axis_end_ns != axis) {
      d->axis_end_ns = axis;
      d->reset_window();
    }
  if (a.ok() && b.ok()) {  // whichever changed its window last frame, the other follows
    if (a.t0 != shared_t0_ || a.t1 != shared_t1_) {
      b.t0 = a.t0, b.t1 = a.t1;
    } else if (b.t0 != shared_t0_ || b.t1 != shared_t1_) {
      a.t0 = b.t0, a.t1 = b.t1;
    }
    if (a.brush_t0 != shared_b0_ || a.brush_t1 != shared_b1_) {
      b.brush_t0 = a.brush_t0, b.brush_t1 = a.brush_t1;
    } else if (b.brush_t0 != shared_b0_ || b.brush_t1 != shared_b1_) {
      a.brush_t0 = b.brush_t0, a.brush_t1 = b.brush_t1;
    }
    shared_t0_ = a.t0, shared_t1_ = a.t1, shared_b0_ = a.brush_t0, shared_b1_ = a.brush_t1;
    a.frame["time_axis"] = {{"t0", a.t0}, {"t1", a.t1}, {"end", axis}, {"brush", {a.brush_t0, a.brush_t1}}};
    b.frame["time_axis"] = {{"t0", b.t0}, {"t1", b.t1}, {"end", axis}, {"brush", {b.brush_t0, b.brush_t1}}};
  }
  for (int i = 0; i < 2; ++i) {
    Document& d = *both[i];
    std::string title = std::string(i == 0 ? "A (before): " : "B (after): ") + d.name() + "##tl" + std::to_string(i);
    if (panel(title.c_str(), x + half * static_cast<float>(i), y, half, tl_h,
              ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
      if (d.ok())
        tls[i]->draw(d);
      else
        ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", d.error().c_str());
    }
    ImGui::End();
    std::string mt = "Memory##mem" + std::to_string(i);
    if (panel(mt.c_str(), x + half * static_cast<float>(i), y + tl_h, half, mem_h, ImGuiWindowFlags_NoScrollbar))
      if (d.ok()) mems[i]->draw(d);
    ImGui::End();
  }
  if (panel("Per-layer differences (B - A)", x, y + tl_h + mem_h, w, h - tl_h - mem_h)) compare_panel_.draw(a, b);
  ImGui::End();
}

void App::draw_error(const Document& doc) {
  ImVec2 display = ImGui::GetIO().DisplaySize;
  if (panel("Cannot open the trace", 0, 58, display.x, display.y - 58)) {
    ImGui::Dummy(ImVec2(0, 20));
    ImGui::SetWindowFontScale(1.5f);
    ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "This trace could not be read");
    ImGui::SetWindowFontScale(1.0f);
    ImGui::Dummy(ImVec2(0, 10));
    ImGui::TextUnformatted(doc.path().c_str());
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImVec4(1, 0.7f, 0.5f, 1), "%s", doc.error().c_str());
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, 10));
    ImGui::TextDisabled("chunkscope reads .cstrace.json and .cstrace.cbor files written by `chunkscope run --trace`");
    ImGui::TextDisabled("(format: docs/trace-format.md). Open another file with File > Open or drop one here.");
  }
  ImGui::End();
}

}  // namespace chunkscope::viewer
