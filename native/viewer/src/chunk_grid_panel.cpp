#include "chunk_grid_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/legend.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

namespace {

// Axis names: params.dims when the trace names them (xarray), else "axis k".
std::string axis_name(const TraceLayer& tl, int axis) {
  const auto it = tl.params.find("dims");
  if (it != tl.params.end() && it->is_array() && axis < static_cast<int>(it->size()) &&
      (*it)[static_cast<size_t>(axis)].is_string())
    return (*it)[static_cast<size_t>(axis)].get<std::string>();
  return "axis " + std::to_string(axis);
}

// Cumulative offsets of an axis's chunks: n + 1 entries from 0 to the axis length.
std::vector<double> offsets(const TraceLayer& tl, int axis, int n) {
  std::vector<double> out{0};
  for (int k = 0; k < n; ++k) {
    double size = 1;
    if (axis >= 0 && static_cast<size_t>(axis) < tl.chunks.size() &&
        static_cast<size_t>(k) < tl.chunks[static_cast<size_t>(axis)].size())
      size =
          static_cast<double>(std::max<std::int64_t>(tl.chunks[static_cast<size_t>(axis)][static_cast<size_t>(k)], 1));
    out.push_back(out.back() + size);
  }
  return out;
}

}  // namespace

void ChunkGridPanel::draw(Document& doc) {
  int layer = doc.selected_layer();
  const bool fallback = layer < 0;
  if (fallback) layer = doc.default_layer();  // before any selection: the first finding's layer, or the busiest
  if (layer < 0) {
    ImGui::TextDisabled("no layer to show");
    return;
  }
  const auto& stats = doc.model().layers()[static_cast<size_t>(layer)];
  const TraceLayer& tl = doc.model().trace().layers[static_cast<size_t>(layer)];
  const char* modes[] = {"duration", "bytes", "worker", "start"};
  int mode = static_cast<int>(doc.grid_color);
  ImGui::SetNextItemWidth(100);
  if (ImGui::Combo("##colour", &mode, modes, 4)) doc.grid_color = static_cast<viz::GridColor>(mode);
  if (doc_ != &doc || layer_ != layer || color_ != doc.grid_color || fixed_ != doc.grid_fixed) {
    grid_ = viz::chunk_grid(doc.model(), layer, doc.grid_color, doc.grid_fixed);
    scale_ = viz::grid_scale(grid_, doc.grid_color);
    doc_ = &doc;
    layer_ = layer;
    color_ = doc.grid_color;
    if (!fallback) doc.grid_fixed = grid_.fixed;  // clamped
    fixed_ = doc.grid_fixed;
  }
  ImGui::SameLine();
  ImGui::Text("%s%s", stats.id.c_str(), fallback ? "  (nothing selected: the first finding's layer)" : "");
  ImGui::TextDisabled("%s chunks of %s over %s (grid %s)", viz::fmt_count(stats.chunks).c_str(),
                      stats.chunk_shape_text.c_str(), stats.shape_text.c_str(), viz::fmt_shape(grid_.grid).c_str());
  // A slider per axis that the 2-D slice does not show, named.
  for (size_t axis = 0; axis < grid_.fixed.size(); ++axis) {
    int v = static_cast<int>(grid_.fixed[axis]), hi = static_cast<int>(grid_.grid[axis]) - 1;
    ImGui::SetNextItemWidth(160);
    std::string label = axis_name(tl, static_cast<int>(axis)) + " chunk";
    if (ImGui::SliderInt(label.c_str(), &v, 0, std::max(hi, 0))) {
      doc.grid_fixed = grid_.fixed;
      doc.grid_fixed[axis] = v;
    }
  }
  // The ramp with its true range and the clipped one (viz::grid_scale).
  {
    ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 used = draw_legend(ImGui::GetWindowDrawList(), at, ImGui::GetContentRegionAvail().x, scale_.legend);
    ImGui::Dummy(ImVec2(used.x, used.y + 2));
    doc.frame["legends"].push_back({{"panel", "chunk grid"},
                                    {"title", scale_.legend.title},
                                    {"entries", scale_.legend.entries.size()},
                                    {"note", scale_.legend.note}});
  }
  // Cells to scale: widths and heights proportional to the chunk sizes (irregular chunks show),
  // axes labelled with chunk indices and element offsets.
  const float axis_left = 44, axis_top = ImGui::GetTextLineHeight() * 2 + 2,
              axis_bottom = ImGui::GetTextLineHeight() + 2;
  ImVec2 p0 = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
  avail.x -= axis_left + 4;
  avail.y -= axis_top + axis_bottom + 4;
  if (avail.x < 10 || avail.y < 10 || grid_.rows <= 0 || grid_.cols <= 0) return;
  const std::vector<double> xs = offsets(tl, grid_.col_axis, grid_.cols), ys = offsets(tl, grid_.row_axis, grid_.rows);
  double sx = avail.x / xs.back(), sy = avail.y / ys.back();
  const double uniform = std::min(sx, sy);
  // True proportions unless that leaves one side under 40% of the room (a 1×100,000 array).
  if (uniform * xs.back() >= 0.4 * avail.x && uniform * ys.back() >= 0.4 * avail.y) sx = sy = uniform;
  sx = std::min(sx, 96.0 * grid_.cols / xs.back());
  sy = std::min(sy, 96.0 * grid_.rows / ys.back());
  const ImVec2 g0(p0.x + axis_left, p0.y + axis_top);
  const float gw = static_cast<float>(xs.back() * sx), gh = static_cast<float>(ys.back() * sy);
  ImGui::SetCursorScreenPos(g0);
  ImGui::InvisibleButton("grid_canvas", ImVec2(std::max(gw, 1.0f), std::max(gh, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 muted = IM_COL32(165, 165, 178, 255);
  // Axis titles and ticks (about one per 60 px).
  const std::string col_title =
      grid_.col_axis >= 0 ? axis_name(tl, grid_.col_axis) + " (" + viz::fmt_count(grid_.cols) + " chunks)" : "";
  const std::string row_title = grid_.row_axis >= 0 ? axis_name(tl, grid_.row_axis) : "";
  dl->AddText(ImVec2(g0.x, p0.y), muted, col_title.c_str());
  if (!row_title.empty()) dl->AddText(ImVec2(p0.x, g0.y + gh + 2), muted, (row_title + " (rows)").c_str());
  auto ticks = [&](const std::vector<double>& off, double s, bool horizontal) {
    float last = -1e9f;
    for (size_t k = 0; k + 1 < off.size(); ++k) {
      const float pos = static_cast<float>(off[k] * s);
      if (pos - last < (horizontal ? 60 : 2 * ImGui::GetTextLineHeight()) && k != 0) continue;
      last = pos;
      const std::string t = viz::fmt_count(static_cast<std::int64_t>(off[k]));
      if (horizontal) {
        dl->AddLine(ImVec2(g0.x + pos, g0.y - 3), ImVec2(g0.x + pos, g0.y), muted);
        dl->AddText(ImVec2(g0.x + pos + 1, g0.y - ImGui::GetTextLineHeight() - 2), muted, t.c_str());
      } else {
        dl->AddLine(ImVec2(g0.x - 3, g0.y + pos), ImVec2(g0.x, g0.y + pos), muted);
        dl->AddText(ImVec2(g0.x - 4 - ImGui::CalcTextSize(t.c_str()).x, g0.y + pos), muted, t.c_str());
      }
    }
  };
  if (grid_.col_axis >= 0) ticks(xs, sx, true);
  if (grid_.row_axis >= 0) ticks(ys, sy, false);
  for (int r = 0; r < grid_.rows; ++r)
    for (int c = 0; c < grid_.cols; ++c) {
      const size_t i = static_cast<size_t>(r) * static_cast<size_t>(grid_.cols) + static_cast<size_t>(c);
      ImVec2 a(g0.x + static_cast<float>(xs[static_cast<size_t>(c)] * sx),
               g0.y + static_cast<float>(ys[static_cast<size_t>(r)] * sy));
      ImVec2 b(g0.x + static_cast<float>(xs[static_cast<size_t>(c) + 1] * sx),
               g0.y + static_cast<float>(ys[static_cast<size_t>(r) + 1] * sy));
      if (b.x - a.x >= 6) b.x -= 1;
      if (b.y - a.y >= 6) b.y -= 1;
      dl->AddRectFilled(a, ImVec2(std::max(b.x, a.x + 1), std::max(b.y, a.y + 1)),
                        grid_.colors[i].empty() ? IM_COL32(60, 60, 66, 255) : hex_color(grid_.colors[i]));
    }
  doc.frame["chunk_grid"] = {{"layer", stats.id}, {"fallback", fallback}, {"px", {std::round(gw), std::round(gh)}}};
  if (hovered) {
    ImGuiIO& io = ImGui::GetIO();
    const double ex = (io.MousePos.x - g0.x) / sx, ey = (io.MousePos.y - g0.y) / sy;
    const int c = static_cast<int>(std::upper_bound(xs.begin(), xs.end(), ex) - xs.begin()) - 1;
    const int r = static_cast<int>(std::upper_bound(ys.begin(), ys.end(), ey) - ys.begin()) - 1;
    if (r >= 0 && r < grid_.rows && c >= 0 && c < grid_.cols) {
      const size_t i = static_cast<size_t>(r) * static_cast<size_t>(grid_.cols) + static_cast<size_t>(c);
      ImGui::BeginTooltip();
      if (grid_.task[i] >= 0) {
        viz::TaskInfo t = viz::task_info(doc.model(), grid_.task[i]);
        ImGui::Text("chunk %s, shape %s", shape_text(t.chunk_index).c_str(), viz::fmt_shape(t.chunk_shape).c_str());
        ImGui::Text("%s, %s, worker %d", viz::fmt_bytes(static_cast<double>(t.bytes)).c_str(),
                    viz::fmt_duration(static_cast<double>(t.duration_ns)).c_str(), t.worker);
      } else {
        ImGui::TextUnformatted("no task ran for this chunk");
      }
      ImGui::EndTooltip();
    }
  }
}

}  // namespace chunkscope::viewer
