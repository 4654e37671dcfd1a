#include "graph_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "chunkscope/core/units.hpp"
#include "chunkscope/viz/legend.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

namespace {
constexpr double kLabelPt = 10;     // label font size in scene points (pixels at scale 1)
constexpr double kReadablePx = 10;  // the smallest label the default view draws
const ImU32 kFailed = IM_COL32(239, 68, 68, 255);
}  // namespace

std::string unescape_key(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void GraphPanel::draw(Document& doc) {
  const viz::Scene* scene = doc.scene();
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.0f);
  size.y = std::max(size.y, 50.0f);
  if (!scene) {
    if (!doc.layout_error().empty())
      ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "layout failed: %s", doc.layout_error().c_str());
    else
      ImGui::TextDisabled("laying out the graph...");
    return;
  }
  const float legend_strip = legend_h_;
  size.y = std::max(size.y - legend_strip, 50.0f);
  ImGui::InvisibleButton("graph_canvas", size, ImGuiButtonFlags_MouseButtonLeft);
  ImGui::SetItemAllowOverlap();  // the fit buttons are drawn over it
  const bool hovered = ImGui::IsItemHovered();
  GraphCamera& cam = doc.camera;
  const double fit_all = std::clamp(
      std::min(size.x / std::max(scene->width, 1.0), size.y / std::max(scene->height, 1.0)) * 0.95, 0.02, 1.6);
  if (cam.fit || reset_) {
    // The default view: the whole graph when its labels are readable at that scale, else the
    // readable scale (labels >= kReadablePx) around the selected or default layer, with the overview to pan.
    cam.cx = scene->width / 2;
    cam.cy = scene->height / 2;
    cam.scale = fit_all;
    if (!fit_all_ && fit_all * kLabelPt < kReadablePx) {
      cam.scale = kReadablePx / kLabelPt;
      const int focus = doc.selected_layer() >= 0 ? doc.selected_layer() : doc.default_layer();
      bool found = false;
      for (const auto& n : scene->nodes)
        if (n.layer == focus && (n.kind == viz::VNode::Kind::Layer || n.kind == viz::VNode::Kind::Heatmap)) {
          cam.cx = n.x, cam.cy = n.y, found = true;
        }
      if (!found) {  // the focus is inside a collapsed group: centre that group's node
        const std::vector<int> anc = focus >= 0 ? doc.model().ancestors_of_layer(focus) : std::vector<int>{};
        for (const auto& n : scene->nodes)
          if (!found && n.kind == viz::VNode::Kind::Group &&
              std::find(anc.begin(), anc.end(),
                        doc.graph().nodes[static_cast<size_t>(&n - scene->nodes.data())].group) != anc.end()) {
            cam.cx = n.x, cam.cy = n.y, found = true;
          }
      }
      if (!found && !scene->nodes.empty()) {  // else the topmost node
        const auto top = std::min_element(scene->nodes.begin(), scene->nodes.end(),
                                          [](const auto& a, const auto& b) { return a.y < b.y; });
        cam.cx = top->x, cam.cy = top->y + size.y / 2 / cam.scale - top->h;
      }
    }
    cam.fit = false;
    reset_ = false;
  }
  if (!doc.center_on.empty()) {
    for (const auto& n : scene->nodes)
      if (n.kind == viz::VNode::Kind::Layer && n.layer == doc.selected_layer()) {
        cam.cx = n.x;
        cam.cy = n.y;
        cam.scale = std::max(cam.scale, kReadablePx / kLabelPt);  // its neighbours at a readable scale
      }
    if (!doc.layout_pending()) doc.center_on.clear();
  }
  if (!doc.fit_layer.empty() && !doc.layout_pending()) {  // double-click: the layer's tasks fitted
    const int layer = doc.model().find_layer(doc.fit_layer);
    std::optional<std::array<double, 4>> box;  // x, y, w, h
    for (const auto& c : scene->clusters)
      if (c.key.rfind("cluster_l:", 0) == 0 && unescape_key(c.key.substr(10)) == doc.fit_layer)
        box = std::array<double, 4>{c.x, c.y, c.w, c.h};
    for (const auto& n : scene->nodes)
      if (!box && n.kind == viz::VNode::Kind::Heatmap && n.layer == layer)
        box = std::array<double, 4>{n.x - n.w / 2, n.y - n.h / 2, n.w, n.h};
    if (box) {
      const auto [bx, by, bw, bh] = *box;
      cam.cx = bx + bw / 2;
      cam.cy = by + bh / 2;
      cam.scale = std::clamp(std::min(size.x / (bw * 1.08), size.y / (bh * 1.08)), 0.02, 8.0);
      fitted_ = doc.fit_layer;
    }
    doc.fit_layer.clear();
  }
  if (!fitted_.empty()) doc.frame["graph_fitted"] = fitted_;
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mid(p0.x + size.x / 2, p0.y + size.y / 2);
  auto to_screen = [&](double x, double y) {
    return ImVec2(static_cast<float>(mid.x + (x - cam.cx) * cam.scale),
                  static_cast<float>(mid.y + (y - cam.cy) * cam.scale));
  };
  if (hovered && io.MouseWheel != 0) {  // zoom around the pointer
    double mx = cam.cx + (io.MousePos.x - mid.x) / cam.scale, my = cam.cy + (io.MousePos.y - mid.y) / cam.scale;
    cam.scale = std::clamp(cam.scale * std::pow(1.2, io.MouseWheel), 0.02, 8.0);
    cam.cx = mx - (io.MousePos.x - mid.x) / cam.scale;
    cam.cy = my - (io.MousePos.y - mid.y) / cam.scale;
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f)) {
    cam.cx -= io.MouseDelta.x / cam.scale;
    cam.cy -= io.MouseDelta.y / cam.scale;
  }
  const bool clicked = hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Left) &&
                       ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 2.0f).x == 0 &&
                       ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 2.0f).y == 0;
  const bool double_clicked = hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(p0, ImVec2(p0.x + size.x, p0.y + size.y), true);
  ImFont* font = ImGui::GetFont();
  const float fsize = static_cast<float>(kLabelPt * cam.scale);
  auto& label_px = doc.frame["graph_label_px"];
  label_px = nlohmann::json::array();
  auto visible = [&](ImVec2 a, ImVec2 b) {
    return b.x > p0.x && a.x < p0.x + size.x && b.y > p0.y && a.y < p0.y + size.y;
  };
  const bool text = fsize >= 5.0f;

  // Clusters: a box and a title; clicking a group's title closes the group.
  std::string toggle;
  for (const auto& c : scene->clusters) {
    ImVec2 a = to_screen(c.x, c.y), b = to_screen(c.x + c.w, c.y + c.h);
    dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 10), 4.0f);
    dl->AddRect(a, b, IM_COL32(150, 150, 170, 200), 4.0f, 0, 1.0f);
    if (text) {
      ImVec2 tp(a.x + 4, a.y + 2);
      dl->AddText(font, fsize * 1.1f, tp, IM_COL32(200, 200, 215, 255), c.label.c_str());
      ImVec2 ts = font->CalcTextSizeA(fsize * 1.1f, 1e6f, 0, c.label.c_str());
      if (clicked && io.MousePos.x >= tp.x && io.MousePos.x <= tp.x + ts.x && io.MousePos.y >= tp.y &&
          io.MousePos.y <= tp.y + ts.y && c.key.rfind("cluster_g:", 0) == 0)
        toggle = unescape_key(c.key.substr(10));
    }
  }
  // Edges: cubic Béziers, arrowheads, labels.
  for (const auto& e : scene->edges) {
    ImU32 col = e.rechunk ? IM_COL32(230, 170, 60, 220) : IM_COL32(170, 170, 185, 200);
    float w = static_cast<float>(std::max(1.0, std::min(e.width, 4.0) * std::min(cam.scale, 1.5)));
    for (size_t i = 0; i + 3 < e.points.size(); i += 3)
      dl->AddBezierCubic(to_screen(e.points[i].x, e.points[i].y), to_screen(e.points[i + 1].x, e.points[i + 1].y),
                         to_screen(e.points[i + 2].x, e.points[i + 2].y),
                         to_screen(e.points[i + 3].x, e.points[i + 3].y), col, w);
    if (e.arrow && !e.points.empty()) {
      ImVec2 tip = to_screen(e.arrow->x, e.arrow->y), from = to_screen(e.points.back().x, e.points.back().y);
      float dx = tip.x - from.x, dy = tip.y - from.y, len = std::sqrt(dx * dx + dy * dy);
      if (len > 0.1f) {
        float ux = dx / len, uy = dy / len, hw = std::max(2.5f, static_cast<float>(3.5 * cam.scale));
        dl->AddTriangleFilled(tip, ImVec2(from.x - uy * hw, from.y + ux * hw),
                              ImVec2(from.x + uy * hw, from.y - ux * hw), col);
      }
    }
    if (text && !e.label.empty())
      dl->AddText(font, fsize * 0.9f, to_screen(e.label_pos.x - e.label.size() * 2.2, e.label_pos.y - 5),
                  IM_COL32(215, 190, 140, 255), e.label.c_str());
  }
  // Nodes.
  int hovered_node = -1;
  for (size_t i = 0; i < scene->nodes.size(); ++i) {
    const auto& n = scene->nodes[i];
    ImVec2 a = to_screen(n.x - n.w / 2, n.y - n.h / 2), b = to_screen(n.x + n.w / 2, n.y + n.h / 2);
    ImU32 fill = hex_color(n.fill);
    float round = n.kind == viz::VNode::Kind::Group ? 6.0f : 2.0f;
    dl->AddRectFilled(a, b, fill, round);
    const Document::LayerRun run = n.layer >= 0 ? doc.layer_run(n.layer) : Document::Ran;
    ImU32 stroke = n.selected ? IM_COL32(255, 255, 255, 255) : run == Document::Failed ? kFailed : hex_color(n.stroke);
    float sw = static_cast<float>(
        n.selected || run == Document::Failed ? 3.0 : std::max(1.0, n.stroke_width * std::min(cam.scale, 1.5)));
    dl->AddRect(a, b, stroke, round, 0, sw);
    if (n.kind == viz::VNode::Kind::Group)
      dl->AddRect(ImVec2(a.x + 3, a.y + 3), ImVec2(b.x - 3, b.y - 3), lighten(stroke, 0.3f), round);
    if (text) {
      float line_h = fsize * 1.2f, y = (a.y + b.y) / 2 - line_h * static_cast<float>(n.label.size()) / 2;
      dl->PushClipRect(a, b, true);
      for (size_t k = 0; k < n.label.size(); ++k) {
        std::string line = n.label[k];
        // A layer that never ran reads "not run", not "0 ns · 0 B"; a failed one says so; a fused
        // one names the layer that ran its work.
        if (n.kind == viz::VNode::Kind::Layer && k + 1 == n.label.size() && k >= 3 && run != Document::Ran)
          line = doc.run_text(n.layer);
        ImVec2 ts = font->CalcTextSizeA(fsize, 1e6f, 0, line.c_str());
        const ImVec2 at((a.x + b.x) / 2 - ts.x / 2, y);
        dl->AddText(font, fsize, at, run == Document::Failed && line == "FAILED" ? kFailed : text_on(fill),
                    line.c_str());
        if (visible(at, ImVec2(at.x + ts.x, at.y + ts.y))) label_px.push_back(std::round(fsize * 10) / 10);
        y += line_h;
      }
      dl->PopClipRect();
    }
    if (n.badge > 0) {
      float r = std::max(6.0f, fsize * 0.8f);
      ImVec2 c(b.x - 2, a.y + 2);
      dl->AddCircleFilled(c, r, hex_color(n.stroke));
      std::string badge = std::to_string(n.badge);
      ImVec2 ts = ImGui::CalcTextSize(badge.c_str());
      dl->AddText(ImVec2(c.x - ts.x / 2, c.y - ts.y / 2), IM_COL32(255, 255, 255, 255), badge.c_str());
    }
    if (hovered && io.MousePos.x >= a.x && io.MousePos.x <= b.x && io.MousePos.y >= a.y && io.MousePos.y <= b.y)
      hovered_node = static_cast<int>(i);
  }
  // The fill's legend (bottom left) and, when the graph is larger than the panel, the overview.
  const viz::Legend legend = viz::graph_legend(doc.model(), doc.graph(), doc.view.color_by);
  const bool overflow = scene->width * cam.scale > size.x + 1 || scene->height * cam.scale > size.y + 1;
  ImVec2 ov_a, ov_b;
  double ov_s = 0;
  if (overflow) {
    const float ow = std::min(160.0f, size.x * 0.28f), oh = std::min(120.0f, size.y * 0.3f);
    ov_s = std::min(ow / std::max(scene->width, 1.0), oh / std::max(scene->height, 1.0));
    const float w = static_cast<float>(scene->width * ov_s), h = static_cast<float>(scene->height * ov_s);
    ov_a = ImVec2(p0.x + size.x - w - 8, p0.y + size.y - h - 8);
    ov_b = ImVec2(ov_a.x + w, ov_a.y + h);
    dl->AddRectFilled(ImVec2(ov_a.x - 3, ov_a.y - 3), ImVec2(ov_b.x + 3, ov_b.y + 3), IM_COL32(24, 24, 30, 225), 3);
    for (const auto& n : scene->nodes) {
      ImVec2 a(static_cast<float>(ov_a.x + (n.x - n.w / 2) * ov_s),
               static_cast<float>(ov_a.y + (n.y - n.h / 2) * ov_s));
      ImVec2 b(static_cast<float>(ov_a.x + (n.x + n.w / 2) * ov_s),
               static_cast<float>(ov_a.y + (n.y + n.h / 2) * ov_s));
      dl->AddRectFilled(a, ImVec2(std::max(b.x, a.x + 1), std::max(b.y, a.y + 1)),
                        n.selected ? IM_COL32(255, 255, 255, 255) : hex_color(n.fill));
    }
    const double vx0 = cam.cx - size.x / 2 / cam.scale, vy0 = cam.cy - size.y / 2 / cam.scale;
    ImVec2 va(static_cast<float>(ov_a.x + vx0 * ov_s), static_cast<float>(ov_a.y + vy0 * ov_s));
    ImVec2 vb(static_cast<float>(va.x + size.x / cam.scale * ov_s),
              static_cast<float>(va.y + size.y / cam.scale * ov_s));
    dl->PushClipRect(ImVec2(ov_a.x - 3, ov_a.y - 3), ImVec2(ov_b.x + 3, ov_b.y + 3), true);
    dl->AddRect(va, vb, IM_COL32(255, 220, 120, 255), 0, 0, 1.5f);
    dl->PopClipRect();
    doc.frame["graph_overview"] = true;
  }
  dl->PopClipRect();
  {
    // Drawn in the strip under the canvas (never over the nodes).
    const ImVec2 at(p0.x + 4, p0.y + size.y + 3);
    const ImVec2 used = draw_legend(ImGui::GetWindowDrawList(), at, size.x - 8, legend);
    legend_h_ = used.y + 6;
    doc.frame["legends"].push_back({{"panel", "graph"}, {"title", legend.title}, {"entries", legend.entries.size()}});
  }
  // Overview: pressing or dragging in it moves the view there.
  const bool in_overview = overflow && io.MousePos.x >= ov_a.x && io.MousePos.x <= ov_b.x && io.MousePos.y >= ov_a.y &&
                           io.MousePos.y <= ov_b.y;
  if (in_overview && hovered && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    cam.cx = (io.MousePos.x - ov_a.x) / ov_s;
    cam.cy = (io.MousePos.y - ov_a.y) / ov_s;
    hovered_node = -1;
  }
  // Fit / reset buttons (top left).
  ImGui::SetCursorScreenPos(ImVec2(p0.x + 6, p0.y + 6));
  if (ImGui::SmallButton("readable")) reset_ = true;
  ImGui::SameLine();
  if (ImGui::SmallButton("fit all")) {
    fit_all_ = true;
    cam.fit = true;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the whole graph, even where its labels are too small to read");
  if (reset_) fit_all_ = false;
  if (in_overview) hovered_node = -1;

  if (hovered_node >= 0) {
    const auto& n = scene->nodes[static_cast<size_t>(hovered_node)];
    const auto& vn = doc.graph().nodes[static_cast<size_t>(hovered_node)];
    ImGui::BeginTooltip();
    for (size_t k = 0; k < n.label.size(); ++k) {
      const bool replaced = n.kind == viz::VNode::Kind::Layer && k + 1 == n.label.size() && k >= 3 &&
                            doc.layer_run(n.layer) != Document::Ran;
      ImGui::TextUnformatted(replaced ? doc.run_text(n.layer).c_str() : n.label[k].c_str());
    }
    if (n.kind == viz::VNode::Kind::Group) ImGui::TextDisabled("click: open the group");
    if (n.kind == viz::VNode::Kind::Layer) ImGui::TextDisabled("click: select   double-click: show its tasks");
    if (n.kind == viz::VNode::Kind::Task || n.kind == viz::VNode::Kind::Heatmap)
      ImGui::TextDisabled("double-click: hide the tasks");
    ImGui::EndTooltip();
    if (double_clicked && (n.kind == viz::VNode::Kind::Layer || n.kind == viz::VNode::Kind::Task ||
                           n.kind == viz::VNode::Kind::Heatmap)) {
      doc.toggle_layer(doc.model().layers()[static_cast<size_t>(n.layer)].id);
    } else if (clicked && n.kind == viz::VNode::Kind::Group && vn.group >= 0) {
      toggle = doc.model().groups()[static_cast<size_t>(vn.group)].path;
    } else if (clicked && n.layer >= 0) {
      doc.select_layer(doc.model().layers()[static_cast<size_t>(n.layer)].id);
      doc.center_on.clear();  // the user is pointing at it: do not move the view
    }
  }
  if (!toggle.empty()) doc.toggle_group(toggle);
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) reset_ = true;
}

}  // namespace chunkscope::viewer
