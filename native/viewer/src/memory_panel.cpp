#include "memory_panel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "chunkscope/core/units.hpp"
#include "timeline_panel.hpp"

namespace chunkscope::viewer {

namespace {

// Curve colours: the host, then one per GPU (line; the fill is the same at low alpha).
constexpr ImU32 kCurve[] = {IM_COL32(110, 190, 255, 255), IM_COL32(118, 205, 120, 255), IM_COL32(245, 160, 80, 255),
                            IM_COL32(230, 120, 190, 255), IM_COL32(225, 205, 95, 255)};
ImU32 curve_color(int index, int alpha = 255) {
  return (kCurve[static_cast<size_t>(index) % std::size(kCurve)] & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}
constexpr ImU32 kLimit = IM_COL32(235, 70, 70, 255), kLimitText = IM_COL32(235, 90, 90, 255), kPeak = IM_COL32(255, 210, 80, 255),
                kMuted = IM_COL32(170, 170, 180, 255);

std::string percent(double share) {
  char buf[32];
  const double p = share * 100;
  std::snprintf(buf, sizeof buf, p >= 10 ? "%.0f%%" : p >= 0.1 ? "%.1f%%" : "%.1g%%", p);
  return buf;
}

// Text on a dark backing, readable over the curve and the lines.
void label(ImDrawList* dl, ImVec2 at, ImU32 color, const std::string& text) {
  const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
  dl->AddRectFilled(ImVec2(at.x - 2, at.y), ImVec2(at.x + ts.x + 2, at.y + ts.y), IM_COL32(20, 20, 24, 200));
  dl->AddText(at, color, text.c_str());
}

}  // namespace

void MemoryPanel::draw(Document& doc) {
  const float label_w = lane_label_width(doc.model());  // the timeline's, so the time axes line up
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  const float width = std::max(avail.x - label_w, 20.0f);
  const int columns = std::max(1, static_cast<int>(width));
  const viz::MemoryView mv = viz::memory_view(doc.model(), doc.t0, doc.t1, columns);
  std::vector<const viz::MemoryCurve*> curves{&mv};
  for (const auto& d : mv.devices) curves.push_back(&d);

  // Legend row: a swatch per curve, the limit's dash (when a curve has a limit) and the peak's dot.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float legend_h = ImGui::GetTextLineHeight() + 4;
  float lx = p0.x + label_w;
  const float ly = p0.y + 1;
  auto key = [&](const std::string& text) {
    dl->AddText(ImVec2(lx, ly), IM_COL32(210, 210, 215, 255), text.c_str());
    lx += ImGui::CalcTextSize(text.c_str()).x + 14;
  };
  bool limits = false;
  for (size_t i = 0; i < curves.size(); ++i) {
    dl->AddRectFilled(ImVec2(lx, ly + 4), ImVec2(lx + 12, ly + 12), curve_color(static_cast<int>(i), 200), 2);
    lx += 16;
    key(curves[i]->device);
    limits = limits || curves[i]->limit > 0;
  }
  if (limits) {
    for (float x = lx; x < lx + 14; x += 8) dl->AddLine(ImVec2(x, ly + 8), ImVec2(std::min(x + 5, lx + 14), ly + 8), kLimit, 1.5f);
    lx += 18;
    key("limit");
  }
  dl->AddCircleFilled(ImVec2(lx + 4, ly + 8), 4, kPeak);
  lx += 12;
  key("peak");

  const float charts_h = std::max(avail.y - legend_h, 30.0f * static_cast<float>(curves.size()));
  const float chart_h = charts_h / static_cast<float>(curves.size());
  for (size_t i = 0; i < curves.size(); ++i)
    draw_chart(doc, *curves[i], static_cast<int>(i), p0.x, p0.y + legend_h + chart_h * static_cast<float>(i), label_w, width, chart_h);
}

void MemoryPanel::draw_chart(const Document& doc, const viz::MemoryCurve& c, int index, float x0, float y0, float label_w,
                             float width, float height) {
  ImGui::SetCursorScreenPos(ImVec2(x0, y0));
  ImGui::PushID(index);
  ImGui::InvisibleButton("memory_canvas", ImVec2(label_w + width, height));
  ImGui::PopID();
  const bool hovered = ImGui::IsItemHovered();

  double hi = static_cast<double>(std::max<std::int64_t>(c.peak, 1));
  for (double b : c.bytes) hi = std::max(hi, b);
  const bool limit_on = c.limit > 0 && static_cast<double>(c.limit) <= kLimitOnScale * hi;
  const double top = (limit_on ? std::max(hi, static_cast<double>(c.limit)) : hi) * 1.12;
  const ImVec2 area(x0 + label_w, y0 + 4);
  const float h = height - 8;
  const double span = static_cast<double>(std::max<std::int64_t>(doc.t1 - doc.t0, 1));
  auto X = [&](double t) { return static_cast<float>(area.x + (t - static_cast<double>(doc.t0)) / span * width); };
  auto Y = [&](double b) { return static_cast<float>(area.y + h - b / top * h); };

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(ImVec2(x0, y0), ImVec2(x0 + label_w + width, y0 + height), true);
  dl->AddRect(ImVec2(area.x, area.y), ImVec2(area.x + width, area.y + h), IM_COL32(255, 255, 255, 30));
  dl->AddText(ImVec2(x0 + 2, area.y), curve_color(index), c.device.c_str());
  dl->AddText(ImVec2(x0 + 2, area.y + ImGui::GetTextLineHeight()), kMuted, format_bytes(top).c_str());
  dl->AddText(ImVec2(x0 + 2, area.y + h - 16), kMuted, "0 B");
  // Envelope: per column a vertical bar from the lowest to the highest live bytes, filled below.
  const ImU32 fill = curve_color(index, 90), line = curve_color(index);
  for (size_t i = 0; i + 1 < c.t_ns.size(); i += 2) {
    float x = X(c.t_ns[i]);
    dl->AddRectFilled(ImVec2(x, Y(c.bytes[i + 1])), ImVec2(x + 1.0f, area.y + h), fill);
    dl->AddLine(ImVec2(x, Y(c.bytes[i])), ImVec2(x, Y(c.bytes[i + 1]) - 1.0f), line, 1.5f);
    if (i + 2 < c.t_ns.size()) dl->AddLine(ImVec2(x, Y(c.bytes[i + 1])), ImVec2(X(c.t_ns[i + 2]), Y(c.bytes[i + 2])), line, 1.0f);
  }
  if (limit_on) {
    const float y = std::round(Y(static_cast<double>(c.limit)));
    for (float x = area.x; x < area.x + width; x += 10) dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + 6, area.x + width), y), kLimit, 1.5f);
    const std::string text = "limit " + format_bytes(static_cast<double>(c.limit));
    const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    label(dl, ImVec2(area.x + width - ts.x - 4, y - ts.y - 2 < area.y ? y + 3 : y - ts.y - 2), kLimitText, text);  // under the line at the top
  } else if (c.limit > 0) {  // far above the curve: said, not drawn
    const std::string text = "limit " + format_bytes(static_cast<double>(c.limit)) + " off scale above (peak " +
                             percent(static_cast<double>(c.peak) / static_cast<double>(c.limit)) + " of it)";
    label(dl, ImVec2(area.x + width - ImGui::CalcTextSize(text.c_str()).x - 4, area.y + 1), kLimitText, text);
  }
  if (c.peak > 0 && c.peak_t >= doc.t0 && c.peak_t <= doc.t1) {
    ImVec2 pk(X(static_cast<double>(c.peak_t)), Y(static_cast<double>(c.peak)));
    dl->AddCircleFilled(pk, 4, kPeak);
    std::string text = "peak " + format_bytes(static_cast<double>(c.peak)) + (c.peak_layer.empty() ? "" : " in " + c.peak_layer);
    ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    const float tx = pk.x + 6 + ts.x <= area.x + width - 2 ? pk.x + 6 : std::max(area.x + 2, pk.x - 6 - ts.x);  // right of the dot, else left
    label(dl, ImVec2(tx, std::max(pk.y - ts.y - 2, area.y)), kPeak, text);
  }
  dl->PopClipRect();
  if (hovered && !c.t_ns.empty()) {
    ImGuiIO& io = ImGui::GetIO();
    const size_t col = static_cast<size_t>(std::clamp((io.MousePos.x - area.x), 0.0f, width - 1)) * 2;
    if (col + 1 < c.bytes.size()) {
      const double lo = c.bytes[col], top_b = c.bytes[col + 1];
      const double t = static_cast<double>(doc.t0) + (static_cast<double>(col / 2) + 0.5) / static_cast<double>(c.bytes.size() / 2) * span;
      ImGui::BeginTooltip();
      ImGui::Text("%s at %s", c.device.c_str(), format_duration_ns(t).c_str());
      if (lo == top_b)
        ImGui::Text("%s live", format_bytes(top_b).c_str());
      else
        ImGui::Text("%s to %s live in this pixel (zoom in for the steps)", format_bytes(lo).c_str(), format_bytes(top_b).c_str());
      if (c.limit > 0)
        ImGui::Text("limit %s, %s used", format_bytes(static_cast<double>(c.limit)).c_str(), percent(top_b / static_cast<double>(c.limit)).c_str());
      else
        ImGui::TextUnformatted("no limit");
      if (c.peak > 0) {
        const std::string in = c.peak_layer.empty() ? "" : " in " + c.peak_layer;
        ImGui::Text("peak %s at %s%s", format_bytes(static_cast<double>(c.peak)).c_str(),
                    format_duration_ns(static_cast<double>(c.peak_t)).c_str(), in.c_str());
      }
      ImGui::EndTooltip();
    }
  }
}

}  // namespace chunkscope::viewer
