#include "device_ops.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "chunkscope/core/dtype.hpp"
#include "chunkscope/core/plans.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "cuda_check.hpp"

namespace chunkscope::gpu {
namespace {

StridedDesc box_desc(const Shape& from_off, const Shape& from_shape, const Shape& to_off, const Shape& to_shape,
                     std::int64_t& src_off, std::int64_t& dst_off, bool& empty) {
  const int nd = static_cast<int>(from_shape.size());
  StridedDesc d;
  d.nd = nd;
  const Shape fs = c_strides(from_shape, 1), ts = c_strides(to_shape, 1);
  src_off = dst_off = 0;
  empty = false;
  for (int a = 0; a < nd; ++a) {
    const std::int64_t lo = std::max(from_off[a], to_off[a]);
    const std::int64_t hi = std::min(from_off[a] + from_shape[a], to_off[a] + to_shape[a]);
    if (lo >= hi) empty = true;
    d.extent[a] = std::max<std::int64_t>(hi - lo, 0);
    d.src_stride[a] = fs[a];
    d.dst_stride[a] = ts[a];
    src_off += (lo - from_off[a]) * fs[a];
    dst_off += (lo - to_off[a]) * ts[a];
  }
  return d;
}

void block_of(const ArrayMeta& m, const std::vector<std::vector<std::int64_t>>& bounds, std::int64_t flat, Shape& off,
              Shape& shape) {
  const Shape c = m.chunk_coords(flat);
  off.resize(c.size());
  shape.resize(c.size());
  for (size_t a = 0; a < c.size(); ++a) {
    off[a] = bounds[a][c[a]];
    shape[a] = m.chunks[a][c[a]];
  }
}

std::vector<std::vector<std::int64_t>> bounds_of(const ArrayMeta& m) {
  std::vector<std::vector<std::int64_t>> b;
  for (const auto& c : m.chunks) b.push_back(chunk_bounds(c));
  return b;
}

void run_source(const Graph& g, const DeviceLayer& d, const Layer& l, TaskKey key, void* out, std::int64_t out_bytes,
                cudaStream_t s) {
  const Layer& src = l.params.pushed_source >= 0 ? g.layer(l.params.pushed_source) : l;
  const int nd = l.meta.ndim();
  const int item = dtype_size(l.meta.dtype);
  if (src.op != Op::Random) {
    launch_fill(out, out_bytes / item, d.fill, item, s);
    return;
  }
  const Shape off = g.grid(key.layer).offset(key.index), ext = g.grid(key.layer).shape(key.index);
  std::int64_t stride[kMaxDims], acc = 1, base = 0;
  for (int a = nd - 1; a >= 0; --a) {
    const AxisSlice sel = l.params.source_view.empty() || l.params.pushed_source < 0
                              ? AxisSlice{off[a], 1, ext[a]}
                              : AxisSlice{l.params.source_view[a].at(off[a]), l.params.source_view[a].step, ext[a]};
    stride[a] = sel.step * acc;
    base += sel.start * acc;
    acc *= src.meta.shape[a];
  }
  launch_random(l.meta.dtype, src.params.seed, base, nd, ext.data(), stride, out, s);
}

void run_matmul(const Graph& g, const Layer& l, TaskKey key, std::span<const void* const> in, void* out, cudaStream_t s,
                cublasHandle_t blas) {
  const ArrayMeta& am = g.layer(l.inputs[0]).meta;
  const ArrayMeta& bm = g.layer(l.inputs[1]).meta;
  const Shape oc = l.meta.chunk_coords(key.index);
  const std::int64_t m = am.chunks[0][oc[0]], n = bm.chunks[1][oc[1]];
  const std::size_t nk = am.chunks[1].size();
  if (in.size() != 2 * nk) throw std::logic_error("matmul: unexpected number of inputs");
  const bool f32 = l.meta.dtype == DType::Float32;
  if (nk == 0 || m == 0 || n == 0) {
    CHUNKSCOPE_CUDA_CHECK(cudaMemsetAsync(out, 0, static_cast<size_t>(m * n * dtype_size(l.meta.dtype)), s));
    return;
  }
  if (cublasSetStream(blas, s) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasSetStream failed");
  // Row-major C (m×n) = A (m×k) · B (k×n) is column-major Cᵀ = Bᵀ·Aᵀ: gemm(n, m, k, B, A).
  for (std::size_t k = 0; k < nk; ++k) {
    const std::int64_t kk = am.chunks[1][k];
    cublasStatus_t st;
    if (f32) {
      const float alpha = 1, beta = k == 0 ? 0.0f : 1.0f;
      st = cublasSgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m), static_cast<int>(kk),
                       &alpha, static_cast<const float*>(in[nk + k]), static_cast<int>(n),
                       static_cast<const float*>(in[k]), static_cast<int>(kk), &beta, static_cast<float*>(out),
                       static_cast<int>(n));
    } else {
      const double alpha = 1, beta = k == 0 ? 0.0 : 1.0;
      st = cublasDgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m), static_cast<int>(kk),
                       &alpha, static_cast<const double*>(in[nk + k]), static_cast<int>(n),
                       static_cast<const double*>(in[k]), static_cast<int>(kk), &beta, static_cast<double*>(out),
                       static_cast<int>(n));
    }
    if (st != CUBLAS_STATUS_SUCCESS)
      throw std::runtime_error("cuBLAS gemm failed (status " + std::to_string(static_cast<int>(st)) + ")");
  }
}

