#include "chunkscope/core/graph.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_set>

#include "chunkscope/core/limits.hpp"
#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/plans.hpp"

namespace chunkscope {
namespace {

constexpr std::int64_t kMaxElements = std::int64_t{1} << 60;

void check_meta(const Layer& l, const std::string& source) {
  const ArrayMeta& m = l.meta;
  auto fail = [&](const std::string& field, const std::string& what) {
    throw InputError(located_message(source, l.id, field, what));
  };
  if (m.ndim() > kMaxAxes)
    fail("shape", "has " + std::to_string(m.ndim()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
  if (m.chunks.size() != m.shape.size())
    fail("chunks", "has " + std::to_string(m.chunks.size()) + " axes, shape has " + std::to_string(m.shape.size()));
  std::int64_t elements = 1;
  std::int64_t nchunks = 1;
  for (int a = 0; a < m.ndim(); ++a) {
    if (m.shape[a] <= 0)
      fail("shape",
           "axis " + std::to_string(a) + " has size " + std::to_string(m.shape[a]) + "; sizes must be positive");
    if (elements > kMaxElements / m.shape[a])
      fail("shape", "the array has more than 2^60 elements (" + format_shape(m.shape) + ")");
    elements *= m.shape[a];
    std::int64_t sum = 0;
    for (auto c : m.chunks[a]) {
      if (c <= 0)
        fail("chunks",
             "axis " + std::to_string(a) + " has a chunk of size " + std::to_string(c) + "; sizes must be positive");
      sum += c;
    }
    if (sum != m.shape[a])
      fail("chunks", "axis " + std::to_string(a) + ": chunk sizes sum to " + std::to_string(sum) +
                         " but the axis has length " + std::to_string(m.shape[a]));
    nchunks *= static_cast<std::int64_t>(m.chunks[a].size());
    if (nchunks > kMaxTasks) fail("chunks", "more than " + std::to_string(kMaxTasks) + " chunks; use larger chunks");
  }
  if (elements > kMaxElements / 8) fail("shape", "the array is larger than 2^60 bytes (" + format_shape(m.shape) + ")");
}

void expand_layer(const std::vector<Layer>& layers, int li, TaskGraph& tg) {
  const Layer& l = layers[li];
  const ArrayMeta& m = l.meta;
  const std::int64_t n = m.num_chunks();
  tg.begin_layer(li);
  auto out_task = [&](int layer, std::int64_t chunk) { return tg.output_task(layer, chunk); };
  std::vector<std::int64_t> deps;

  // A source whose reading moved into a later layer runs nothing; a layer that absorbed its
  // source reads directly.
  if (l.pushed_into >= 0) {
    tg.begin_outputs(li);
    return;
  }
  if (l.params.pushed_source >= 0 || l.kind == OpKind::Source) {
    tg.begin_outputs(li);
    for (std::int64_t c = 0; c < n; ++c) tg.add({li, 0, c}, {});
    return;
  }
  switch (l.kind) {
    case OpKind::Source: break;
    case OpKind::Elementwise:
    case OpKind::Sink:
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        deps.clear();
        for (int in : l.inputs) deps.push_back(out_task(in, c));
        tg.add({li, 0, c}, deps);
      }
      break;
    case OpKind::Transpose: {
      const ArrayMeta& im = layers[l.inputs[0]].meta;
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        const Shape oc = m.chunk_coords(c);
        Shape ic(oc.size());
        for (size_t i = 0; i < oc.size(); ++i) ic[l.params.axes[i]] = oc[i];
        tg.add({li, 0, c}, {out_task(l.inputs[0], im.chunk_flat(ic))});
      }
      break;
    }
    case OpKind::Slice: {
      const ArrayMeta& im = layers[l.inputs[0]].meta;
      const SlicePlan plan = make_slice_plan(l, im);
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        Shape oc = m.chunk_coords(c);
        for (size_t a = 0; a < oc.size(); ++a) oc[a] = plan.source_chunk[a][oc[a]];
        tg.add({li, 0, c}, {out_task(l.inputs[0], im.chunk_flat(oc))});
      }
      break;
    }
    case OpKind::Rechunk: {
      const ArrayMeta& im = layers[l.inputs[0]].meta;
      const RechunkPlan plan = make_rechunk_plan(im, m);
      const std::int64_t mid_begin = tg.size();
      ArrayMeta mid = im;
      if (plan.has_intermediate) mid.chunks = plan.intermediate;
      const ChunkGrid in_grid(im), mid_grid(mid), out_grid(m);
      if (plan.has_intermediate) {
        for (std::int64_t c = 0; c < mid.num_chunks(); ++c) {
          deps.clear();
          for (auto k : intersecting_chunks(in_grid, mid_grid.offset(c), mid_grid.shape(c)))
            deps.push_back(out_task(l.inputs[0], k));
          tg.add({li, 1, c}, deps);
        }
      }
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        deps.clear();
        const ChunkGrid& from = plan.has_intermediate ? mid_grid : in_grid;
        for (auto k : intersecting_chunks(from, out_grid.offset(c), out_grid.shape(c)))
          deps.push_back(plan.has_intermediate ? mid_begin + k : out_task(l.inputs[0], k));
        tg.add({li, 0, c}, deps);
      }
      break;
    }
    case OpKind::Concatenate: {
      const int axis = l.params.axis;
      std::vector<std::pair<int, std::int64_t>> along;  // output chunk along axis -> (input, local chunk)
      for (int in : l.inputs)
        for (std::int64_t k = 0; k < static_cast<std::int64_t>(layers[in].meta.chunks[axis].size()); ++k)
          along.emplace_back(in, k);
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        Shape oc = m.chunk_coords(c);
        const auto [in, k] = along[oc[axis]];
        oc[axis] = k;
        tg.add({li, 0, c}, {out_task(in, layers[in].meta.chunk_flat(oc))});
      }
      break;
    }
    case OpKind::Reduce: {
      const ArrayMeta& im = layers[l.inputs[0]].meta;
      const ReductionPlan plan = make_reduction_plan(l, im);
      std::vector<std::int64_t> level_begin(plan.levels() + 1, 0);
      for (int level = 1; level <= plan.levels(); ++level) {
        level_begin[level] = tg.size();
        const Shape g = plan.grid(level);
        std::int64_t count = 1;
        for (auto x : g) count *= x;
        for (std::int64_t t = 0; t < count; ++t) {
          deps.clear();
          for (auto k : plan.group(level, t))
            deps.push_back(level == 1 ? out_task(l.inputs[0], k) : level_begin[level - 1] + k);
          tg.add({li, level, t}, deps);
        }
      }
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        deps.clear();
        for (auto k : plan.group(0, c)) deps.push_back(level_begin[plan.levels()] + k);
        tg.add({li, 0, c}, deps);
      }
      break;
    }
    case OpKind::Stencil: {
      const ArrayMeta& im = layers[l.inputs[0]].meta;
      const OverlapPlan plan = make_overlap_plan(l, im);
      const std::int64_t halo_begin = tg.size();
      for (std::int64_t c = 0; c < n; ++c) {
        deps.clear();
        for (auto k : plan.needed_chunks(im, c)) deps.push_back(out_task(l.inputs[0], k));
        tg.add({li, 1, c}, deps);
      }
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) tg.add({li, 0, c}, {halo_begin + c});
      break;
    }
    case OpKind::Matmul: {
      const ArrayMeta& am = layers[l.inputs[0]].meta;
      const ArrayMeta& bm = layers[l.inputs[1]].meta;
      const auto nk = static_cast<std::int64_t>(am.chunks[1].size());
      tg.begin_outputs(li);
      for (std::int64_t c = 0; c < n; ++c) {
        const Shape oc = m.chunk_coords(c);
        deps.clear();
        for (std::int64_t k = 0; k < nk; ++k) deps.push_back(out_task(l.inputs[0], am.chunk_flat({oc[0], k})));
        for (std::int64_t k = 0; k < nk; ++k) deps.push_back(out_task(l.inputs[1], bm.chunk_flat({k, oc[1]})));
        tg.add({li, 0, c}, deps);
      }
      break;
    }
  }
}

