#include "graph_panel.hpp"

#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "chunkscope/core/units.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

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
  ImGui::InvisibleButton("graph_canvas", size, ImGuiButtonFlags_MouseButtonLeft);
  const bool hovered = ImGui::IsItemHovered();
  GraphCamera& cam = doc.camera;
  if (cam.fit) {
    double s = std::min(size.x / std::max(scene->width, 1.0), size.y / std::max(scene->height, 1.0)) * 0.95;
    cam.scale = std::clamp(s, 0.05, 1.6);
    cam.cx = scene->width / 2;
    cam.cy = scene->height / 2;
    cam.fit = false;
  }
  if (!doc.center_on.empty()) {
    for (const auto& n : scene->nodes)
      if (n.kind == viz::VNode::Kind::Layer && n.layer == doc.selected_layer()) {
        cam.cx = n.x;
        cam.cy = n.y;
        cam.scale = std::max(cam.scale, 0.4);
      }
    if (!doc.layout_pending()) doc.center_on.clear();
  }
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mid(p0.x + size.x / 2, p0.y + size.y / 2);
  auto to_screen = [&](double x, double y) {
    return ImVec2(static_cast<float>(mid.x + (x - cam.cx) * cam.scale), static_cast<float>(mid.y + (y - cam.cy) * cam.scale));
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
  const float fsize = static_cast<float>(10.0 * cam.scale);
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
                         to_screen(e.points[i + 2].x, e.points[i + 2].y), to_screen(e.points[i + 3].x, e.points[i + 3].y), col, w);
    if (e.arrow && !e.points.empty()) {
      ImVec2 tip = to_screen(e.arrow->x, e.arrow->y), from = to_screen(e.points.back().x, e.points.back().y);
      float dx = tip.x - from.x, dy = tip.y - from.y, len = std::sqrt(dx * dx + dy * dy);
      if (len > 0.1f) {
        float ux = dx / len, uy = dy / len, hw = std::max(2.5f, static_cast<float>(3.5 * cam.scale));
        dl->AddTriangleFilled(tip, ImVec2(from.x - uy * hw, from.y + ux * hw), ImVec2(from.x + uy * hw, from.y - ux * hw), col);
      }
    }
    if (text && !e.label.empty())
      dl->AddText(font, fsize * 0.9f, to_screen(e.label_pos.x - e.label.size() * 2.2, e.label_pos.y - 5), IM_COL32(215, 190, 140, 255),
                  e.label.c_str());
  }
  // Nodes.
  int hovered_node = -1;
  for (size_t i = 0; i < scene->nodes.size(); ++i) {
    const auto& n = scene->nodes[i];
    ImVec2 a = to_screen(n.x - n.w / 2, n.y - n.h / 2), b = to_screen(n.x + n.w / 2, n.y + n.h / 2);
    ImU32 fill = hex_color(n.fill);
    float round = n.kind == viz::VNode::Kind::Group ? 6.0f : 2.0f;
    dl->AddRectFilled(a, b, fill, round);
    ImU32 stroke = n.selected ? IM_COL32(255, 255, 255, 255) : hex_color(n.stroke);
    float sw = static_cast<float>(n.selected ? 3.0 : std::max(1.0, n.stroke_width * std::min(cam.scale, 1.5)));
    dl->AddRect(a, b, stroke, round, 0, sw);
    if (n.kind == viz::VNode::Kind::Group) dl->AddRect(ImVec2(a.x + 3, a.y + 3), ImVec2(b.x - 3, b.y - 3), lighten(stroke, 0.3f), round);
    if (text) {
      float line_h = fsize * 1.2f, y = (a.y + b.y) / 2 - line_h * static_cast<float>(n.label.size()) / 2;
      dl->PushClipRect(a, b, true);
      for (const auto& line : n.label) {
        ImVec2 ts = font->CalcTextSizeA(fsize, 1e6f, 0, line.c_str());
        dl->AddText(font, fsize, ImVec2((a.x + b.x) / 2 - ts.x / 2, y), text_on(fill), line.c_str());
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
  dl->PopClipRect();

  if (hovered_node >= 0) {
    const auto& n = scene->nodes[static_cast<size_t>(hovered_node)];
    const auto& vn = doc.graph().nodes[static_cast<size_t>(hovered_node)];
    ImGui::BeginTooltip();
    for (const auto& line : n.label) ImGui::TextUnformatted(line.c_str());
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
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) cam.fit = true;
}

}  // namespace chunkscope::viewer