/// Filter stage 0: filter_steps (task_plan.cpp) launched in order.
void run_filter(const Graph& g, const DeviceLayer& d, const Layer& l, TaskKey key, const void* block, void* out,
                void* scratch, cudaStream_t s) {
  const DType t = g.layer(l.inputs[0]).meta.dtype;
  std::int64_t b_off = 0;
  filter_scratch_bytes(g, l, d.filter, key.index, &b_off);
  auto buf = [&](FilterBuf b) -> void* {
    switch (b) {
      case FilterBuf::In: return const_cast<void*>(block);
      case FilterBuf::Out: return out;
      case FilterBuf::A: return scratch;
      case FilterBuf::B: return static_cast<double*>(scratch) + b_off;
    }
    return nullptr;
  };
  for (const FilterStep& st : filter_steps(g, l, d.filter, key.index)) {
    switch (st.kind) {
      case FilterStep::Kind::Copy:
        if (st.n > 0)
          CHUNKSCOPE_CUDA_CHECK(cudaMemcpyAsync(buf(st.dst), buf(st.src), static_cast<size_t>(st.n * dtype_size(t)),
                                                cudaMemcpyDeviceToDevice, s));
        break;
      case FilterStep::Kind::ToDouble:
        launch_to_double(t, buf(st.src), static_cast<double*>(buf(st.dst)), st.n, st.desc, s);
        break;
      case FilterStep::Kind::Pass:
        launch_filter_pass(t, st.desc, static_cast<const double*>(buf(st.src)), static_cast<double*>(buf(st.dst)), s);
        break;
      case FilterStep::Kind::FromDouble:
        launch_from_double(t, static_cast<const double*>(buf(st.src)), buf(st.dst), st.n, s);
        break;
    }
  }
}

void run_reduce(const Graph& g, const DeviceLayer& d, const Layer& l, TaskKey key, std::span<const void* const> in,
                void* out, std::int64_t out_bytes, void* scratch, cudaStream_t s) {
  if (key.stage == 1) {
    const dm::ReduceWalk w = reduce_walk(g, l, d.reduce, key.index);
    if (w.k != partial_k(d.reduce.spec, key, out_bytes))
      throw std::logic_error("reduction: partial size does not match the plan");
    launch_reduce_chunk(d.reduce.spec, w, in[0], out, scratch, s);
    return;
  }
  if (in.size() > static_cast<size_t>(dm::kCombineMax) || in.empty())
    throw std::logic_error("reduction: too many partials for a device combine");
  dm::CombineIn ci;
  ci.n = static_cast<int>(in.size());
  std::copy(in.begin(), in.end(), ci.p);
  launch_reduce_combine(d.reduce.spec, ci, partial_k(d.reduce.spec, key, out_bytes), key.stage == 0, out, s);
}

}  // namespace

bool task_on_device(const Graph& g, const DeviceLayer& plan, TaskKey key, std::size_t deps) {
  if (!plan.on_device) return false;
  const Layer& l = g.layer(key.layer);
  if (l.kind == OpKind::Reduce && key.stage != 1) return deps >= 1 && deps <= static_cast<size_t>(dm::kCombineMax);
  if (l.kind == OpKind::Stencil && key.stage == 1) {
    dm::GatherDesc gd;
    return make_gather(g, l, plan.filter, key.index, {}, gd);
  }
  return true;
}

std::int64_t device_scratch_bytes(const Graph& g, const DeviceLayer& plan, TaskKey key) {
  const Layer& l = g.layer(key.layer);
  if (!plan.on_device) return 0;
  if (l.kind == OpKind::Reduce && key.stage == 1)
    return dm::reduce_scratch_bytes(reduce_walk(g, l, plan.reduce, key.index));
  if (l.kind != OpKind::Stencil || key.stage != 0) return 0;
  return filter_scratch_bytes(g, l, plan.filter, key.index);
}

