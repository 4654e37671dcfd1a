#pragma once
// Legends and the scale rules every front-end shares: what each colour means (the graph's fill
// for each colour-by mode, with values; the timeline's layer colours; the chunk grid's ramp with
// its true min/max and the clipped range it colours) and whether a memory limit is drawn on a
// chart's scale or written above it. Computed here once, drawn by the browser and the native viewer.
//
//   viz::Legend l = viz::graph_legend(model, graph, viz::ColorBy::TimeShare);
//   l.title;                 // "fill: busy time"
//   l.entries[4].label;      // "12.4 s" (the largest visible), entries low -> high
//   viz::LayerColors tc = viz::timeline_colors(model);   // by layer, or by group / op + note
//   viz::LimitScale s = viz::limit_on_scale(limit, curve_max);  // s.drawn, s.top, s.note
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/model.hpp"
#include "chunkscope/viz/view.hpp"

namespace chunkscope::viz {

/// One swatch of a legend: a colour ("#rrggbb") and what it stands for.
struct LegendEntry {
  std::string color;
  std::string label;
};

/// A legend: a ramp (entries are stops from low to high, labelled with their values) or
/// categories (one swatch per key), with a title and a note saying what is special about it.
struct Legend {
  std::string title;  ///< "fill: busy time", "layer colours", "chunk duration"
  bool ramp = false;  ///< true: continuous scale, entries low -> high
  std::vector<LegendEntry> entries;
  std::string note;  ///< "" or e.g. "30 layers, 12 hues: coloured by group"
};

/// The graph fill's legend for a colour-by mode, with the values of the graph as shown (the
/// scale is the largest visible layer or group; task nodes have their own, stated in the note):
/// time, memory (bytes held at the peak), tasks, chunk-bytes, critical (time on the critical
/// path): a 5-stop ramp from 0 to that largest value; worker: one swatch per worker of the
/// visible nodes ("never ran" grey); findings: none, info, warning, critical.
Legend graph_legend(const Model& m, const VisibleGraph& g, ColorBy mode);

/// Colours of layers in the timeline (and in every panel that colours tasks by layer).
struct LayerColors {
  std::vector<std::string> color;  ///< per layer (Model::layers index)
  std::vector<int> key;            ///< per layer: index of its legend entry (-1: never ran)
  std::string by;                  ///< "layer", "group", "op" or "busiest"
  Legend legend;                   ///< one entry per colour used, in order
};
/// Up to 12 layers that ran: one hue each. More: coloured by group when the layers' groups are
/// 2..12, else by op when the ops are 2..12, else the 11 busiest layers their own hue and the
/// others grey ("other layers"); the note says which and why. Two layers that ran never share a
/// colour without the legend saying what that colour stands for.
LayerColors timeline_colors(const Model& m);

/// The chunk grid's ramp: the colours span the clipped range (2nd..98th percentile for duration
/// and bytes with 50 or more cells, else the true range); the legend states both, low -> high.
/// Start: times from the run's start. Worker: a swatch per worker shown.
struct GridScale {
  double true_min = 0, true_max = 0;  ///< over the cells with a value
  double lo = 0, hi = 0;              ///< what the ramp's ends stand for
  bool clipped = false;               ///< lo/hi differ from the true range
  Legend legend;
};
GridScale grid_scale(const ChunkGrid& g, GridColor color);
/// The ramp's ends of a set of values (NaN skipped): the 2nd and 98th percentile with 50 or more
/// values, else the min and max. chunk_grid colours by the same rule.
std::pair<double, double> clipped_range(const std::vector<double>& values);

/// Whether a memory chart draws its limit on its scale (a limit within kLimitOnScale times the
/// highest value shown) or writes it at the top; top = the scale's top before headroom.
inline constexpr double kLimitOnScale = 4.0;
struct LimitScale {
  bool drawn = false;  ///< the dashed limit line is on the chart
  double top = 0;      ///< the chart's top value (max of the curve and a drawn limit)
  std::string note;    ///< "" (no limit), "limit 16.0 GiB", or "limit 70.9 GiB off scale above (peak 3.1% of it)"
};
LimitScale limit_on_scale(std::int64_t limit, double curve_max, std::int64_t peak = 0);

}  // namespace chunkscope::viz
