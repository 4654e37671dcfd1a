#pragma once
// Document: one opened trace file and everything the panels show about it — the view model
// (viz::Model), the graph view state and its laid-out Scene, the timeline's time window, the
// selected layer and the chunk-grid slice. Plain state plus the few operations that change it;
// panels read it and call these operations (STYLE.md rule 5: compute, then draw).
//
//   auto doc = Document::open("run.cstrace.cbor");   // never throws
//   if (!doc->ok()) show(doc->error());
//   doc->select_layer("blur");                       // expands its groups, relayouts if needed
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/legend.hpp"
#include "chunkscope/viz/model.hpp"
#include "chunkscope/viz/scene.hpp"
#include "chunkscope/viz/view.hpp"

namespace chunkscope::viewer {

/// Pan and zoom of the graph panel: screen = origin + scale * (scene point - centre).
struct GraphCamera {
  double cx = 0, cy = 0;  ///< scene point at the panel's centre
  double scale = 1;       ///< pixels per point
  bool fit = true;        ///< fit the whole scene on the next draw
};

/// How long the steps of opening took (milliseconds), for the status bar and bench/viewer.
struct OpenTimes {
  double read_ms = 0, analyze_ms = 0, model_ms = 0, graph_ms = 0;
  double total() const { return read_ms + analyze_ms + model_ms + graph_ms; }
};

class Document {
 public:
  /// Reads a trace (JSON, CBOR or compact; detected from the bytes), analyzes it and builds the
  /// model. Never throws: a missing, bad or truncated file gives a document with ok() false and
  /// an error() naming the file. The first graph layout is started (see poll_layout).
  static std::unique_ptr<Document> open(const std::string& path);

  bool ok() const { return model_ != nullptr; }
  const std::string& path() const { return path_; }
  /// File name without directories.
  std::string name() const;
  /// One-line reason why the trace could not be opened (empty when ok()).
  const std::string& error() const { return error_; }
  const viz::Model& model() const { return *model_; }
  const OpenTimes& open_times() const { return times_; }

  // ---- graph -------------------------------------------------------------------------------
  /// The view state (expanded groups/layers, colour-by, selection). After changing the
  /// expanded sets call relayout(); after colour-by, recolor().
  viz::ViewState view;
  /// The visible graph the current scene was laid out from.
  const viz::VisibleGraph& graph() const { return graph_; }
  /// The laid-out scene, or nullptr while the first layout runs or when it failed.
  const viz::Scene* scene() const { return scene_ ? &*scene_ : nullptr; }
  /// Graphviz's error when the last layout failed (empty otherwise).
  const std::string& layout_error() const { return layout_error_; }
  bool layout_pending() const { return pending_.valid(); }
  /// True while the analysis still runs in the background (the trace shows before its findings).
  bool findings_pending() const { return analysis_.valid(); }
  /// Takes the finished analysis, if any (findings, badges, outlines); true when it arrived. Call once per frame.
  bool poll_findings();
  /// Blocks until the analysis is done, then takes it.
  void wait_findings();
  /// Recomputes the visible graph and starts laying it out off the UI thread (Graphviz runs only
  /// here: on open and on expand/collapse).
  void relayout();
  /// Takes a finished layout, if any; true when the scene changed. Call once per frame.
  bool poll_layout();
  /// Blocks until the analysis (unless with_findings is false) and the pending layout are done,
  /// then takes them (screenshot mode: deterministic pictures).
  void wait_layout(bool with_findings = true);
  /// Recomputes fills and values (colour-by changed) without a new layout.
  void recolor();
  GraphCamera camera;
  /// Scene node key to centre on once the scene has it ("" = none).
  std::string center_on;

  // ---- selection ---------------------------------------------------------------------------
  /// Selects a layer by id: expands its groups (relayout when that changed the graph), marks it
  /// selected, resets the chunk-grid slice and asks the graph panel to centre it. Unknown id: no change.
  void select_layer(const std::string& id);
  /// Index of the selected layer, or -1.
  int selected_layer() const { return selected_layer_; }
  /// Opens or closes a group (node or cluster clicked).
  void toggle_group(const std::string& path);
  /// Shows or hides a layer's tasks (double-click); shown, the graph fits them (fit_layer).
  void toggle_layer(const std::string& id);
  /// Layer id whose tasks (their cluster, or its heat-map node) the graph panel fits once the scene
  /// has them ("" = none), as the browser does on a double-click.
  std::string fit_layer;

  // ---- timeline / memory / chunk grid --------------------------------------------------------
  std::int64_t t0 = 0, t1 = 0;  ///< the timeline's window (ns since the run's start)
  /// The whole run: [0, wall] (at least [0, 1]); [0, axis_end_ns] when the axis is shared.
  void reset_window();
  /// End of the time axis when it is shared with another run (compare: the longer run's wall
  /// time, so both runs are drawn on one scale); 0 = this run's own wall time.
  std::int64_t axis_end_ns = 0;
  /// The end of the time axis: axis_end_ns when set, else the run's wall time (at least 1).
  std::int64_t axis_end() const;
  /// The brushed time range of the timeline (shift-drag or right-drag); brush_t1 <= brush_t0: none.
  std::int64_t brush_t0 = 0, brush_t1 = 0;
  /// The memory chart: false the total live bytes, true stacked by layer (viz::memory_stack).
  bool memory_by_layer = false;
  viz::GridColor grid_color = viz::GridColor::Duration;
  std::vector<std::int64_t> grid_fixed;  ///< index on the axes the grid does not show

  // ---- shared per-trace facts ----------------------------------------------------------------
  /// Layer colours of every panel that colours tasks by layer (viz::timeline_colors: by layer, or
  /// by group / op with a note when there are more layers than hues).
  const viz::LayerColors& layer_colors() const { return colors_; }
  /// Per layer: 0 ran, 1 a task failed (drawn red), 2 no task ran ("not run"), 3 its work ran
  /// inside another layer (LayerStats::fused_into: "fused into <layer>").
  enum LayerRun { Ran = 0, Failed = 1, NotRun = 2, Fused = 3 };
  LayerRun layer_run(int layer) const { return run_[static_cast<size_t>(layer)]; }
  /// What graph, table and tooltips say instead of numbers for a layer that did not run its own
  /// tasks: "FAILED", "not run", "fused into <layer>"; "" for a layer that ran.
  std::string run_text(int layer) const;
  /// The layer a panel shows before anything is selected: the first finding's, else the busiest.
  int default_layer() const;

  /// What the last frame drew, filled by the panels (App::frame clears it): the rendered heights
  /// of the graph's visible labels, panel rectangles, legends, highlighted tasks, the brushed
  /// range's summary. --dump-view writes it under "frame" (tests/viewer read it).
  nlohmann::json frame = nlohmann::json::object();

 private:
  Document() = default;
  void mark_selected();

  std::string path_, error_;
  std::unique_ptr<viz::Model> model_;
  OpenTimes times_;
  viz::VisibleGraph graph_;
  std::optional<viz::Scene> scene_;
  std::string layout_error_;
  std::future<viz::Scene> pending_;
  std::future<Findings> analysis_;
  viz::VisibleGraph pending_graph_;
  bool relayout_again_ = false;
  int selected_layer_ = -1;
  viz::LayerColors colors_;
  std::vector<LayerRun> run_;
};

/// Milliseconds since `t`.
inline double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace chunkscope::viewer
