#include "timeline_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/palette.hpp"
#include "chunkscope/viz/timeline.hpp"
#include "draw_util.hpp"
#include "utilisation.hpp"

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
  const double wall = static_cast<double>(doc.axis_end());  // the shared axis in compare mode
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
  const float legend_h = legend_h_;
  const float lane_h = std::clamp((avail.y - axis_h - legend_h) / static_cast<float>(std::max(lanes, 1)), 8.0f, 36.0f);
  const float height = std::max(avail.y - legend_h, axis_h + lane_h);
  ImGui::InvisibleButton("timeline_canvas", ImVec2(label_w + width, height));
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 area(p0.x + label_w, p0.y + axis_h);
  const double span = static_cast<double>(doc.t1 - doc.t0);
  auto ns_at = [&](float x) { return static_cast<double>(doc.t0) + (x - area.x) / width * span; };

  if (hovered && io.MouseWheel != 0) zoom_window(doc, ns_at(io.MousePos.x), std::pow(1.25, io.MouseWheel), 0);
  // Brush a range: shift-drag or right-drag. Plain drag pans.
  const bool brushing_key = io.KeyShift;
  if (hovered && (ImGui::IsMouseClicked(ImGuiMouseButton_Right) ||
                  (brushing_key && ImGui::IsMouseClicked(ImGuiMouseButton_Left)))) {
    brush_from_ = static_cast<std::int64_t>(ns_at(io.MousePos.x));
    brushing_ = true;
  }
  if (brushing_) {
    const auto at = static_cast<std::int64_t>(
        std::clamp(ns_at(io.MousePos.x), static_cast<double>(doc.t0), static_cast<double>(doc.t1)));
    doc.brush_t0 = std::min(brush_from_, at);
    doc.brush_t1 = std::max(brush_from_, at);
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Right) && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      brushing_ = false;
      if (doc.brush_t1 - doc.brush_t0 < static_cast<std::int64_t>(span * 2 / width))
        doc.brush_t0 = doc.brush_t1 = 0;  // a click clears it
    }
  } else if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f)) {
    zoom_window(doc, static_cast<double>(doc.t0), 1.0, -io.MouseDelta.x / width * span);
  }
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) doc.reset_window();

  if (doc_ != &doc || t0_ != doc.t0 || t1_ != doc.t1 || width_ != width) {
    tl_ = viz::timeline(m, doc.t0, doc.t1, width);
    if (doc_ != &doc) first_start_ = -1;
    doc_ = &doc;
    t0_ = doc.t0;
    t1_ = doc.t1;
    width_ = width;
    util_ = lane_utilisation(m, doc.t0, doc.t1);
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
    dl->AddText(ImVec2(x + 2, p0.y + 1), IM_COL32(170, 170, 180, 255), viz::fmt_duration(t).c_str());
  }
  if (lanes > task_lanes) {  // transfer lanes: a tinted band under a rule, and a legend in the axis row
    const float y = area.y + static_cast<float>(task_lanes) * lane_h;
    dl->AddRectFilled(ImVec2(p0.x, y), ImVec2(area.x + width, y + static_cast<float>(lanes - task_lanes) * lane_h),
                      IM_COL32(150, 110, 220, 22));
    dl->AddLine(ImVec2(p0.x, y), ImVec2(area.x + width, y), IM_COL32(170, 140, 230, 110));
    draw_transfer_rect(dl, ImVec2(p0.x + 2, p0.y + 3), ImVec2(p0.x + 16, p0.y + 14), kTransferGrey);
    dl->AddText(ImVec2(p0.x + 20, p0.y + 1), IM_COL32(190, 170, 235, 255), "copies");
  }
  for (int k = 0; k < lanes; ++k) {
    float y = area.y + static_cast<float>(k) * lane_h;
    if (k % 2) dl->AddRectFilled(ImVec2(area.x, y), ImVec2(area.x + width, y + lane_h), IM_COL32(255, 255, 255, 8));
    const ImU32 text = k < task_lanes ? IM_COL32(200, 200, 210, 255) : IM_COL32(190, 170, 235, 255);
    dl->AddText(ImVec2(p0.x + 2, y + lane_h / 2 - 8), text, tl.lanes[static_cast<size_t>(k)].c_str());
    if (k < task_lanes && static_cast<size_t>(k) < util_.size()) {  // the worker's busy share of the window
      const float bar_w = label_w - 8, u = static_cast<float>(std::clamp(util_[static_cast<size_t>(k)], 0.0, 1.0));
      const float by = y + lane_h - 4;
      dl->AddRectFilled(ImVec2(p0.x + 2, by), ImVec2(p0.x + 2 + bar_w, by + 2), IM_COL32(255, 255, 255, 30));
      dl->AddRectFilled(ImVec2(p0.x + 2, by), ImVec2(p0.x + 2 + bar_w * u, by + 2), IM_COL32(120, 200, 140, 220));
      if (lane_h >= 28) {
        const std::string pct = viz::fmt_percent(util_[static_cast<size_t>(k)]) + " busy";
        dl->AddText(ImVec2(p0.x + 2, y + lane_h / 2 + 4), IM_COL32(150, 190, 160, 255), pct.c_str());
      }
    }
  }
  // A leading gap with no task (e.g. Dask building the graph) is not task time: labelled.
  if (first_start_ < 0) {
    first_start_ = m.trace().meta.wall_ns;
    for (int lane = 0; lane < task_lanes; ++lane)
      if (!m.lane_tasks(lane).empty())
        first_start_ = std::min(first_start_, m.trace().tasks.start_ns[m.lane_tasks(lane).front()]);
  }
  if (first_start_ > doc.t0 && static_cast<double>(first_start_) > 0.03 * static_cast<double>(m.trace().meta.wall_ns)) {
    const float gx = static_cast<float>(
        area.x + (static_cast<double>(std::min(first_start_, doc.t1)) - static_cast<double>(doc.t0)) / span * width);
    dl->AddRectFilled(ImVec2(area.x, area.y), ImVec2(gx, area.y + static_cast<float>(task_lanes) * lane_h),
                      IM_COL32(255, 255, 255, 14));
    const std::string gap =
        "no task ran (" + viz::fmt_duration(static_cast<double>(first_start_)) + ": setup, graph building)";
    if (ImGui::CalcTextSize(gap.c_str()).x < gx - area.x - 4)
      dl->AddText(ImVec2(area.x + 4, area.y + 2), IM_COL32(170, 170, 180, 255), gap.c_str());
  }
  const int sel = doc.selected_layer();
  const auto& colors = doc.layer_colors();
  std::int64_t highlighted = 0;
  nlohmann::json targets = nlohmann::json::object();
  const viz::TimelineRect* hit = nullptr;
  for (const auto& r : tl.rects) {
    float y = area.y + static_cast<float>(r.lane) * lane_h;
    ImVec2 a(area.x + static_cast<float>(r.x0), y + 2),
        b(area.x + static_cast<float>(std::max(r.x1, r.x0 + 1.0)), y + lane_h - 2);
    const std::string& lc = r.layer >= 0 ? colors.color[static_cast<size_t>(r.layer)] : viz::layer_color(-1);
    ImU32 c = r.layer >= 0 || r.kind == viz::RectKind::Task ? hex_color(lc) : kTransferGrey;
    if (r.count > 1) c = lighten(c, 0.45f);
    // Linked selection: the selected layer's tasks stand out, the others fade.
    if (sel >= 0 && r.kind == viz::RectKind::Task) {
      if (r.layer == sel)
        highlighted += r.count;
      else
        c = (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(60) << IM_COL32_A_SHIFT);
    }
    if (r.kind == viz::RectKind::Task && r.count == 1 && r.layer >= 0 && b.x - a.x >= 3) {
      const std::string& id = m.layers()[static_cast<size_t>(r.layer)].id;
      if (targets.size() < 8 && !targets.contains(id))
        targets[id] = {std::round((a.x + b.x) / 2), std::round((a.y + b.y) / 2)};
    }
    if (r.kind == viz::RectKind::Transfer) {
      draw_transfer_rect(dl, a, b, c);
    } else {
      dl->AddRectFilled(a, b, c);
      if (r.count == 1 && b.x - a.x > 6)
        dl->AddLine(ImVec2(b.x - 0.5f, a.y), ImVec2(b.x - 0.5f, b.y), IM_COL32(0, 0, 0, 90));
      if (sel >= 0 && r.layer == sel)
        dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(255, 255, 255, 230));
    }
    if (hovered && io.MousePos.x >= a.x && io.MousePos.x < b.x + 0.5f && io.MousePos.y >= a.y && io.MousePos.y < b.y)
      hit = &r;
  }
  // The brushed range.
  if (doc.brush_t1 > doc.brush_t0) {
    const float bx0 =
        static_cast<float>(area.x + (static_cast<double>(doc.brush_t0) - static_cast<double>(doc.t0)) / span * width);
    const float bx1 =
        static_cast<float>(area.x + (static_cast<double>(doc.brush_t1) - static_cast<double>(doc.t0)) / span * width);
    dl->AddRectFilled(ImVec2(bx0, area.y), ImVec2(bx1, p0.y + height), IM_COL32(255, 220, 120, 40));
    dl->AddRect(ImVec2(bx0, area.y), ImVec2(bx1, p0.y + height), IM_COL32(255, 220, 120, 200));
  }
  dl->PopClipRect();
  doc.frame["timeline_highlighted_tasks"] = highlighted;
  // A clickable point per layer (tests click it): kept only where the pointer would hit that layer's
  // task (a Dask thread's tasks may overlap: the last drawn wins).
  nlohmann::json clickable = nlohmann::json::object();
  for (auto it = targets.begin(); it != targets.end(); ++it) {
    const float px = (*it)[0].get<float>(), py = (*it)[1].get<float>();
    int layer_hit = -1;
    for (const auto& r : tl.rects) {
      const float y = area.y + static_cast<float>(r.lane) * lane_h;
      if (px >= area.x + static_cast<float>(r.x0) &&
          px < area.x + static_cast<float>(std::max(r.x1, r.x0 + 1.0)) + 0.5f && py >= y + 2 && py < y + lane_h - 2)
        layer_hit = r.layer;
    }
    if (layer_hit >= 0 && m.layers()[static_cast<size_t>(layer_hit)].id == it.key()) clickable[it.key()] = *it;
  }
  doc.frame["timeline_task_targets"] = clickable;
  doc.frame["timeline_lane_h"] = lane_h;
  // The layer colours' legend under the lanes (by layer, or by group / op with a note).
  {
    ImDrawList* fg = ImGui::GetWindowDrawList();
    const ImVec2 at(p0.x + 2, p0.y + height + 3);
    const ImVec2 used = draw_legend(fg, at, label_w + width - 4, colors.legend);
    legend_h_ = std::min(used.y + 6, std::max(avail.y * 0.4f, 20.0f));
    doc.frame["legends"].push_back({{"panel", "timeline"},
                                    {"title", colors.legend.title},
                                    {"entries", colors.legend.entries.size()},
                                    {"by", colors.by}});
  }
  if (hit) {
    ImGui::BeginTooltip();
    if (hit->kind == viz::RectKind::Transfer && hit->transfer >= 0) {
      const viz::TransferInfo x = viz::transfer_info(m, hit->transfer);
      const double seconds = static_cast<double>(x.duration_ns) / 1e9;
      ImGui::Text("%s copy on %s", x.direction.c_str(), x.device.c_str());
      ImGui::Text("%s in %s%s", viz::fmt_bytes(static_cast<double>(x.bytes)).c_str(),
                  viz::fmt_duration(static_cast<double>(x.duration_ns)).c_str(),
                  seconds > 0 ? (" (" + viz::fmt_bytes(static_cast<double>(x.bytes) / seconds) + "/s)").c_str() : "");
      ImGui::Text("starts at %s", viz::fmt_duration(static_cast<double>(x.start_ns)).c_str());
      if (x.task >= 0)
        ImGui::Text("fed layer %s, chunk %s, task %lld", x.layer.c_str(), shape_text(x.chunk_index).c_str(),
                    static_cast<long long>(x.task));
      else
        ImGui::TextDisabled("fed no recorded task");
    } else if (hit->kind == viz::RectKind::Transfer) {
      ImGui::Text("%d copies folded (%s): %s", hit->count, tl.lanes[static_cast<size_t>(hit->lane)].c_str(),
                  viz::fmt_bytes(static_cast<double>(hit->bytes)).c_str());
      if (hit->layer >= 0) ImGui::Text("mostly for %s", m.layers()[static_cast<size_t>(hit->layer)].id.c_str());
      ImGui::TextDisabled("zoom in (wheel) to see them");
    } else if (hit->task >= 0) {
      viz::TaskInfo t = viz::task_info(m, hit->task);
      ImGui::Text("layer %s", t.layer.c_str());
      ImGui::Text("chunk %s%s", shape_text(t.chunk_index).c_str(),
                  t.stage ? (" (stage " + std::to_string(t.stage) + ")").c_str() : "");
      if (!t.chunk_shape.empty()) ImGui::Text("chunk shape %s", viz::fmt_shape(t.chunk_shape).c_str());
      ImGui::Text("%s, %s", viz::fmt_bytes(static_cast<double>(t.bytes)).c_str(),
                  viz::fmt_duration(static_cast<double>(t.duration_ns)).c_str());
      ImGui::Text("worker %d, starts at %s, %s", t.worker, viz::fmt_duration(static_cast<double>(t.start_ns)).c_str(),
                  t.status.c_str());
    } else {
      const auto& layer = m.layers()[static_cast<size_t>(hit->layer)];
      ImGui::Text("%d tasks folded (mostly %s)", hit->count, layer.id.c_str());
      ImGui::TextDisabled("zoom in (wheel) to see them");
    }
    ImGui::EndTooltip();
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !io.KeyShift && hit->layer >= 0)
      doc.select_layer(m.layers()[static_cast<size_t>(hit->layer)].id);
  }
}

}  // namespace chunkscope::viewer
