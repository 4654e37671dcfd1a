#include "chunkscope/core/analysis/chunk_flow.hpp"

#include <algorithm>
#include <numeric>

#include "chunkscope/core/layer_index.hpp"
#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/plans.hpp"

namespace chunkscope {
namespace {

std::vector<int> identity(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Per-axis numbers from a param that is a number or a list with one entry per axis.
std::vector<double> per_axis(const nlohmann::json& p, const char* key, size_t ndim, double fallback) {
  std::vector<double> out(ndim, fallback);
  if (!p.is_object() || !p.contains(key)) return out;
  const auto& v = p[key];
  if (v.is_number())
    std::fill(out.begin(), out.end(), v.get<double>());
  else if (v.is_array())
    for (size_t a = 0; a < ndim && a < v.size(); ++a)
      if (v[a].is_number()) out[a] = v[a].get<double>();
  return out;
}

}  // namespace

bool takes_chunks(const TraceLayer& l) { return (l.kind == "source" || l.kind == "rechunk") && !l.inserted; }

std::vector<int> reduced_axes(const TraceLayer& l, int input_ndim) {
  std::vector<int> out;
  if (l.kind != "reduce") return out;
  const nlohmann::json& p = l.params;
  const nlohmann::json axis = p.is_object() && p.contains("axis") ? p["axis"] : nlohmann::json(nullptr);
  auto add = [&](const nlohmann::json& a) {
    if (!a.is_number_integer()) return;
    int k = a.get<int>();
    if (k < 0) k += input_ndim;
    if (k >= 0 && k < input_ndim) out.push_back(k);
  };
  if (axis.is_null())
    out = identity(input_ndim);
  else if (axis.is_array())
    for (const auto& a : axis) add(a);
  else
    add(axis);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> dropped_axes(const TraceLayer& l, int input_ndim) {
  std::vector<int> out;
  const nlohmann::json& p = l.params;
  if (l.kind != "elementwise" || !p.is_object() || !p.contains("dropped_axes") || !p["dropped_axes"].is_array())
    return out;
  for (const auto& a : p["dropped_axes"])
    if (a.is_number_integer() && a.get<int>() >= 0 && a.get<int>() < input_ndim) out.push_back(a.get<int>());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> transpose_axes(const TraceLayer& l, int ndim) {
  std::vector<int> perm;
  const nlohmann::json& p = l.params;
  if (p.is_object() && p.contains("axes") && p["axes"].is_array() && static_cast<int>(p["axes"].size()) == ndim) {
    for (const auto& a : p["axes"]) {
      int k = a.is_number_integer() ? a.get<int>() : 0;
      if (k < 0) k += ndim;
      perm.push_back(std::clamp(k, 0, std::max(0, ndim - 1)));
    }
    return perm;
  }
  for (int k = ndim - 1; k >= 0; --k) perm.push_back(k);
  return perm;
}

std::vector<std::int64_t> stencil_halo(const TraceLayer& l) {
  const size_t nd = l.shape.size();
  std::vector<std::int64_t> halo(nd, 0);
  if (l.kind != "stencil") return halo;
  if (l.op == "gaussian_filter") {
    const auto sigma = per_axis(l.params, "sigma", nd, 0);
    const double truncate = l.params.is_object() && l.params.contains("truncate") && l.params["truncate"].is_number()
                                ? l.params["truncate"].get<double>()
                                : 4.0;
    for (size_t a = 0; a < nd; ++a) halo[a] = 2 * gaussian_radius(sigma[a], truncate);
  } else {
    const auto size = per_axis(l.params, "size", nd, 3);
    for (size_t a = 0; a < nd; ++a) halo[a] = std::max<std::int64_t>(0, static_cast<std::int64_t>(size[a]) - 1);
  }
  return halo;
}

std::vector<std::vector<int>> layer_consumers(const std::vector<TraceLayer>& layers) {
  std::vector<std::vector<int>> out(layers.size());
  const LayerIndex ids(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    std::vector<int> seen;
    for (const auto& id : layers[i].inputs) {
      const int in = ids.find_before(id, i);
      if (in < 0 || std::find(seen.begin(), seen.end(), in) != seen.end()) continue;
      seen.push_back(in);
      out[in].push_back(static_cast<int>(i));
    }
  }
  return out;
}

std::vector<ChunkOrigin> chunk_origins(const std::vector<TraceLayer>& layers) {
  std::vector<ChunkOrigin> out(layers.size());
  const LayerIndex ids(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    const TraceLayer& l = layers[i];
    ChunkOrigin& o = out[i];
    const int nd = static_cast<int>(l.shape.size());
    auto self = [&] {
      o.origin = static_cast<int>(i);
      o.axis_map = identity(nd);
      o.editable = takes_chunks(l);
      o.primary_input = -1;
    };
    if (l.kind == "source" || l.kind == "rechunk" || l.inputs.empty()) {
      self();
      continue;
    }
    // The input the chunks follow: the first non-inserted input chunked like this layer, else the first
    // that is an array of this layer's scale — not a helper with one element per block (Dask's
    // block-info input of map_overlap's trim: 8×2 elements beside a 1024×1024 array), whose tiny
    // "chunks" would be taken for the family's — else the first.
    auto elements = [](const TraceLayer& t) {
      double n = 1;
      for (const auto d : t.shape) n *= static_cast<double>(d);
      return t.shape.empty() ? -1.0 : n;  // unknown sizes: no scale to compare
    };
    const double out_elements = elements(l);
    auto helper = [&](int in) {
      const double e = elements(layers[in]);
      return out_elements > 0 && e >= 0 && e * 64 < out_elements;
    };
    int primary = -1;
    for (int pass = 0; pass < 4 && primary < 0; ++pass)
      for (const auto& id : l.inputs) {
        const int in = ids.find_before(id, i);
        if (in < 0) continue;
        const bool same = layers[in].chunks == l.chunks;
        if ((pass == 0 && same && !layers[in].inserted) || (pass == 1 && same) || (pass == 2 && !helper(in)) ||
            pass == 3) {
          primary = in;
          break;
        }
      }
    if (primary < 0) {
      self();
      continue;
    }
    const ChunkOrigin& p = out[primary];
    const int in_nd = static_cast<int>(layers[primary].shape.size());
    std::vector<int> map(static_cast<size_t>(nd), -1);
    const auto dropped = dropped_axes(l, in_nd);
    if (!dropped.empty()) {  // a block function that drops input axes: the others keep their order
      for (int a = 0, k = 0; a < in_nd && k < nd; ++a)
        if (!std::binary_search(dropped.begin(), dropped.end(), a)) map[k++] = p.axis_map[a];
    } else if (l.kind == "elementwise" || l.kind == "stencil" || l.kind == "slice" || l.kind == "sink" ||
               l.kind == "concatenate") {
      for (int a = 0; a < nd && a < in_nd; ++a) map[a] = p.axis_map[a];
    } else if (l.kind == "transpose") {
      const auto perm = transpose_axes(l, nd);
      for (int a = 0; a < nd; ++a)
        if (perm[a] < in_nd) map[a] = p.axis_map[perm[a]];
    } else if (l.kind == "reduce") {
      const auto red = reduced_axes(l, in_nd);
      const bool keepdims = nd == in_nd;
      int k = 0;
      for (int a = 0; a < in_nd; ++a) {
        const bool reduced = std::binary_search(red.begin(), red.end(), a);
        if (keepdims)
          map[a] = reduced ? -1 : p.axis_map[a];
        else if (!reduced && k < nd)
          map[k++] = p.axis_map[a];
      }
    } else if (l.kind == "matmul") {
      if (nd == 2 && in_nd == 2) map[0] = p.axis_map[0];
    } else {
      self();
      continue;
    }
    o.origin = p.origin;
    o.axis_map = std::move(map);
    o.editable = p.editable;
    o.primary_input = primary;
  }
  return out;
}

std::vector<TraceLayer> trace_layers_of(const Graph& g) {
  std::vector<TraceLayer> out;
  for (int i = 0; i < static_cast<int>(g.layers().size()); ++i) {
    const Layer& l = g.layer(i);
    TraceLayer t;
    t.id = l.id;
    t.name = l.name;
    t.op = std::string(op_name(l.op));
    t.kind = std::string(op_kind_name(l.kind));
    t.group = l.group;
    for (int in : l.inputs) t.inputs.push_back(g.layer(in).id);
    t.shape = l.meta.shape;
    t.chunks = l.meta.chunks;
    t.dtype = std::string(dtype_name(l.meta.dtype));
    t.tasks = g.layer_task_count(i);
    t.params = l.raw_params;
    t.inserted = l.inserted;
    if (l.pushed_into >= 0) t.pushed_into = g.layer(l.pushed_into).id;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace chunkscope
