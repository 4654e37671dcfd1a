#include "findings_panel.hpp"

#include <imgui.h>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/palette.hpp"
#include "chunkscope/viz/range_summary.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

namespace {

// The brushed range's summary (timeline shift- or right-drag): per layer time and tasks in the
// range, per worker busy and idle, memory min/max. Also written to the frame report.
void draw_range(Document& doc) {
  const viz::Model& m = doc.model();
  const viz::RangeSummary s = viz::range_summary(m, doc.brush_t0, doc.brush_t1);  // the rule the browser uses too
  ImGui::TextColored(ImVec4(1, 0.86f, 0.47f, 1), "range %s to %s (%s)",
                     viz::fmt_duration(static_cast<double>(s.t0_ns)).c_str(),
                     viz::fmt_duration(static_cast<double>(s.t1_ns)).c_str(),
                     viz::fmt_duration(static_cast<double>(s.t1_ns - s.t0_ns)).c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("clear")) doc.brush_t0 = doc.brush_t1 = 0;
  nlohmann::json layers = nlohmann::json::array(), workers = nlohmann::json::array();
  std::string line = "layers: ";
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const auto& l = s.layers[i];
    const std::string& id = m.layers()[static_cast<size_t>(l.layer)].id;
    layers.push_back({{"layer", id}, {"busy_ns", l.busy_ns}, {"tasks", l.tasks}});
    if (i < 6)
      line += (i ? "; " : "") + id + " " + viz::fmt_duration(static_cast<double>(l.busy_ns)) + " in " +
              viz::fmt_count(l.tasks) + " tasks";
  }
  if (s.layers.size() > 6) line += "; " + viz::fmt_count(static_cast<std::int64_t>(s.layers.size() - 6)) + " more";
  wrapped_text(s.layers.empty() ? "no task in the range" : line);
  std::string wl = "workers: ";
  for (size_t i = 0; i < s.workers.size(); ++i) {
    const auto& w = s.workers[i];
    workers.push_back({{"worker", w.worker}, {"busy_ns", w.busy_ns}, {"idle_ns", w.idle_ns}});
    wl += (i ? "; " : "") + std::to_string(w.worker) + " busy " +
          viz::fmt_percent(static_cast<double>(w.busy_ns) / static_cast<double>(s.t1_ns - s.t0_ns));
  }
  wrapped_text(wl);
  wrapped_text("memory: " + viz::fmt_bytes(static_cast<double>(s.memory_min)) + " to " +
               viz::fmt_bytes(static_cast<double>(s.memory_max)) + " live");
  doc.frame["range"] = {{"t0", s.t0_ns},           {"t1", s.t1_ns},           {"layers", layers}, {"workers", workers},
                        {"mem_min", s.memory_min}, {"mem_max", s.memory_max}, {"tasks", s.tasks}};
  ImGui::Separator();
}

}  // namespace

void FindingsPanel::draw(Document& doc) {
  const Trace& t = doc.model().trace();
  if (t.meta.status != "ok") {  // a failed or cancelled run: the reason first, in red
    wrapped_text("run " + t.meta.status + (t.meta.error.empty() ? "" : ": " + t.meta.error),
                 IM_COL32(239, 68, 68, 255));
    ImGui::Separator();
  }
  if (doc.brush_t1 > doc.brush_t0) draw_range(doc);
  const Findings& findings = doc.model().findings();
  if (findings.empty() && doc.findings_pending()) {
    ImGui::TextDisabled("analysing the trace…");
    return;
  }
  if (findings.empty()) {
    ImGui::TextDisabled("no findings: nothing to change");
    return;
  }
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    ImGui::PushID(static_cast<int>(i));
    ImU32 col = hex_color(viz::severity_color(static_cast<int>(f.severity)));
    ImGui::PushStyleColor(ImGuiCol_Text, col);
    std::string head = std::string(severity_name(f.severity)) + "  " + f.rule;
    bool selected = !f.layers.empty() && doc.selected_layer() >= 0 &&
                    doc.model().layers()[static_cast<size_t>(doc.selected_layer())].id == f.layers.front();
    if (ImGui::Selectable(head.c_str(), selected) && !f.layers.empty()) doc.select_layer(f.layers.front());
    ImGui::PopStyleColor();
    ImGui::Indent(12);
    std::string layers;
    for (const auto& l : f.layers) layers += (layers.empty() ? "" : ", ") + l;
    // Wrapped at spaces only, never inside a number (draw_util's wrap_lines).
    if (!layers.empty()) wrapped_text("layers: " + layers, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    wrapped_text(f.message);
    if (!f.advice.empty()) wrapped_text("advice: " + f.advice, IM_COL32(153, 230, 153, 255));
    if (ImGui::IsItemHovered() || selected) {
      for (const auto& e : f.evidence) wrapped_text("- " + viz::evidence_line(e));  // human labels, one formatter
    }
    ImGui::Unindent(12);
    ImGui::PopID();
  }
}

}  // namespace chunkscope::viewer