/// The number of tasks expand_layer will add for layer `li` (intermediate stages included), so
/// that a pipeline whose reduction trees, rechunk intermediates or halos would exceed the task
/// limit is refused before any of it is built.
std::int64_t planned_tasks(const std::vector<Layer>& layers, int li) {
  const Layer& l = layers[li];
  const std::int64_t n = l.meta.num_chunks();
  if (l.pushed_into >= 0) return 0;
  if (l.params.pushed_source >= 0 || l.kind == OpKind::Source) return n;
  switch (l.kind) {
    case OpKind::Stencil: return 2 * n;
    case OpKind::Rechunk: {
      const ArrayMeta& im = layers[l.inputs[0]].meta;
      const RechunkPlan plan = make_rechunk_plan(im, l.meta);
      if (!plan.has_intermediate) return n;
      ArrayMeta mid = im;
      mid.chunks = plan.intermediate;
      return n + mid.num_chunks();
    }
    case OpKind::Reduce: {
      const ReductionPlan plan = make_reduction_plan(l, layers[l.inputs[0]].meta);
      std::int64_t total = n;
      for (int level = 1; level <= plan.levels(); ++level) {
        std::int64_t count = 1;
        for (auto x : plan.grid(level)) count = std::min<std::int64_t>(count * x, kMaxTasks + 1);
        total = std::min<std::int64_t>(total + count, kMaxTasks + 1);
      }
      return total;
    }
    default: return n;
  }
}

}  // namespace

