#include <algorithm>
#include <optional>

#include "chunkscope/core/analysis/chunk_flow.hpp"

namespace chunkscope {
namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? (i + 1 == v.size() ? " and " : ", ") : "") + v[i];
  return s;
}
}  // namespace

FlowIndex::FlowIndex(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow)
    : ids(layers), members(layers.size()) {
  for (size_t l = 0; l < flow.size() && l < layers.size(); ++l)
    if (flow[l].origin >= 0 && static_cast<size_t>(flow[l].origin) < layers.size())
      members[flow[l].origin].push_back(static_cast<int>(l));
}

FamilyAccess family_access(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow, int origin,
                           const FlowIndex* index) {
  std::optional<FlowIndex> own;
  if (!index) index = &own.emplace(layers, flow);
  FamilyAccess fa;
  const int nd = static_cast<int>(layers[origin].shape.size());
  fa.wishes.assign(static_cast<size_t>(nd), AxisWish{});
  std::vector<int> reduced(static_cast<size_t>(nd), 0);
  int partial = 0;
  for (const int l : index->members[origin]) {
    const TraceLayer& x = layers[l];
    if (x.kind == "reduce") {
      const int in = flow[l].primary_input;
      if (in < 0) continue;
      const int in_nd = static_cast<int>(layers[in].shape.size());
      const auto red = reduced_axes(x, in_nd);
      if (static_cast<int>(red.size()) == in_nd) continue;  // a full reduction reads any chunking alike
      ++partial;
      fa.reducers.push_back("\"" + x.id + "\"");
      for (int a : red)
        if (a < static_cast<int>(flow[in].axis_map.size()) && flow[in].axis_map[a] >= 0 && flow[in].axis_map[a] < nd)
          ++reduced[flow[in].axis_map[a]];
    } else if (const int in = flow[l].primary_input; in >= 0 && x.kind == "elementwise") {
      // A block function that drops an axis must see it whole: never split it.
      const int in_nd = static_cast<int>(layers[in].shape.size());
      for (int a : dropped_axes(x, in_nd))
        if (a < static_cast<int>(flow[in].axis_map.size()) && flow[in].axis_map[a] >= 0 && flow[in].axis_map[a] < nd) {
          const int oa = flow[in].axis_map[a];
          fa.wishes[oa].whole = true;
          fa.wishes[oa].min = std::max(fa.wishes[oa].min, layers[origin].shape[oa]);
          if (std::find(fa.dropped.begin(), fa.dropped.end(), "\"" + x.id + "\"") == fa.dropped.end())
            fa.dropped.push_back("\"" + x.id + "\"");
        }
    } else if (x.kind == "stencil") {
      const auto h = stencil_halo(x);
      bool any = false;
      for (size_t k = 0; k < h.size() && k < flow[l].axis_map.size(); ++k) {
        const int oa = flow[l].axis_map[k];
        if (oa >= 0 && oa < nd && h[k] > 0) {
          fa.wishes[oa].min = std::max(fa.wishes[oa].min, 4 * h[k]);
          any = true;
        }
      }
      if (any) fa.stencils.push_back("\"" + x.id + "\"");
    }
  }
  for (int a = 0; a < nd; ++a) fa.wishes[a].whole |= partial > 0 && reduced[a] == partial;
  return fa;
}

std::string FamilyAccess::why(const Shape& chunk, const Shape& shape) const {
  std::string s;
  bool kept_whole = false;
  for (size_t a = 0; a < wishes.size() && a < chunk.size() && a < shape.size(); ++a)
    kept_whole |= wishes[a].whole && chunk[a] == shape[a];
  if (kept_whole && !reducers.empty())
    s = "the reduced axes stay whole, so " + join(reducers) + (reducers.size() == 1 ? " needs" : " need") +
        " no combining tree";
  if (!dropped.empty())
    s += std::string(s.empty() ? "" : "; ") + "the axes that " + join(dropped) + " drop" +
         (dropped.size() == 1 ? "s" : "") + " stay whole";
  if (!stencils.empty())
    s += std::string(s.empty() ? "" : "; ") + "chunks stay at least 4× the halo of " + join(stencils);
  return s;
}

