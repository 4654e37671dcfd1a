#pragma once
// Chunk flow: for every layer, the layer whose `chunks` field decides its chunks (its origin) and
// how its axes map onto the origin's. Element-wise ops, stencils, slices and sinks keep their
// input's chunks; transposes permute them; reductions keep the chunks of the kept axes. Sources
// and rechunks are origins. Advice about chunk shapes is written as an edit on the origin.
//
//   auto flow = chunk_origins(trace.layers);
//   int o = flow[blur].origin;           // "img": the source whose chunks blur inherits
//   flow[blur].axis_map;                 // {0, 1, 2}: blur's axis k is img's axis k
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/layer_index.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// Where one layer's chunks come from.
struct ChunkOrigin {
  int origin = -1;            ///< index of the origin layer (may be the layer itself)
  std::vector<int> axis_map;  ///< per axis of this layer: the origin's axis whose chunks it follows, or -1
  bool editable = false;      ///< the origin is a source or a rechunk the user wrote (not inserted by chunkscope)
  int primary_input = -1;     ///< the input the chunks were followed through, or -1 for origins
};

/// Origins of every layer (layers in topological order, inputs named by id). Unknown inputs and
/// unknown op kinds make a layer its own (non-editable) origin.
std::vector<ChunkOrigin> chunk_origins(const std::vector<TraceLayer>& layers);
/// Indices of the layers that consume each layer.
std::vector<std::vector<int>> layer_consumers(const std::vector<TraceLayer>& layers);
/// Reduced axes of a reduce layer (params "axis": int, list or null = all) for an input of
/// `input_ndim` axes, sorted; empty for other layers.
std::vector<int> reduced_axes(const TraceLayer& l, int input_ndim);
/// Input axes that an element-wise block function drops or sums over (params "dropped_axes", set
/// on Dask traces for `map_blocks(drop_axis=…)`), sorted; empty for other layers. Chunk advice never
/// splits them.
std::vector<int> dropped_axes(const TraceLayer& l, int input_ndim);
/// Output-axis -> input-axis permutation of a transpose layer (params "axes", default reversed).
std::vector<int> transpose_axes(const TraceLayer& l, int ndim);
/// Halo depth per axis (before + after) of a stencil layer; zeros for other layers.
std::vector<std::int64_t> stencil_halo(const TraceLayer& l);
/// True for sources and rechunks the user can give a "chunks" field.
bool takes_chunks(const TraceLayer& l);
/// The lookups the advisors make for every layer, built once in O(layers) (issue 14, item 5: a
/// 20,000-layer pipeline of rechunks took 4.9 s to advise through linear searches per layer).
struct FlowIndex {
  FlowIndex(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow);
  LayerIndex ids;
  std::vector<std::vector<int>> members;  ///< origin -> the layers whose chunks come from it, in order
};

/// How the layers chunked like `origin` read it, as wishes on the origin's axes: axes that every
/// partial reduction of the family reduces are wished whole (no combining tree), axes a stencil
/// filters get a minimum of 4x the halo.
struct FamilyAccess {
  std::vector<AxisWish> wishes;       ///< per axis of the origin
  std::vector<std::string> reducers;  ///< ids of the partial reductions (quoted)
  std::vector<std::string> stencils;  ///< ids of the stencils (quoted)
  std::vector<std::string> dropped;   ///< ids of block functions that drop an axis (quoted); kept whole
  /// A phrase saying how `chunk` respects these wishes ("the reduced axes stay whole, so ...").
  std::string why(const Shape& chunk, const Shape& shape) const;
};
/// `index`: of these layers and flow (built here when not given).
FamilyAccess family_access(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow, int origin,
                           const FlowIndex* index = nullptr);
/// True when nothing but layer `r` reads the chunks of `origin`'s family (sources, element-wise
/// layers and transposes only), so re-chunking the origin changes only what `r` receives.
bool only_feeds(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow,
                const std::vector<std::vector<int>>& consumers, int origin, int r, const FlowIndex* index = nullptr);

/// A way to make rechunk `r` unnecessary by chunking upstream.
struct RechunkRemoval {
  bool ok = false;
  std::vector<nlohmann::json> edits;  ///< {"layer": id, "chunks": spec}
  std::string text;                   ///< one or two sentences of advice
};
/// Chunk the origin of `r`'s input the way `r` wants when nothing else reads it (the rechunk then
/// moves nothing); or, when a square 2-d array meets its own transpose through `r`, square chunks
/// of about `square_target_bytes` for the array and `r`.
RechunkRemoval rechunk_removal(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow,
                               const std::vector<std::vector<int>>& consumers, int r, std::int64_t square_target_bytes,
                               const FlowIndex* index = nullptr);
/// Per-axis chunk spec of a chunking: -1 for a whole axis, the size for regular chunks (equal,
/// the last one possibly smaller), else the explicit list.
nlohmann::json chunks_spec_json(const Shape& shape, const Chunks& chunks);

/// The layers of a graph as a trace stores them (the same as the recorder's).
std::vector<TraceLayer> trace_layers_of(const Graph& g);

}  // namespace chunkscope