std::vector<DeviceLayer> plan_device_layers(const Graph& g) {
  std::vector<DeviceLayer> plans(g.layers().size());
  for (size_t li = 0; li < plans.size(); ++li) {
    const Layer& l = g.layer(static_cast<int>(li));
    DeviceLayer& d = plans[li];
    if (l.meta.ndim() > kMaxDims) {
      d.host_reason = "more than 8 axes";
      continue;
    }
    if (l.params.pushed_source >= 0 || l.kind == OpKind::Source) {
      const Layer& src = l.params.pushed_source >= 0 ? g.layer(l.params.pushed_source) : l;
      if (src.op == Op::Random) {
        d.on_device = l.meta.dtype == DType::Float32 || l.meta.dtype == DType::Float64;
      } else if (src.op == Op::Zeros || src.op == Op::Ones || src.op == Op::Full) {
        scalar_to_dtype(src.op == Op::Zeros ? 0.0 : src.op == Op::Ones ? 1.0 : src.params.value, l.meta.dtype, d.fill);
        d.on_device = true;
      } else {
        d.host_reason = "reads a file";
      }
      continue;
    }
    switch (l.kind) {
      case OpKind::Elementwise:
        d.on_device = plan_elementwise(g, l, d.ew);
        if (!d.on_device) d.host_reason = "op/dtype raises or has no device loop";
        break;
      case OpKind::Transpose: d.on_device = true; break;
      case OpKind::Slice:
        d.in_bounds = bounds_of(g.layer(l.inputs[0]).meta);
        d.on_device = true;
        break;
      case OpKind::Rechunk: {
        const RechunkPlan p = make_rechunk_plan(g.layer(l.inputs[0]).meta, l.meta);
        if (p.has_intermediate) {
          d.mid = std::make_shared<ArrayMeta>(g.layer(l.inputs[0]).meta);
          d.mid->chunks = p.intermediate;
        }
        d.on_device = true;
        break;
      }
      case OpKind::Concatenate:
        d.on_device =
            std::all_of(l.inputs.begin(), l.inputs.end(), [&](int i) { return g.layer(i).meta.dtype == l.meta.dtype; });
        if (!d.on_device) d.host_reason = "converts dtypes";
        break;
      case OpKind::Matmul:
        d.on_device = (l.meta.dtype == DType::Float32 || l.meta.dtype == DType::Float64) &&
                      g.layer(l.inputs[0]).meta.dtype == l.meta.dtype &&
                      g.layer(l.inputs[1]).meta.dtype == l.meta.dtype && l.meta.ndim() == 2;
        if (!d.on_device) d.host_reason = "integer or mixed-dtype matmul";
        break;
      case OpKind::Reduce: d.on_device = plan_reduce(g, l, d.reduce, d.host_reason); break;
      case OpKind::Stencil: d.on_device = plan_filter(g, l, d.filter, d.host_reason); break;
      case OpKind::Sink: d.host_reason = "writes a file"; break;
      default: d.host_reason = "no device kernel"; break;
    }
  }
  std::vector<const EwPlan*> ew(plans.size(), nullptr);
  for (size_t li = 0; li < plans.size(); ++li)
    if (plans[li].on_device && g.layer(static_cast<int>(li)).kind == OpKind::Elementwise &&
        g.layer(static_cast<int>(li)).params.pushed_source < 0)
      ew[li] = &plans[li].ew;
  std::vector<int> fused_into;
  const auto chains = plan_fusion(g, ew, fused_into);
  for (size_t li = 0; li < plans.size(); ++li) {
    plans[li].chain = chains[li];
    plans[li].fused_into = fused_into[li];
  }
  return plans;
}

