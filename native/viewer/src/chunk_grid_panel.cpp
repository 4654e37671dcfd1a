#include "chunk_grid_panel.hpp"

#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "chunkscope/core/units.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

void ChunkGridPanel::draw(Document& doc) {
  const int layer = doc.selected_layer();
  if (layer < 0) {
    ImGui::TextDisabled("select a layer (graph, findings, table) to see its chunk grid");
    return;
  }
  const auto& stats = doc.model().layers()[static_cast<size_t>(layer)];
  const char* modes[] = {"duration", "bytes", "worker", "start"};
  int mode = static_cast<int>(doc.grid_color);
  ImGui::SetNextItemWidth(110);
  if (ImGui::Combo("colour", &mode, modes, 4)) doc.grid_color = static_cast<viz::GridColor>(mode);
  if (doc_ != &doc || layer_ != layer || color_ != doc.grid_color || fixed_ != doc.grid_fixed) {
    grid_ = viz::chunk_grid(doc.model(), layer, doc.grid_color, doc.grid_fixed);
    doc_ = &doc;
    layer_ = layer;
    color_ = doc.grid_color;
    doc.grid_fixed = grid_.fixed;  // clamped
    fixed_ = doc.grid_fixed;
  }
  ImGui::SameLine();
  ImGui::Text("%s: grid %s", stats.id.c_str(), shape_text(grid_.grid).c_str());
  ImGui::TextDisabled("chunks of %s; %s", shape_text(stats.chunk_shape).c_str(), grid_.fixed.empty() ? "all chunks" : "one 2-D slice (sliders)");
  // A slider per axis that the 2-D slice does not show.
  for (size_t axis = 0; axis < grid_.fixed.size(); ++axis) {
    int v = static_cast<int>(grid_.fixed[axis]), hi = static_cast<int>(grid_.grid[axis]) - 1;
    ImGui::SetNextItemWidth(200);
    std::string label = "axis " + std::to_string(axis);
    if (ImGui::SliderInt(label.c_str(), &v, 0, std::max(hi, 0))) doc.grid_fixed[axis] = v;
  }
  ImVec2 p0 = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
  if (avail.x < 10 || avail.y < 10) return;
  float cell = std::min(avail.x / static_cast<float>(grid_.cols), avail.y / static_cast<float>(grid_.rows));
  cell = std::min(cell, 96.0f);
  const float gw = cell * static_cast<float>(grid_.cols), gh = cell * static_cast<float>(grid_.rows);
  ImGui::InvisibleButton("grid_canvas", ImVec2(std::max(gw, 1.0f), std::max(gh, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const bool gaps = cell >= 6;
  for (int r = 0; r < grid_.rows; ++r)
    for (int c = 0; c < grid_.cols; ++c) {
      size_t i = static_cast<size_t>(r) * static_cast<size_t>(grid_.cols) + static_cast<size_t>(c);
      ImVec2 a(p0.x + static_cast<float>(c) * cell, p0.y + static_cast<float>(r) * cell);
      ImVec2 b(a.x + cell - (gaps ? 1 : 0), a.y + cell - (gaps ? 1 : 0));
      dl->AddRectFilled(a, b, grid_.colors[i].empty() ? IM_COL32(60, 60, 66, 255) : hex_color(grid_.colors[i]));
    }
  if (hovered && cell > 0) {
    ImGuiIO& io = ImGui::GetIO();
    int c = static_cast<int>((io.MousePos.x - p0.x) / cell), r = static_cast<int>((io.MousePos.y - p0.y) / cell);
    if (r >= 0 && r < grid_.rows && c >= 0 && c < grid_.cols) {
      size_t i = static_cast<size_t>(r) * static_cast<size_t>(grid_.cols) + static_cast<size_t>(c);
      ImGui::BeginTooltip();
      if (grid_.task[i] >= 0) {
        viz::TaskInfo t = viz::task_info(doc.model(), grid_.task[i]);
        ImGui::Text("chunk %s, shape %s", shape_text(t.chunk_index).c_str(), shape_text(t.chunk_shape).c_str());
        ImGui::Text("%s, %s, worker %d", format_bytes(static_cast<double>(t.bytes)).c_str(),
                    format_duration_ns(static_cast<double>(t.duration_ns)).c_str(), t.worker);
      } else {
        ImGui::TextUnformatted("no task ran for this chunk");
      }
      ImGui::EndTooltip();
    }
  }
}

}  // namespace chunkscope::viewer
