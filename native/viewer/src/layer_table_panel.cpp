#include "layer_table_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <numeric>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/palette.hpp"
#include "draw_util.hpp"

namespace chunkscope::viewer {

namespace {

enum Column {
  Index,
  Id,
  Picture,
  Op,
  ShapeCol,
  Dtype,
  Chunk,
  Chunks,
  Tasks,
  Busy,
  Share,
  Peak,
  Bytes,
  Group,
  Findings,
  CreatedAt,
  Count
};

bool less(const viz::LayerStats& a, const viz::LayerStats& b, int column) {
  switch (column) {
    case Id: return a.id < b.id;
    case Op: return a.op < b.op;
    case Group: return a.group < b.group;
    case ShapeCol: return a.shape < b.shape;
    case Chunks: return a.chunks < b.chunks;
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

// A small to-scale picture of the layer's chunk grid over its last two axes (cell widths and
// heights proportional to the chunk sizes; at most 16 boundaries per axis drawn).
void chunk_picture(const TraceLayer& tl) {
  const float h = ImGui::GetTextLineHeight(), w = 56;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(w, h));
  if (tl.chunks.empty() || tl.unknown_sizes()) return;
  const size_t nd = tl.chunks.size();
  const auto& cols = tl.chunks[nd - 1];
  const std::vector<std::int64_t> one{1};
  const auto& rows = nd >= 2 ? tl.chunks[nd - 2] : one;
  double cw = 0, rh = 0;
  for (auto c : cols) cw += static_cast<double>(c);
  for (auto r : rows) rh += static_cast<double>(r);
  if (cw <= 0 || rh <= 0) return;
  const double s = std::min(w / cw, (h - 2) / rh);
  const float pw = std::max(2.0f, static_cast<float>(cw * s)), ph = std::max(2.0f, static_cast<float>(rh * s));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a(p.x, p.y + 1), b(p.x + pw, p.y + 1 + ph);
  dl->AddRectFilled(a, b, IM_COL32(90, 120, 170, 160));
  const ImU32 line = IM_COL32(230, 230, 240, 170);
  auto lines = [&](const std::vector<std::int64_t>& sizes, double scale, bool vertical) {
    double at = 0;
    const size_t step = std::max<size_t>(1, sizes.size() / 16);
    for (size_t k = 0; k + 1 < sizes.size(); ++k) {
      at += static_cast<double>(sizes[k]);
      if ((k + 1) % step) continue;
      const float v = static_cast<float>(at * scale);
      if (vertical)
        dl->AddLine(ImVec2(a.x + v, a.y), ImVec2(a.x + v, b.y), line);
      else
        dl->AddLine(ImVec2(a.x, a.y + v), ImVec2(b.x, a.y + v), line);
    }
  };
  lines(cols, s, true);
  if (nd >= 2) lines(rows, s, false);
  dl->AddRect(a, b, line);
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
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("layers", Count, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort);  // graph (trace) order first
  ImGui::TableSetupColumn("layer");
  ImGui::TableSetupColumn("chunks to scale", ImGuiTableColumnFlags_NoSort);
  ImGui::TableSetupColumn("op");
  ImGui::TableSetupColumn("shape");
  ImGui::TableSetupColumn("dtype", ImGuiTableColumnFlags_NoSort);
  ImGui::TableSetupColumn("chunk shape");
  ImGui::TableSetupColumn("chunks");
  ImGui::TableSetupColumn("tasks");
  ImGui::TableSetupColumn("time");
  ImGui::TableSetupColumn("share");
  ImGui::TableSetupColumn("held at peak");
  ImGui::TableSetupColumn("bytes out");
  ImGui::TableSetupColumn("group");
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
      ImGui::TextDisabled("%d", l.layer + 1);
      ImGui::TableNextColumn();
      ImGui::PushID(l.layer);
      const Document::LayerRun run = doc.layer_run(l.layer);
      ImGui::PushStyleColor(ImGuiCol_Text, run == Document::Failed
                                               ? IM_COL32(239, 68, 68, 255)
                                               : hex_color(doc.layer_colors().color[static_cast<size_t>(l.layer)]));
      if (ImGui::Selectable(l.id.c_str(), l.layer == doc.selected_layer(), ImGuiSelectableFlags_SpanAllColumns))
        doc.select_layer(l.id);
      ImGui::PopStyleColor();
      ImGui::PopID();
      ImGui::TableNextColumn();
      chunk_picture(doc.model().trace().layers[static_cast<size_t>(l.layer)]);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.op.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.shape_text.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(doc.model().trace().layers[static_cast<size_t>(l.layer)].dtype.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.chunk_shape_text.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(viz::fmt_count(l.chunks).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(viz::fmt_count(l.tasks).c_str());
      ImGui::TableNextColumn();
      if (run == Document::NotRun || run == Document::Fused)
        ImGui::TextDisabled("%s", doc.run_text(l.layer).c_str());
      else if (run == Document::Failed)
        ImGui::TextColored(ImVec4(0.94f, 0.27f, 0.27f, 1), "failed");
      else
        ImGui::TextUnformatted(viz::fmt_duration(static_cast<double>(l.busy_ns)).c_str());
      ImGui::TableNextColumn();
      const bool own = run == Document::Ran || run == Document::Failed;  // numbers of its own tasks
      if (own) ImGui::TextUnformatted(viz::fmt_percent(l.time_share).c_str());
      ImGui::TableNextColumn();
      if (own) ImGui::TextUnformatted(viz::fmt_bytes(static_cast<double>(l.peak_held_bytes)).c_str());
      ImGui::TableNextColumn();
      if (own) ImGui::TextUnformatted(viz::fmt_bytes(static_cast<double>(l.bytes_out)).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.group.c_str());
      ImGui::TableNextColumn();
      if (l.findings > 0)
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(hex_color(viz::severity_color(l.severity))), "%d",
                           l.findings);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.created_at.c_str());
    }
  ImGui::EndTable();
}

}  // namespace chunkscope::viewer
