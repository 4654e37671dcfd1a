#include "device_ops.hpp"

#include <algorithm>
#include <stdexcept>

#include "chunkscope/core/dtype.hpp"
#include "chunkscope/core/plans.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "cuda_check.hpp"

namespace chunkscope::gpu {
namespace {

bool is_comparison(Op op) {
  return op == Op::Greater || op == Op::GreaterEqual || op == Op::Less || op == Op::LessEqual || op == Op::Equal;
}

bool fits(double v, DType t) {
  switch (t) {
    case DType::UInt8: return v >= 0 && v <= 255;
    case DType::UInt16: return v >= 0 && v <= 65535;
    case DType::Int32: return v >= -2147483648.0 && v <= 2147483647.0;
    case DType::Int64: return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
    case DType::UInt64: return v >= 0 && v < 18446744073709551616.0;
    default: return true;
  }
}

/// The element-wise computation type, as exec's elementwise kernel derives it (ew_prepare).
/// Returns false when the op raises whatever the data (an out-of-bounds integer scalar): the host
/// kernel then reports NumPy's error.
bool plan_elementwise(const Graph& g, const Layer& l, DeviceLayer& d) {
  int next = 0;
  for (const Operand& o : l.params.operands) {
    EwOperand e;
    if (o.is_scalar()) {
      e.scalar = o.scalar;
      e.dtype = o.scalar_is_integral ? DType::Int64 : DType::Float64;
      d.operand_input.push_back(-1);
    } else {
      e.dtype = g.layer(o.layer).meta.dtype;
      d.operand_input.push_back(next++);
    }
    d.operands.push_back(e);
  }
  const size_t first_value = l.op == Op::Where ? 1 : 0;
  DType arrays = DType::Bool;
  bool have_array = false, any_scalar = false, scalar_integral = true;
  for (size_t k = first_value; k < l.params.operands.size(); ++k) {
    const Operand& o = l.params.operands[k];
    if (o.is_scalar()) {
      any_scalar = true;
      scalar_integral &= o.scalar_is_integral;
    } else {
      const DType t = g.layer(o.layer).meta.dtype;
      arrays = have_array ? promote(arrays, t) : t;
      have_array = true;
    }
  }
  DType promoted = arrays;
  if (!have_array) promoted = scalar_integral ? DType::Int64 : DType::Float64;
  else if (any_scalar) promoted = promote_with_scalar(arrays, scalar_integral);
  d.compute = is_comparison(l.op) ? promoted : l.meta.dtype;
  if (l.op == Op::AsType) d.compute = d.operands[0].dtype;
  if (is_integer(d.compute)) {
    for (size_t k = first_value; k < l.params.operands.size(); ++k) {
      const Operand& o = l.params.operands[k];
      if (!o.is_scalar() || !o.scalar_is_integral || fits(o.scalar, d.compute)) continue;
      if (is_comparison(l.op)) {
        d.compute = DType::Float64;
        break;
      }
      return false;
    }
  }
  return elementwise_on_device(l.op, d.compute);
}

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

void block_of(const ArrayMeta& m, const std::vector<std::vector<std::int64_t>>& bounds, std::int64_t flat, Shape& off, Shape& shape) {
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

void run_source(const Graph& g, const DeviceLayer& d, const Layer& l, TaskKey key, void* out, std::int64_t out_bytes, cudaStream_t s) {
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
      st = cublasSgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m), static_cast<int>(kk), &alpha,
                       static_cast<const float*>(in[nk + k]), static_cast<int>(n), static_cast<const float*>(in[k]),
                       static_cast<int>(kk), &beta, static_cast<float*>(out), static_cast<int>(n));
    } else {
      const double alpha = 1, beta = k == 0 ? 0.0 : 1.0;
      st = cublasDgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m), static_cast<int>(kk), &alpha,
                       static_cast<const double*>(in[nk + k]), static_cast<int>(n), static_cast<const double*>(in[k]),
                       static_cast<int>(kk), &beta, static_cast<double*>(out), static_cast<int>(n));
    }
    if (st != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cuBLAS gemm failed (status " + std::to_string(static_cast<int>(st)) + ")");
  }
}

}  // namespace

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
        d.on_device = plan_elementwise(g, l, d);
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
        d.on_device = std::all_of(l.inputs.begin(), l.inputs.end(), [&](int i) { return g.layer(i).meta.dtype == l.meta.dtype; });
        if (!d.on_device) d.host_reason = "converts dtypes";
        break;
      case OpKind::Matmul:
        d.on_device = (l.meta.dtype == DType::Float32 || l.meta.dtype == DType::Float64) &&
                      g.layer(l.inputs[0]).meta.dtype == l.meta.dtype && g.layer(l.inputs[1]).meta.dtype == l.meta.dtype &&
                      l.meta.ndim() == 2;
        if (!d.on_device) d.host_reason = "integer or mixed-dtype matmul";
        break;
      case OpKind::Reduce: d.host_reason = "reduction (host kernel)"; break;
      case OpKind::Stencil: d.host_reason = "filter (host kernel)"; break;
      case OpKind::Sink: d.host_reason = "writes a file"; break;
      default: d.host_reason = "no device kernel"; break;
    }
  }
  return plans;
}

void run_device_task(const Graph& g, const DeviceLayer& d, TaskKey key, std::span<const void* const> in, void* out,
                     std::int64_t out_bytes, cudaStream_t s, cublasHandle_t blas) {
  const Layer& l = g.layer(key.layer);
  const int item = dtype_size(l.meta.dtype);
  if (l.params.pushed_source >= 0 || l.kind == OpKind::Source) return run_source(g, d, l, key, out, out_bytes, s);
  switch (l.kind) {
    case OpKind::Elementwise: {
      EwOperand ops[3];
      const int count = static_cast<int>(std::min<size_t>(d.operands.size(), 3));
      for (int k = 0; k < count; ++k) {
        ops[k] = d.operands[k];
        if (d.operand_input[k] >= 0) ops[k].data = in[d.operand_input[k]];
      }
      launch_elementwise(l.op, d.compute, l.meta.dtype, ops, count, out, out_bytes / item, s);
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
          launch_copy_strided(desc, static_cast<const std::byte*>(in[i]) + so * item, static_cast<std::byte*>(out) + dof * item, item, s);
      }
      return;
    }
    case OpKind::Concatenate:
      if (out_bytes > 0) CHUNKSCOPE_CUDA_CHECK(cudaMemcpyAsync(out, in[0], static_cast<size_t>(out_bytes), cudaMemcpyDeviceToDevice, s));
      return;
    case OpKind::Matmul: return run_matmul(g, l, key, in, out, s, blas);
    default: throw std::logic_error("run_device_task: layer \"" + l.id + "\" has no device kernel");
  }
}

}  // namespace chunkscope::gpu
