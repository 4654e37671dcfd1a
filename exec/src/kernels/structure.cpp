// Structure kernels: transpose, slice, rechunk (direct and through the intermediate chunking of
// make_rechunk_plan) and concatenate. Each is one strided copy (block_copy.hpp) per input block.
//
// Inputs arrive in the order core/src/graph.cpp lists them:
//   transpose, slice, concatenate: the one input chunk;
//   rechunk stage 1 (intermediate chunk c): intersecting_chunks(input, mid offset, mid shape);
//   rechunk stage 0 (output chunk c): intersecting_chunks(mid or input, offset, shape).
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "chunkscope/core/plans.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "chunkscope/exec/kernel.hpp"

namespace chunkscope {
namespace {

// Chunk geometry with O(1) offsets: bounds[a][k] is where chunk k starts along axis a.
struct Grid {
  ArrayMeta meta;
  std::vector<std::vector<std::int64_t>> bounds;
  explicit Grid(ArrayMeta m) : meta(std::move(m)) {
    for (const auto& c : meta.chunks) bounds.push_back(chunk_bounds(c));
  }
  void block(std::int64_t flat, Shape& offset, Shape& shape) const {
    const Shape c = meta.chunk_coords(flat);
    offset.resize(c.size());
    shape.resize(c.size());
    for (size_t a = 0; a < c.size(); ++a) {
      offset[a] = bounds[a][c[a]];
      shape[a] = meta.chunks[a][c[a]];
    }
  }
};

struct StructureState {
  std::unique_ptr<Grid> input;  // input array's grid (slice, rechunk)
  std::unique_ptr<Grid> mid;    // rechunk: the intermediate grid, when the plan has one
  std::unique_ptr<Grid> output;
};

std::shared_ptr<const void> prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  if (l.params.pushed_source >= 0) return nullptr;  // the source kernel runs it
  auto st = std::make_shared<StructureState>();
  st->output = std::make_unique<Grid>(l.meta);
  if (!l.inputs.empty()) st->input = std::make_unique<Grid>(g.layer(l.inputs[0]).meta);
  if (l.kind == OpKind::Rechunk) {
    const RechunkPlan plan = make_rechunk_plan(g.layer(l.inputs[0]).meta, l.meta);
    if (plan.has_intermediate) {
      ArrayMeta m = g.layer(l.inputs[0]).meta;
      m.chunks = plan.intermediate;
      st->mid = std::make_unique<Grid>(std::move(m));
    }
  }
  return st;
}

std::int64_t output_bytes(const Graph& g, int li, TaskKey key, const void* state) {
  const auto* st = static_cast<const StructureState*>(state);
  if (key.stage == 1) {
    if (!st || !st->mid) throw std::logic_error("rechunk stage-1 task without an intermediate plan");
    return st->mid->meta.chunk_bytes(key.index);
  }
  return g.layer(li).meta.chunk_bytes(key.index);
}

void run_transpose(const KernelContext& ctx) {
  const Layer& l = ctx.layer;
  const int nd = l.meta.ndim();
  const int itemsize = dtype_size(l.meta.dtype);
  const Shape ext = l.meta.chunk_shape(ctx.key.index);
  Shape in_shape(nd);
  for (int i = 0; i < nd; ++i) in_shape[l.params.axes[i]] = ext[i];
  const Shape in_strides = c_strides(in_shape, itemsize);
  Shape src_strides(nd);
  for (int i = 0; i < nd; ++i) src_strides[i] = in_strides[l.params.axes[i]];
  copy_strided(ext, ctx.inputs[0]->data(), src_strides, ctx.output.data(), c_strides(ext, itemsize), itemsize);
}

void run_slice(const KernelContext& ctx, const StructureState& st) {
  const Layer& l = ctx.layer;
  const int nd = l.meta.ndim();
  const int itemsize = dtype_size(l.meta.dtype);
  Shape off, ext;
  st.output->block(ctx.key.index, off, ext);
  const Grid& in = *st.input;
  Shape in_shape(nd), src_strides(nd);
  std::int64_t src_off = 0;
  std::vector<std::int64_t> first(nd), in_off(nd);
  for (int a = 0; a < nd; ++a) {
    const AxisSlice& s = l.params.slices[a];
    first[a] = s.at(off[a]);
    const auto& b = in.bounds[a];
    const auto k = std::upper_bound(b.begin() + 1, b.end(), first[a]) - (b.begin() + 1);
    in_off[a] = b[k];
    in_shape[a] = in.meta.chunks[a][k];
  }
  const Shape in_strides = c_strides(in_shape, itemsize);
  for (int a = 0; a < nd; ++a) {
    src_off += (first[a] - in_off[a]) * in_strides[a];
    src_strides[a] = l.params.slices[a].step * in_strides[a];
  }
  if (ctx.inputs[0]->size() != shape_size(in_shape) * itemsize)
    throw std::logic_error("slice: input chunk has an unexpected size");
  copy_strided(ext, ctx.inputs[0]->data() + src_off, src_strides, ctx.output.data(), c_strides(ext, itemsize),
               itemsize);
}

void run_rechunk(const KernelContext& ctx, const StructureState& st) {
  const int itemsize = dtype_size(ctx.layer.meta.dtype);
  // Stage 1 builds an intermediate chunk from input chunks; stage 0 an output chunk from
  // intermediate chunks (or input chunks when there is no intermediate).
  const Grid& target = ctx.key.stage == 1 ? *st.mid : *st.output;
  const Grid& from = (ctx.key.stage == 0 && st.mid) ? *st.mid : *st.input;
  MutableBlock out{ctx.output.data(), {}, {}};
  target.block(ctx.key.index, out.offset, out.shape);
  const std::vector<std::int64_t> parts = intersecting_chunks(from.meta, out.offset, out.shape);
  if (parts.size() != ctx.inputs.size())
    throw std::logic_error("rechunk: " + std::to_string(ctx.inputs.size()) + " inputs, the plan has " +
                           std::to_string(parts.size()));
  ConstBlock in{nullptr, {}, {}};
  for (size_t i = 0; i < parts.size(); ++i) {
    from.block(parts[i], in.offset, in.shape);
    in.data = ctx.inputs[i]->data();
    copy_box(in, out, itemsize);
  }
}

void run_concatenate(const KernelContext& ctx) {
  const Layer& l = ctx.layer;
  const Buffer& in = *ctx.inputs[0];
  const std::int64_t n = shape_size(l.meta.chunk_shape(ctx.key.index));
  // The input layer is the one whose chunk this is; its dtype may be narrower (NumPy promotion).
  const int axis = l.params.axis;
  const Shape oc = l.meta.chunk_coords(ctx.key.index);
  std::int64_t k = oc[axis];
  DType from = l.meta.dtype;
  for (int input : l.inputs) {
    const auto along = static_cast<std::int64_t>(ctx.graph.layer(input).meta.chunks[axis].size());
    if (k < along) {
      from = ctx.graph.layer(input).meta.dtype;
      break;
    }
    k -= along;
  }
  if (in.size() != n * dtype_size(from)) throw std::logic_error("concatenate: input chunk has an unexpected size");
  const std::int64_t e[] = {n}, ss[] = {dtype_size(from)}, ds[] = {dtype_size(l.meta.dtype)};
  convert_strided(e, in.data(), ss, from, ctx.output.data(), ds, l.meta.dtype);
}

void run(const KernelContext& ctx) {
  const auto* st = static_cast<const StructureState*>(ctx.state);
  switch (ctx.layer.kind) {
    case OpKind::Transpose: return run_transpose(ctx);
    case OpKind::Slice: return run_slice(ctx, *st);
    case OpKind::Rechunk: return run_rechunk(ctx, *st);
    case OpKind::Concatenate: return run_concatenate(ctx);
    default: throw std::logic_error("structure kernel used for a non-structure op");
  }
}

}  // namespace

const KernelInfo& structure_kernel() {
  static const KernelInfo k{prepare, output_bytes, run};
  return k;
}

}  // namespace chunkscope
