#include "compare_panel.hpp"

#include <imgui.h>

#include <cmath>
#include <cstdlib>

#include "chunkscope/viz/format.hpp"

namespace chunkscope::viewer {

namespace {

// "-12% (-3.1 ms)" in green when smaller, red when larger.
void delta(double a, double b, bool bytes) {
  if (a < 0 || b < 0) {
    ImGui::TextDisabled(a < 0 ? "new" : "gone");
    return;
  }
  double d = b - a;
  std::string amount = (d < 0 ? "-" : "+") + (bytes ? viz::fmt_bytes(std::abs(d)) : viz::fmt_duration(std::abs(d)));
  ImVec4 col = d < 0   ? ImVec4(0.45f, 0.85f, 0.45f, 1)
               : d > 0 ? ImVec4(0.95f, 0.45f, 0.4f, 1)
                       : ImVec4(0.7f, 0.7f, 0.7f, 1);
  // viz::fmt_change: "+45%", "3.2× less"; under 1 µs or 1 KiB both sides are "about the same".
  const std::string change = viz::fmt_change(a, b, bytes ? 1024.0 : 1000.0);
  ImGui::TextColored(col, "%s (%s)", change.c_str(), amount.c_str());
}

std::string dur(std::int64_t v) { return v < 0 ? "-" : viz::fmt_duration(static_cast<double>(v)); }
std::string byt(std::int64_t v) { return v < 0 ? "-" : viz::fmt_bytes(static_cast<double>(v)); }

}  // namespace

void ComparePanel::draw(const Document& a, const Document& b) {
  if (!a.ok() || !b.ok()) {
    ImGui::TextDisabled("both traces must open to compare them");
    return;
  }
  if (a_ != &a || b_ != &b) {
    diff_ = compare_runs(a.model(), b.model());
    a_ = &a;
    b_ = &b;
  }
  ImGui::Text("A: %s    B: %s", a.name().c_str(), b.name().c_str());
  ImGui::Text("wall %s -> %s", dur(diff_.wall_a).c_str(), dur(diff_.wall_b).c_str());
  ImGui::SameLine();
  delta(static_cast<double>(diff_.wall_a), static_cast<double>(diff_.wall_b), false);
  ImGui::SameLine(0, 30);
  ImGui::Text("peak %s -> %s", byt(diff_.peak_a).c_str(), byt(diff_.peak_b).c_str());
  ImGui::SameLine();
  delta(static_cast<double>(diff_.peak_a), static_cast<double>(diff_.peak_b), true);
  ImGui::SameLine(0, 30);
  ImGui::Text("tasks %s -> %s", viz::fmt_count(diff_.tasks_a).c_str(), viz::fmt_count(diff_.tasks_b).c_str());
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("compare", 7, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* h : {"layer", "busy A", "busy B", "time change", "at peak A", "at peak B", "memory change"})
    ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (const auto& l : diff_.layers) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(l.id.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(dur(l.busy_a).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(dur(l.busy_b).c_str());
    ImGui::TableNextColumn();
    delta(static_cast<double>(l.busy_a), static_cast<double>(l.busy_b), false);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(byt(l.peak_a).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(byt(l.peak_b).c_str());
    ImGui::TableNextColumn();
    delta(static_cast<double>(l.peak_a), static_cast<double>(l.peak_b), true);
  }
  ImGui::EndTable();
}

}  // namespace chunkscope::viewer