bool only_feeds(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow,
                const std::vector<std::vector<int>>& consumers, int origin, int r, const FlowIndex* index) {
  std::optional<FlowIndex> own;
  if (!index) index = &own.emplace(layers, flow);
  // The family must be one path from the origin to r's input: element-wise/transpose steps whose
  // array inputs all come from the family, and no other leaf than the layer r reads.
  for (const int l : index->members[origin]) {
    const std::string& kind = layers[l].kind;
    if (kind != "source" && kind != "elementwise" && kind != "transpose" && kind != "rechunk") return false;
    for (const auto& id : layers[l].inputs)
      if (const int v = index->ids.find_before(id, static_cast<size_t>(l)); v >= 0 && flow[v].origin != origin)
        return false;
    bool feeds_r = false, feeds_family = false;
    for (int u : consumers[l]) {
      if (u == r)
        feeds_r = true;
      else if (flow[u].origin == origin)
        feeds_family = true;
      else
        return false;
    }
    if (feeds_r == feeds_family) return false;  // a leaf that is not r's input, or r's input read by the family too
  }
  return true;
}

nlohmann::json chunks_spec_json(const Shape& shape, const Chunks& chunks) {
  nlohmann::json j = nlohmann::json::array();
  for (size_t a = 0; a < shape.size() && a < chunks.size(); ++a) {
    const auto& s = chunks[a];
    if (s.size() <= 1) {
      j.push_back(-1);
      continue;
    }
    bool regular = s.back() <= s[0];
    for (size_t i = 0; i + 1 < s.size(); ++i) regular &= s[i] == s[0];
    if (regular)
      j.push_back(s[0]);
    else
      j.push_back(s);
  }
  return j;
}

RechunkRemoval rechunk_removal(const std::vector<TraceLayer>& layers, const std::vector<ChunkOrigin>& flow,
                               const std::vector<std::vector<int>>& consumers, int r, std::int64_t square_target_bytes,
                               const FlowIndex* index) {
  std::optional<FlowIndex> own;
  if (!index) index = &own.emplace(layers, flow);
  RechunkRemoval out;
  const TraceLayer& R = layers[r];
  const int in = R.inputs.empty() ? -1 : index->ids.find_before(R.inputs[0], static_cast<size_t>(r));
  if (in < 0 || !flow[in].editable) return out;
  const int origin = flow[in].origin;
  const TraceLayer& O = layers[origin];
  auto q = [](const std::string& id) { return "\"" + id + "\""; };
  // 1. Nothing else reads the origin's chunks: chunk it the way the rechunk wants.
  if (origin != r && O.shape.size() == R.shape.size() && only_feeds(layers, flow, consumers, origin, r, index)) {
    Chunks want(O.shape.size());
    bool ok = R.chunks.size() == R.shape.size();
    for (size_t a = 0; a < R.shape.size() && ok; ++a) {
      const int oa = a < flow[in].axis_map.size() ? flow[in].axis_map[a] : -1;
      ok = oa >= 0 && O.shape[oa] == R.shape[a];
      if (ok) want[oa] = R.chunks[a];
    }
    if (ok && want != O.chunks) {
      const nlohmann::json spec = chunks_spec_json(O.shape, want);
      out.ok = true;
      out.edits.push_back({{"layer", O.id}, {"chunks", spec}});
      out.text = "Chunk " + q(O.id) + " as " + spec.dump() + " so that " + q(layers[in].id) +
                 " already arrives chunked like " + q(R.id) + ": the rechunk then has nothing to move" +
                 (R.inserted ? "." : " (you can also delete it).");
      return out;
    }
  }
  // 2. A square array meeting its own transpose: square chunks make the transpose chunked alike.
  if (O.shape.size() == 2 && O.shape[0] == O.shape[1] && R.shape == O.shape) {
    bool meets_self = false;
    for (int u : consumers[r])
      for (const auto& id : layers[u].inputs)
        if (const int v = index->ids.find(id); v >= 0 && v != r && flow[v].origin == origin) meets_self = true;
    if (!meets_self) return out;
    const int isz = dtype_size(O.meta().dtype);
    Shape sq = chunk_shape_near(O.shape, isz, square_target_bytes);
    sq[0] = sq[1] = std::min(sq[0], sq[1]);
    const nlohmann::json spec = chunk_spec_json(O.shape, sq);
    out.ok = true;
    out.edits.push_back({{"layer", O.id}, {"chunks", spec}});
    if (!R.inserted) out.edits.push_back({{"layer", R.id}, {"chunks", spec}});
    out.text = q(O.id) + " meets its own transpose here: with square chunks (" + format_shape(sq) +
               ") the transpose is chunked like " + q(O.id) + ", so set the chunks of " + q(O.id) +
               (R.inserted ? "" : " and " + q(R.id)) + " to " + spec.dump() + " and the all-to-all disappears.";
  }
  return out;
}

}  // namespace chunkscope
