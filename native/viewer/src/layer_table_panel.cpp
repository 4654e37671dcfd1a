#include "layer_table_panel.hpp"

#include <algorithm>
#include <numeric>

#include <imgui.h>

#include "chunkscope/core/units.hpp"
#include "chunkscope/viz/palette.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

namespace {

enum Column { Id, Op, Group, Tasks, Busy, Share, Bytes, Peak, Chunk, Findings, CreatedAt, Count };

bool less(const viz::LayerStats& a, const viz::LayerStats& b, int column) {
  switch (column) {
    case Id: return a.id < b.id;
    case Op: return a.op < b.op;
    case Group: return a.group < b.group;
    case Tasks: return a.tasks < b.tasks;
    case Busy:
    case Share: return a.busy_ns < b.busy_ns;
    case Bytes: return a.bytes_out < b.bytes_out;
    case Peak: return a.peak_held_bytes < b.peak_held_bytes;
    case Chunk: return a.chunk_bytes < b.chunk_bytes;
    case Findings: return std::make_pair(a.severity, a.findings) < std::make_pair(b.severity, b.findings);
    case CreatedAt: return a.created_at < b.created_at;
    default: return a.layer < b.layer;
  }
}

}  // namespace

void LayerTablePanel::draw(Document& doc) {
  const auto& layers = doc.model().layers();
  if (doc_ != &doc || order_.size() != layers.size()) {
    order_.resize(layers.size());
    std::iota(order_.begin(), order_.end(), 0);
    doc_ = &doc;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("layers", Count, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("layer", ImGuiTableColumnFlags_DefaultSort);
  ImGui::TableSetupColumn("op");
  ImGui::TableSetupColumn("group");
  ImGui::TableSetupColumn("tasks");
  ImGui::TableSetupColumn("busy");
  ImGui::TableSetupColumn("share");
  ImGui::TableSetupColumn("bytes out");
  ImGui::TableSetupColumn("at peak");
  ImGui::TableSetupColumn("chunk");
  ImGui::TableSetupColumn("findings");
  ImGui::TableSetupColumn("created at");  // Dask: the user's file:line (params.created_at)
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsDirty) {
    if (sort->SpecsCount > 0) {
      int column = sort->Specs[0].ColumnIndex;
      bool desc = sort->Specs[0].SortDirection == ImGuiSortDirection_Descending;
      std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
        const auto &la = layers[static_cast<size_t>(a)], &lb = layers[static_cast<size_t>(b)];
        return desc ? less(lb, la, column) : less(la, lb, column);
      });
    }
    sort->SpecsDirty = false;
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(order_.size()));
  while (clipper.Step())
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const auto& l = layers[static_cast<size_t>(order_[static_cast<size_t>(row)])];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(l.layer);
      ImGui::PushStyleColor(ImGuiCol_Text, hex_color(viz::layer_color(l.layer)));
      if (ImGui::Selectable(l.id.c_str(), l.layer == doc.selected_layer(), ImGuiSelectableFlags_SpanAllColumns))
        doc.select_layer(l.id);
      ImGui::PopStyleColor();
      ImGui::PopID();
      ImGui::TableNextColumn(); ImGui::TextUnformatted(l.op.c_str());
      ImGui::TableNextColumn(); ImGui::TextUnformatted(l.group.c_str());
      ImGui::TableNextColumn(); ImGui::Text("%lld", static_cast<long long>(l.tasks));
      ImGui::TableNextColumn(); ImGui::TextUnformatted(format_duration_ns(static_cast<double>(l.busy_ns)).c_str());
      ImGui::TableNextColumn(); ImGui::Text("%.1f%%", l.time_share * 100);
      ImGui::TableNextColumn(); ImGui::TextUnformatted(format_bytes(static_cast<double>(l.bytes_out)).c_str());
      ImGui::TableNextColumn(); ImGui::TextUnformatted(format_bytes(static_cast<double>(l.peak_held_bytes)).c_str());
      ImGui::TableNextColumn(); ImGui::Text("%s (%s)", shape_text(l.chunk_shape).c_str(), format_bytes(static_cast<double>(l.chunk_bytes)).c_str());
      ImGui::TableNextColumn();
      if (l.findings > 0)
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(hex_color(viz::severity_color(l.severity))), "%d", l.findings);
      ImGui::TableNextColumn(); ImGui::TextUnformatted(l.created_at.c_str());
    }
  ImGui::EndTable();
}

}  // namespace chunkscope::viewer
