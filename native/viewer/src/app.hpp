#pragma once
// App: the opened documents and the window's fixed panel layout — a bar (file menu, one tab per
// trace, colour-by, compare), then either the error panel of a trace that could not be read, the
// panels of one trace (graph, findings, timeline, memory, chunk grid, layer table), or two traces
// side by side on one shared time axis with their per-layer differences. Draws with ImGui; owns no platform code.
//
//   App app;
//   app.open("before.cstrace.json"); app.open("after.cstrace.cbor");
//   while (...) { window.begin_frame(); app.frame(); window.end_frame(); }
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chunk_grid_panel.hpp"
#include "compare_panel.hpp"
#include "document.hpp"
#include "file_dialog.hpp"
#include "findings_panel.hpp"
#include "graph_panel.hpp"
#include "layer_table_panel.hpp"
#include "memory_panel.hpp"
#include "timeline_panel.hpp"

namespace chunkscope::viewer {

class App {
 public:
  /// Opens a trace in a new tab and makes it active (a failed open gets a tab with its error).
  Document& open(const std::string& path);
  const std::vector<std::unique_ptr<Document>>& documents() const { return docs_; }
  /// Shows the first two traces side by side.
  bool compare = false;
  /// Draws one frame over the whole display (call between ImGui::NewFrame and Render).
  void frame();

 private:
  void draw_bar();
  void draw_document(Document& doc, float x, float y, float w, float h);
  void draw_compare(float x, float y, float w, float h);
  void draw_error(const Document& doc);

  std::vector<std::unique_ptr<Document>> docs_;
  size_t active_ = 0;
  FileDialog dialog_;
  GraphPanel graph_;
  TimelinePanel timeline_, timeline_b_;
  MemoryPanel memory_, memory_b_;
  FindingsPanel findings_;
  ChunkGridPanel grid_;
  LayerTablePanel table_;
  ComparePanel compare_panel_;
  // Compare: the window and brush both runs showed last frame (one shared time axis).
  std::int64_t shared_t0_ = -1, shared_t1_ = -1, shared_b0_ = 0, shared_b1_ = 0;
};

}  // namespace chunkscope::viewer
