#include "timeline_panel.hpp"

#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "chunkscope/core/units.hpp"
#include "chunkscope/viz/palette.hpp"
#include "chunkscope/viz/timeline.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

namespace {

const ImU32 kTransferGrey = IM_COL32(140, 149, 159, 255);  // a copy that fed no known task

// A copy: diagonal stripes of the colour over a dark tint of it, outlined; solid when too narrow
// for stripes. Stripes cost one line per 6 px, so a frame stays O(lanes × width).
void draw_transfer_rect(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 c) {
  if (b.x - a.x < 3) {
    dl->AddRectFilled(a, b, c);
    return;
  }
  dl->AddRectFilled(a, b, (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(70) << IM_COL32_A_SHIFT));
  dl->PushClipRect(a, b, true);
  const float h = b.y - a.y;
  for (float x = a.x - h; x < b.x; x += 6) dl->AddLine(ImVec2(x, b.y), ImVec2(x + h, a.y), c, 1.6f);
  dl->PopClipRect();
  dl->AddRect(a, b, c);
}

}  // namespace

float lane_label_width(const viz::Model& m) {
  float w = 72;
  for (const auto& name : viz::timeline(m, 0, 0, 0).lanes) w = std::max(w, ImGui::CalcTextSize(name.c_str()).x + 10);
  return std::min(w, 200.0f);
}

void zoom_window(Document& doc, double at_ns, double factor, double shift_ns) {
  const double wall = std::max<double>(doc.model().trace().meta.wall_ns, 1.0);
  double t0 = static_cast<double>(doc.t0), t1 = static_cast<double>(doc.t1);
  double width = std::clamp((t1 - t0) / factor, std::min(1000.0, wall), wall);
  double frac = (t1 - t0) > 0 ? (at_ns - t0) / (t1 - t0) : 0.5;
  t0 = at_ns - frac * width + shift_ns;
  t0 = std::clamp(t0, 0.0, wall - width);
  doc.t0 = static_cast<std::int64_t>(t0);
  doc.t1 = static_cast<std::int64_t>(t0 + width);
}