void run_device_task(const Graph& g, const DeviceLayer& d, TaskKey key, std::span<const void* const> in, void* out,
                     std::int64_t out_bytes, void* scratch, cudaStream_t s, cublasHandle_t blas) {
  const Layer& l = g.layer(key.layer);
  const int item = dtype_size(l.meta.dtype);
  if (l.params.pushed_source >= 0 || l.kind == OpKind::Source) return run_source(g, d, l, key, out, out_bytes, s);
  switch (l.kind) {
    case OpKind::Elementwise: {
      if (d.chain) {  // a fused chain ending in this layer: the chain's inputs, one kernel
        dm::FusedProgram p = d.chain->program;
        if (in.size() != static_cast<size_t>(p.inputs))
          throw std::logic_error("fused chain: inputs do not match the plan");
        for (int k = 0; k < p.inputs; ++k) p.input[k] = in[k];
        launch_fused(p, out, out_bytes / item, s);
        return;
      }
      EwOperand ops[3];
      const int count = static_cast<int>(std::min<size_t>(d.ew.operands.size(), 3));
      for (int k = 0; k < count; ++k) {
        ops[k] = d.ew.operands[k];
        if (d.ew.operand_input[k] >= 0) ops[k].data = in[d.ew.operand_input[k]];
      }
      launch_elementwise(l.op, d.ew.compute, l.meta.dtype, ops, count, out, out_bytes / item, s);
      return;
    }
    case OpKind::Transpose: {
      const int nd = l.meta.ndim();
      const Shape ext = l.meta.chunk_shape(key.index);
      Shape in_shape(nd);
      for (int i = 0; i < nd; ++i) in_shape[l.params.axes[i]] = ext[i];
      const Shape in_strides = c_strides(in_shape, 1), out_strides = c_strides(ext, 1);
      StridedDesc desc;
      desc.nd = nd;
      for (int i = 0; i < nd; ++i) {
        desc.extent[i] = ext[i];
        desc.src_stride[i] = in_strides[l.params.axes[i]];
        desc.dst_stride[i] = out_strides[i];
      }
      launch_copy_strided(desc, in[0], out, item, s);
      return;
    }
    case OpKind::Slice: {
      const int nd = l.meta.ndim();
      const ArrayMeta& im = g.layer(l.inputs[0]).meta;
      const Shape off = g.grid(key.layer).offset(key.index), ext = g.grid(key.layer).shape(key.index);
      Shape in_shape(nd);
      std::vector<std::int64_t> first(nd), in_off(nd);
      for (int a = 0; a < nd; ++a) {
        first[a] = l.params.slices[a].at(off[a]);
        const auto& b = d.in_bounds[a];
        const auto k = std::upper_bound(b.begin() + 1, b.end(), first[a]) - (b.begin() + 1);
        in_off[a] = b[k];
        in_shape[a] = im.chunks[a][k];
      }
      const Shape is = c_strides(in_shape, 1), os = c_strides(ext, 1);
      StridedDesc desc;
      desc.nd = nd;
      std::int64_t src_off = 0;
      for (int a = 0; a < nd; ++a) {
        src_off += (first[a] - in_off[a]) * is[a];
        desc.extent[a] = ext[a];
        desc.src_stride[a] = l.params.slices[a].step * is[a];
        desc.dst_stride[a] = os[a];
      }
      launch_copy_strided(desc, static_cast<const std::byte*>(in[0]) + src_off * item, out, item, s);
      return;
    }
    case OpKind::Rechunk: {
      const ArrayMeta& im = g.layer(l.inputs[0]).meta;
      const ArrayMeta& target = key.stage == 1 ? *d.mid : l.meta;
      const ArrayMeta& from = (key.stage == 0 && d.mid) ? *d.mid : im;
      const auto tb = bounds_of(target), fb = bounds_of(from);
      Shape to_off, to_shape, f_off, f_shape;
      block_of(target, tb, key.index, to_off, to_shape);
      const std::vector<std::int64_t> parts = intersecting_chunks(from, to_off, to_shape);
      if (parts.size() != in.size()) throw std::logic_error("rechunk: inputs do not match the plan");
      for (size_t i = 0; i < parts.size(); ++i) {
        block_of(from, fb, parts[i], f_off, f_shape);
        std::int64_t so, dof;
        bool empty;
        const StridedDesc desc = box_desc(f_off, f_shape, to_off, to_shape, so, dof, empty);
        if (!empty)
          launch_copy_strided(desc, static_cast<const std::byte*>(in[i]) + so * item,
                              static_cast<std::byte*>(out) + dof * item, item, s);
      }
      return;
    }
    case OpKind::Concatenate:
      if (out_bytes > 0)
        CHUNKSCOPE_CUDA_CHECK(cudaMemcpyAsync(out, in[0], static_cast<size_t>(out_bytes), cudaMemcpyDeviceToDevice, s));
      return;
    case OpKind::Matmul: return run_matmul(g, l, key, in, out, s, blas);
    case OpKind::Reduce: return run_reduce(g, d, l, key, in, out, out_bytes, scratch, s);
    case OpKind::Stencil:
      if (key.stage == 1) {
        dm::GatherDesc gd;
        if (!make_gather(g, l, d.filter, key.index, in, gd))
          throw std::logic_error("filter gather: too many chunks for the device");
        launch_gather(gd, item, d.filter.cval, out, s);
        return;
      }
      return run_filter(g, d, l, key, in[0], out, scratch, s);
    default: throw std::logic_error("run_device_task: layer \"" + l.id + "\" has no device kernel");
  }
}

}  // namespace chunkscope::gpu
