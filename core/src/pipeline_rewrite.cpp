// Rewrite passes of the pipeline parser: chunk unification (rechunks inserted in front of layers
// whose inputs are chunked differently), the sink layers of outputs, and push-down of a rechunk or
// slice into the source it follows.
#include <algorithm>

#include "pipeline_parser.hpp"

namespace chunkscope::detail {

using json = nlohmann::json;

// Inserts a rechunk of layer `in` to `chunks` in front of layer `consumer_id` and returns its index.
int Parser::insert_unify(int in, const Chunks& chunks, const std::string& consumer_id, const std::string& group) {
  // An operand used twice by the same layer (where(m, x, m)) is rechunked once; used twice with
  // different target chunks (matmul(x, x)), it gets a second, numbered rechunk layer.
  std::string id = layers[in].id + ">" + consumer_id;
  for (int k = 2;; ++k) {
    auto it = index.find(id);
    if (it == index.end()) break;
    if (layers[it->second].inserted && layers[it->second].meta.chunks == chunks) return it->second;
    id = layers[in].id + ">" + consumer_id + "#" + std::to_string(k);
  }
  Layer u;
  u.id = id;
  u.name = "rechunk " + layers[in].id + " for " + consumer_id;
  u.op = Op::Rechunk;
  u.kind = OpKind::Rechunk;
  u.group = group;
  u.inputs = {in};
  u.meta = layers[in].meta;
  u.meta.chunks = chunks;
  u.inserted = true;
  json cj = json::array();
  for (const auto& c : chunks) cj.push_back(c);
  u.raw_params = {{"input", layers[in].id},
                  {"chunks", cj},
                  {"reason", "chunks of the inputs of \"" + consumer_id + "\" differ (unify_chunks)"}};
  layers.push_back(std::move(u));
  const int idx = static_cast<int>(layers.size()) - 1;
  index[layers[idx].id] = idx;
  return idx;
}

// Aligns the chunks of array operands of `l` per axis (`axes_of[k]` lists, for operand k, which of
// its axes map to which unified axis; -1 = not unified).
void Parser::unify(Layer& l, std::vector<int>& ins, const std::vector<std::vector<int>>& axis_map, int n_unified,
                   std::vector<std::vector<std::int64_t>>& unified) {
  unified.assign(n_unified, {});
  for (size_t k = 0; k < ins.size(); ++k)
    for (size_t a = 0; a < axis_map[k].size(); ++a) {
      const int u = axis_map[k][a];
      if (u < 0) continue;
      const auto& c = meta(ins[k]).chunks[a];
      unified[u] = unified[u].empty() ? c : common_refinement(unified[u], c);
    }
  for (size_t k = 0; k < ins.size(); ++k) {
    Chunks want = meta(ins[k]).chunks;
    for (size_t a = 0; a < axis_map[k].size(); ++a)
      if (axis_map[k][a] >= 0) want[a] = unified[axis_map[k][a]];
    if (want != meta(ins[k]).chunks) ins[k] = insert_unify(ins[k], want, l.id, l.group);
  }
}

// Whether reading `src` (a Zarr source, not a pushed view) in chunks `read` would decode its
// stored chunks twice or more on average: a rechunk that cuts across the stored chunks is then
// not pushed into the source (each output chunk would decode every stored chunk it touches; a
// (4096, 32)-stored array read as (32, 4096) decodes every stored chunk 128 times). It stays an
// in-memory rechunk of the chunks as stored: each stored chunk is read once.
bool Parser::rereads_stored_chunks(const Layer& src, const Chunks& read) {
  if (src.op != Op::FromZarr || src.params.pushed_source >= 0) return false;
  const auto it = src.raw_params.find("stored_chunks");
  if (it == src.raw_params.end() || !it->is_array()) return false;
  const Shape stored = it->get<Shape>();
  return stored_chunk_decodes(read, stored) >= 2 * stored_chunk_count(src.meta.shape, stored);
}

// Moves a rechunk or slice that directly follows a source into the source.
void Parser::push_into_sources(const std::set<int>& outputs) {
  std::vector<int> consumers(layers.size(), 0);
  for (const Layer& l : layers)
    for (int in : std::set<int>(l.inputs.begin(), l.inputs.end())) ++consumers[in];
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer& l = layers[i];
    if (l.kind != OpKind::Rechunk && l.kind != OpKind::Slice) continue;
    const int s = l.inputs[0];
    Layer& src = layers[s];
    const bool is_source = (src.kind == OpKind::Source && src.pushed_into < 0) || src.params.pushed_source >= 0;
    if (!is_source || consumers[s] != 1 || outputs.count(s)) continue;
    if (l.kind == OpKind::Rechunk && rereads_stored_chunks(src, l.meta.chunks)) continue;
    std::vector<AxisSlice> view;
    int origin = s;
    if (src.params.pushed_source >= 0) {
      view = src.params.source_view;
      origin = src.params.pushed_source;
    } else
      for (auto n : src.meta.shape) view.push_back({0, 1, n});
    if (l.kind == OpKind::Slice) {
      for (size_t a = 0; a < view.size(); ++a) {
        const AxisSlice& sl = l.params.slices[a];
        // One selected element: its step is irrelevant (and the product of two huge steps overflows).
        view[a] = {view[a].at(sl.start), sl.count == 1 ? 1 : view[a].step * sl.step, sl.count};
      }
    }
    l.params.pushed_source = origin;
    l.params.source_view = view;
    src.pushed_into = static_cast<int>(i);
  }
}

Layer Parser::sink_for(const OutputSpec& spec) const {
  const Layer& src = layers[spec.layer];
  Layer s;
  const bool npy = !spec.to_npy.empty();
  s.id = src.id + (npy ? ":to_npy" : ":to_zarr");
  s.name = "write " + (npy ? spec.to_npy : spec.to_zarr);
  s.op = npy ? Op::ToNpy : Op::ToZarr;
  s.kind = OpKind::Sink;
  s.group = src.group;
  s.inputs = {spec.layer};
  s.meta = src.meta;
  s.params.path = npy ? spec.to_npy : spec.to_zarr;
  s.raw_params = {{"input", src.id}, {"path", s.params.path}};
  return s;
}

}  // namespace chunkscope::detail