void TimelinePanel::draw(Document& doc) {
  const viz::Model& m = doc.model();
  const float label_w = lane_label_width(m), axis_h = 18;
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  const float width = std::max(avail.x - label_w, 20.0f);
  const int task_lanes = static_cast<int>(m.lane_workers().size());
  const int lanes = task_lanes + static_cast<int>(m.transfer_lanes().size());
  const float lane_h = std::clamp((avail.y - axis_h) / static_cast<float>(std::max(lanes, 1)), 8.0f, 36.0f);
  const float height = std::max(avail.y, axis_h + lane_h);
  ImGui::InvisibleButton("timeline_canvas", ImVec2(label_w + width, height));
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 area(p0.x + label_w, p0.y + axis_h);
  const double span = static_cast<double>(doc.t1 - doc.t0);
  auto ns_at = [&](float x) { return static_cast<double>(doc.t0) + (x - area.x) / width * span; };

  if (hovered && io.MouseWheel != 0) zoom_window(doc, ns_at(io.MousePos.x), std::pow(1.25, io.MouseWheel), 0);
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f))
    zoom_window(doc, static_cast<double>(doc.t0), 1.0, -io.MouseDelta.x / width * span);
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) doc.reset_window();

  if (doc_ != &doc || t0_ != doc.t0 || t1_ != doc.t1 || width_ != width) {
    tl_ = viz::timeline(m, doc.t0, doc.t1, width);
    doc_ = &doc;
    t0_ = doc.t0;
    t1_ = doc.t1;
    width_ = width;
  }
  const viz::Timeline& tl = tl_;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(p0, ImVec2(p0.x + label_w + width, p0.y + height), true);
  // Time axis: about one tick per 100 px, at round numbers.
  double step = std::pow(10.0, std::floor(std::log10(std::max(span / (width / 100.0), 1.0))));
  while (span / step > width / 60.0) step *= 2;
  for (double t = std::ceil(static_cast<double>(doc.t0) / step) * step; t <= static_cast<double>(doc.t1); t += step) {
    float x = static_cast<float>(area.x + (t - static_cast<double>(doc.t0)) / span * width);
    dl->AddLine(ImVec2(x, area.y - 4), ImVec2(x, p0.y + height), IM_COL32(255, 255, 255, 25));
    dl->AddText(ImVec2(x + 2, p0.y + 1), IM_COL32(170, 170, 180, 255), format_duration_ns(t).c_str());
  }
  if (lanes > task_lanes) {  // transfer lanes: a tinted band under a rule, and a legend in the axis row
    const float y = area.y + static_cast<float>(task_lanes) * lane_h;
    dl->AddRectFilled(ImVec2(p0.x, y), ImVec2(area.x + width, y + static_cast<float>(lanes - task_lanes) * lane_h), IM_COL32(150, 110, 220, 22));
    dl->AddLine(ImVec2(p0.x, y), ImVec2(area.x + width, y), IM_COL32(170, 140, 230, 110));
    draw_transfer_rect(dl, ImVec2(p0.x + 2, p0.y + 3), ImVec2(p0.x + 16, p0.y + 14), kTransferGrey);
    dl->AddText(ImVec2(p0.x + 20, p0.y + 1), IM_COL32(190, 170, 235, 255), "copies");
  }
  for (int k = 0; k < lanes; ++k) {
    float y = area.y + static_cast<float>(k) * lane_h;
    if (k % 2) dl->AddRectFilled(ImVec2(area.x, y), ImVec2(area.x + width, y + lane_h), IM_COL32(255, 255, 255, 8));
    const ImU32 text = k < task_lanes ? IM_COL32(200, 200, 210, 255) : IM_COL32(190, 170, 235, 255);
    dl->AddText(ImVec2(p0.x + 2, y + lane_h / 2 - 8), text, tl.lanes[static_cast<size_t>(k)].c_str());
  }
  const viz::TimelineRect* hit = nullptr;
  for (const auto& r : tl.rects) {
    float y = area.y + static_cast<float>(r.lane) * lane_h;
    ImVec2 a(area.x + static_cast<float>(r.x0), y + 2), b(area.x + static_cast<float>(std::max(r.x1, r.x0 + 1.0)), y + lane_h - 2);
    ImU32 c = r.layer >= 0 || r.kind == viz::RectKind::Task ? hex_color(viz::layer_color(r.layer)) : kTransferGrey;
    if (r.count > 1) c = lighten(c, 0.45f);
    if (r.kind == viz::RectKind::Transfer) {
      draw_transfer_rect(dl, a, b, c);
    } else {
      dl->AddRectFilled(a, b, c);
      if (r.count == 1 && b.x - a.x > 6) dl->AddLine(ImVec2(b.x - 0.5f, a.y), ImVec2(b.x - 0.5f, b.y), IM_COL32(0, 0, 0, 90));
    }
    if (hovered && io.MousePos.x >= a.x && io.MousePos.x < b.x + 0.5f && io.MousePos.y >= a.y && io.MousePos.y < b.y) hit = &r;
  }
  dl->PopClipRect();
  if (hit) {
    ImGui::BeginTooltip();
    if (hit->kind == viz::RectKind::Transfer && hit->transfer >= 0) {
      const viz::TransferInfo x = viz::transfer_info(m, hit->transfer);
      const double seconds = static_cast<double>(x.duration_ns) / 1e9;
      ImGui::Text("%s copy on %s", x.direction.c_str(), x.device.c_str());
      ImGui::Text("%s in %s%s", format_bytes(static_cast<double>(x.bytes)).c_str(), format_duration_ns(static_cast<double>(x.duration_ns)).c_str(),
                  seconds > 0 ? (" (" + format_bytes(static_cast<double>(x.bytes) / seconds) + "/s)").c_str() : "");
      ImGui::Text("starts at %s", format_duration_ns(static_cast<double>(x.start_ns)).c_str());
      if (x.task >= 0)
        ImGui::Text("fed layer %s, chunk %s, task %lld", x.layer.c_str(), shape_text(x.chunk_index).c_str(), static_cast<long long>(x.task));
      else
        ImGui::TextDisabled("fed no recorded task");
    } else if (hit->kind == viz::RectKind::Transfer) {
      ImGui::Text("%d copies folded (%s): %s", hit->count, tl.lanes[static_cast<size_t>(hit->lane)].c_str(),
                  format_bytes(static_cast<double>(hit->bytes)).c_str());
      if (hit->layer >= 0) ImGui::Text("mostly for %s", m.layers()[static_cast<size_t>(hit->layer)].id.c_str());
      ImGui::TextDisabled("zoom in (wheel) to see them");
    } else if (hit->task >= 0) {
      viz::TaskInfo t = viz::task_info(m, hit->task);
      ImGui::Text("layer %s", t.layer.c_str());
      ImGui::Text("chunk %s%s", shape_text(t.chunk_index).c_str(), t.stage ? (" (stage " + std::to_string(t.stage) + ")").c_str() : "");
      if (!t.chunk_shape.empty()) ImGui::Text("chunk shape %s", shape_text(t.chunk_shape).c_str());
      ImGui::Text("%s, %s", format_bytes(static_cast<double>(t.bytes)).c_str(), format_duration_ns(static_cast<double>(t.duration_ns)).c_str());
      ImGui::Text("worker %d, starts at %s, %s", t.worker, format_duration_ns(static_cast<double>(t.start_ns)).c_str(), t.status.c_str());
    } else {
      const auto& layer = m.layers()[static_cast<size_t>(hit->layer)];
      ImGui::Text("%d tasks folded (mostly %s)", hit->count, layer.id.c_str());
      ImGui::TextDisabled("zoom in (wheel) to see them");
    }
    ImGui::EndTooltip();
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && hit->layer >= 0) doc.select_layer(m.layers()[static_cast<size_t>(hit->layer)].id);
  }
}

}  // namespace chunkscope::viewer