Graph Graph::build(std::string name, std::vector<Layer> layers, std::vector<OutputSpec> outputs,
                   const std::string& source) {
  Graph g;
  g.name_ = std::move(name);
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    if (l.id.empty()) throw InputError(located_message(source, "#" + std::to_string(i), "id", "is empty"));
    if (!ids.insert(l.id).second) throw InputError(located_message(source, l.id, "id", "is used by two layers"));
    for (int in : l.inputs)
      if (in < 0 || in >= static_cast<int>(i))
        throw InputError(located_message(source, l.id, "inputs", "refers to a layer that is not defined before it"));
    check_meta(l, source);
  }
  g.layers_ = std::move(layers);
  for (const Layer& l : g.layers_) g.grids_.emplace_back(l.meta);
  g.outputs_ = std::move(outputs);
  std::int64_t total = 0;
  for (const Layer& l : g.layers_) total += l.meta.num_chunks();
  if (total <= kMaxTasks) {
    total = 0;  // with the intermediate tasks of reductions, rechunks and stencils
    for (int i = 0; i < static_cast<int>(g.layers_.size()) && total <= kMaxTasks; ++i)
      total += planned_tasks(g.layers_, i);
  }
  if (total > kMaxTasks)
    throw InputError(located_message(
        source, "", "layers",
        "the pipeline would have more than " + std::to_string(kMaxTasks) + " tasks; use larger chunks"));
  for (int i = 0; i < static_cast<int>(g.layers_.size()); ++i) expand_layer(g.layers_, i, g.tasks_);
  g.tasks_.finish(static_cast<int>(g.layers_.size()));
  return g;
}

int Graph::find_layer(const std::string& id) const {
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].id == id) return static_cast<int>(i);
  return -1;
}

std::vector<int> Graph::consumers(int l) const {
  std::vector<int> out;
  for (size_t i = 0; i < layers_.size(); ++i)
    for (int in : layers_[i].inputs)
      if (in == l) {
        out.push_back(static_cast<int>(i));
        break;
      }
  return out;
}

}  // namespace chunkscope
