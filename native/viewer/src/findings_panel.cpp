#include "findings_panel.hpp"

#include <imgui.h>

#include "chunkscope/viz/palette.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

void FindingsPanel::draw(Document& doc) {
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
    ImGui::PushTextWrapPos(0);
    std::string layers;
    for (const auto& l : f.layers) layers += (layers.empty() ? "" : ", ") + l;
    if (!layers.empty()) ImGui::TextDisabled("layers: %s", layers.c_str());
    ImGui::TextUnformatted(f.message.c_str());
    if (!f.advice.empty()) ImGui::TextColored(ImVec4(0.6f, 0.9f, 0.6f, 1), "advice: %s", f.advice.c_str());
    if (ImGui::IsItemHovered() || selected) {
      for (const auto& e : f.evidence) ImGui::BulletText("%s: %s", e.name.c_str(), format_evidence(e).c_str());
    }
    ImGui::PopTextWrapPos();
    ImGui::Unindent(12);
    ImGui::PopID();
  }
}

}  // namespace chunkscope::viewer
