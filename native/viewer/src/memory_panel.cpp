#include "memory_panel.hpp"

#include <algorithm>

#include <imgui.h>

#include "chunkscope/core/units.hpp"
#include "chunkscope/viz/memory.hpp"
#include "timeline_panel.hpp"

namespace chunkscope::viewer {

void MemoryPanel::draw(Document& doc) {
  const float label_w = lane_label_width(doc.model());  // the timeline's, so the time axes line up
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  const float width = std::max(avail.x - label_w, 20.0f), height = std::max(avail.y, 30.0f);
  const int columns = std::max(1, static_cast<int>(width));
  viz::MemoryView mv = viz::memory_view(doc.model(), doc.t0, doc.t1, columns);
  ImGui::InvisibleButton("memory_canvas", ImVec2(label_w + width, height));
  const bool hovered = ImGui::IsItemHovered();

  double top = static_cast<double>(std::max<std::int64_t>({mv.peak, mv.limit, 1}));
  for (double b : mv.bytes) top = std::max(top, b);
  top *= 1.12;
  const ImVec2 area(p0.x + label_w, p0.y + 4);
  const float h = height - 8;
  const double span = static_cast<double>(std::max<std::int64_t>(doc.t1 - doc.t0, 1));
  auto X = [&](double t) { return static_cast<float>(area.x + (t - static_cast<double>(doc.t0)) / span * width); };
  auto Y = [&](double b) { return static_cast<float>(area.y + h - b / top * h); };

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(p0, ImVec2(p0.x + label_w + width, p0.y + height), true);
  dl->AddRect(ImVec2(area.x, area.y), ImVec2(area.x + width, area.y + h), IM_COL32(255, 255, 255, 30));
  dl->AddText(ImVec2(p0.x + 2, area.y), IM_COL32(170, 170, 180, 255), format_bytes(top).c_str());
  dl->AddText(ImVec2(p0.x + 2, area.y + h - 16), IM_COL32(170, 170, 180, 255), "0 B");
  // Envelope: per column a vertical bar from the lowest to the highest live bytes, filled below.
  const ImU32 fill = IM_COL32(80, 160, 230, 90), line = IM_COL32(110, 190, 255, 255);
  for (size_t i = 0; i + 1 < mv.t_ns.size(); i += 2) {
    float x = X(mv.t_ns[i]);
    dl->AddRectFilled(ImVec2(x, Y(mv.bytes[i + 1])), ImVec2(x + 1.0f, area.y + h), fill);
    dl->AddLine(ImVec2(x, Y(mv.bytes[i])), ImVec2(x, Y(mv.bytes[i + 1]) - 1.0f), line, 1.5f);
    if (i + 2 < mv.t_ns.size())
      dl->AddLine(ImVec2(x, Y(mv.bytes[i + 1])), ImVec2(X(mv.t_ns[i + 2]), Y(mv.bytes[i + 2])), line, 1.0f);
  }
  if (mv.limit > 0) {
    float y = Y(static_cast<double>(mv.limit));
    for (float x = area.x; x < area.x + width; x += 10) dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + 6, area.x + width), y), IM_COL32(235, 70, 70, 255), 1.5f);
    dl->AddText(ImVec2(area.x + width - 150, y - 16), IM_COL32(235, 90, 90, 255), ("limit " + format_bytes(static_cast<double>(mv.limit))).c_str());
  }
  if (mv.peak > 0 && mv.peak_t >= doc.t0 && mv.peak_t <= doc.t1) {
    ImVec2 pk(X(static_cast<double>(mv.peak_t)), Y(static_cast<double>(mv.peak)));
    dl->AddCircleFilled(pk, 4, IM_COL32(255, 210, 80, 255));
    std::string label = "peak " + format_bytes(static_cast<double>(mv.peak)) + (mv.peak_layer.empty() ? "" : " in " + mv.peak_layer);
    ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    float tx = std::clamp(pk.x + 6, area.x, area.x + width - ts.x - 2);
    dl->AddText(ImVec2(tx, std::max(pk.y - ts.y - 2, area.y)), IM_COL32(255, 210, 80, 255), label.c_str());
  }
  dl->PopClipRect();
  if (hovered && !mv.t_ns.empty()) {
    ImGuiIO& io = ImGui::GetIO();
    size_t col = static_cast<size_t>(std::clamp((io.MousePos.x - area.x), 0.0f, width - 1)) * 2;
    if (col + 1 < mv.bytes.size()) {
      ImGui::BeginTooltip();
      ImGui::Text("%s: %s .. %s live", format_duration_ns(mv.t_ns[col]).c_str(), format_bytes(mv.bytes[col]).c_str(),
                  format_bytes(mv.bytes[col + 1]).c_str());
      ImGui::EndTooltip();
    }
  }
}

}  // namespace chunkscope::viewer
