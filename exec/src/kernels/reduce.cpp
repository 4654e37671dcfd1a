// Reductions (sum, mean, min, max, var, std) as a tree (ReductionPlan, core/plans.hpp):
//   stage 1      one partial per input chunk (the chunk reduced over the reduced axes),
//   stages 2..L  partials combined in groups of up to split_every,
//   stage 0      the last level's group combined and finalised into the layer's dtype.
//
// Partial layouts (K = elements of the partial: the product of the kept axes' chunk sizes):
//   sum        K accumulators: float64 for floats, int64 for bool and signed, uint64 for unsigned
//   mean       int64 count, then K float64 sums
//   var, std   int64 count, then K float64 means, then K float64 M2 (sums of squared deviations),
//              combined with Chan et al.'s parallel formula
//   min, max   K values in the input dtype; a NaN anywhere gives NaN (as NumPy)
// The count is the same for every element of a partial (no NaN skipping), so it is stored once.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "chunkscope/core/plans.hpp"
#include "numeric.hpp"

namespace chunkscope {
namespace {

using kernels::cast;

enum class Layout : std::uint8_t { Sum, Mean, Var, MinMax };

struct ReduceState {
  Op op = Op::Sum;
  Layout layout = Layout::Sum;
  DType in = DType::Float64;   ///< input dtype
  DType acc = DType::Float64;  ///< sum accumulator dtype (Layout::Sum)
  DType out = DType::Float64;  ///< the layer's dtype
  double ddof = 0;
  ArrayMeta input;
  ReductionPlan plan;
  std::vector<bool> reduced;  ///< per input axis
};

constexpr std::int64_t kHeader = 8;  // the int64 count of mean/var partials

/// Elements of a partial of task (level, index): the kept axes' chunk sizes.
std::int64_t partial_elements(const ReduceState& s, int level, std::int64_t index) {
  const Shape g = s.plan.grid(level);
  std::int64_t k = 1;
  for (int a = static_cast<int>(g.size()) - 1; a >= 0; --a) {
    const std::int64_t c = index % g[a];
    index /= g[a];
    if (!s.reduced[a]) k *= s.input.chunks[a][c];
  }
  return k;
}

std::int64_t partial_bytes(const ReduceState& s, std::int64_t k) {
  switch (s.layout) {
    case Layout::Sum: return k * 8;
    case Layout::Mean: return kHeader + k * 8;
    case Layout::Var: return kHeader + 2 * k * 8;
    case Layout::MinMax: return k * dtype_size(s.in);
  }
  return 0;
}

std::shared_ptr<const void> reduce_prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  auto s = std::make_shared<ReduceState>();
  s->op = l.op;
  s->input = g.layer(l.inputs[0]).meta;
  s->in = s->input.dtype;
  s->out = l.meta.dtype;
  s->ddof = l.params.value;
  s->plan = make_reduction_plan(l, s->input);
  s->reduced.assign(s->input.ndim(), false);
  for (int a : l.params.axes) s->reduced[a] = true;
  switch (l.op) {
    case Op::Sum:
      s->layout = Layout::Sum;
      s->acc = is_float(s->in) ? DType::Float64 : is_unsigned(s->in) ? DType::UInt64 : DType::Int64;
      break;
    case Op::Mean: s->layout = Layout::Mean; break;
    case Op::Var:
    case Op::Std: s->layout = Layout::Var; break;
    case Op::Min:
    case Op::Max: s->layout = Layout::MinMax; break;
    default: throw std::logic_error("reduce kernel: not a reduction op");
  }
  return s;
}

std::int64_t reduce_output_bytes(const Graph& g, int layer, TaskKey key, const void* state) {
  if (key.stage == 0) return g.layer(layer).meta.chunk_bytes(key.index);
  const auto& s = *static_cast<const ReduceState*>(state);
  return partial_bytes(s, partial_elements(s, key.stage, key.index));
}

// ------------------------------------------------------------------ contiguous inner reductions

constexpr std::int64_t kBlock = 4096;  // elements summed with independent accumulators

/// Sum of n <= kBlock contiguous values in accumulator type A: eight independent accumulators,
/// which the compiler turns into vector lanes.
template <class A, class T>
A block_sum(const T* __restrict x, std::int64_t n) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) < 4) {
    // int8/int16: int32 lanes with plain += (a block of kBlock values cannot overflow them).
    // GCC 12 -O3 miscompiles the vectorised sign extension of int8/int16 into wrapping 64-bit (or
    // 32-bit unsigned) lanes: sums of 52 int8 values came out with half the terms missing.
    std::int32_t s[8] = {};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) s[j] += x[i + j];
    std::int32_t r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < n; ++i) r += x[i];
    return static_cast<A>(r);
  }
  A s[8] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] = kernels::wrap_add(s[j], static_cast<A>(x[i + j]));
  A r = kernels::wrap_add(kernels::wrap_add(kernels::wrap_add(s[0], s[1]), kernels::wrap_add(s[2], s[3])),
                          kernels::wrap_add(kernels::wrap_add(s[4], s[5]), kernels::wrap_add(s[6], s[7])));
  for (; i < n; ++i) r = kernels::wrap_add(r, static_cast<A>(x[i]));
  return r;
}

/// Sum of n contiguous values: blocks of kBlock, their sums added in order (the rounding error
/// grows with n / kBlock, not n). A loop, not a recursion: recursive halving measured 40% slower.
template <class A, class T>
A contig_sum(const T* x, std::int64_t n) {
  A r{};
  for (std::int64_t i = 0; i < n; i += kBlock) r = kernels::wrap_add(r, block_sum<A>(x + i, std::min(kBlock, n - i)));
  return r;
}

/// Sum of squared deviations from m of n <= kBlock contiguous values, in float64.
template <class T>
double block_m2(const T* __restrict x, std::int64_t n, double m) {
  double s[8] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const double d = static_cast<double>(x[i + j]) - m;
      s[j] += d * d;
    }
  double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - m;
    r += d * d;
  }
  return r;
}

template <class T>
double contig_m2(const T* x, std::int64_t n, double m) {
  double r = 0;
  for (std::int64_t i = 0; i < n; i += kBlock) r += block_m2(x + i, std::min(kBlock, n - i), m);
  return r;
}

/// min (Max = false) or max of n >= 1 contiguous values; NaN if any value is NaN.
template <bool Max, class T>
T contig_extreme(const T* __restrict x, std::int64_t n) {
  T s[8];
  for (int j = 0; j < 8; ++j) s[j] = x[0];
  bool nan = false;
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const T v = x[i + j];
      if constexpr (numpy::is_float_v<T>) nan |= v != v;
      s[j] = Max ? (v > s[j] ? v : s[j]) : (v < s[j] ? v : s[j]);
    }
  for (; i < n; ++i) {
    const T v = x[i];
    if constexpr (numpy::is_float_v<T>) nan |= v != v;
    s[0] = Max ? (v > s[0] ? v : s[0]) : (v < s[0] ? v : s[0]);
  }
  T r = s[0];
  for (int j = 1; j < 8; ++j) r = Max ? (s[j] > r ? s[j] : r) : (s[j] < r ? s[j] : r);
  if constexpr (numpy::is_float_v<T>)
    if (nan) return T(std::numeric_limits<double>::quiet_NaN());
  return r;
}

// ------------------------------------------------------------------ walking a chunk

/// A chunk seen as alternating runs of kept and reduced axes: axes of extent 1 dropped and
/// neighbouring axes of the same kind merged (C order keeps merged axes contiguous).
struct Walk {
  std::vector<std::int64_t> ext, in_stride, out_stride;
  std::vector<bool> red;
  int dims() const { return static_cast<int>(ext.size()); }
};

Walk make_walk(const Shape& shape, const std::vector<bool>& reduced) {
  Walk w;
  for (size_t a = 0; a < shape.size(); ++a) {
    if (shape[a] == 1) continue;
    if (!w.ext.empty() && w.red.back() == reduced[a])
      w.ext.back() *= shape[a];
    else {
      w.ext.push_back(shape[a]);
      w.red.push_back(reduced[a]);
    }
  }
  const int m = w.dims();
  w.in_stride.assign(m, 1);
  w.out_stride.assign(m, 0);
  std::int64_t is = 1, os = 1;
  for (int d = m - 1; d >= 0; --d) {
    w.in_stride[d] = is;
    is *= w.ext[d];
    if (!w.red[d]) {
      w.out_stride[d] = os;
      os *= w.ext[d];
    }
  }
  return w;
}

/// Calls body.row(o, x, n) (combine n contiguous values into n consecutive accumulators from o)
/// or body.contig(o, x, n) (combine n contiguous values into accumulator o) over the chunk.
/// Checks for cancellation once per 256 rows (rows may be short).
template <class Body, class T>
void walk(const KernelContext& ctx, const Walk& w, int d, const T* in, std::int64_t o, Body& body) {
  if (w.dims() == 0) {
    body.row(0, in, 1);
    return;
  }
  if (d == w.dims() - 1) {
    if (w.red[d])
      body.contig(o, in, w.ext[d]);
    else
      body.row(o, in, w.ext[d]);
    return;
  }
  for (std::int64_t i = 0; i < w.ext[d]; ++i) {
    if (d == w.dims() - 2 && i % 256 == 0) ctx.check_cancel();
    walk(ctx, w, d + 1, in + i * w.in_stride[d], o + i * w.out_stride[d], body);
  }
}

template <class A, class T>
struct SumBody {
  A* acc;
  void row(std::int64_t o, const T* __restrict x, std::int64_t n) {
    A* __restrict a = acc + o;
    for (std::int64_t i = 0; i < n; ++i) a[i] = kernels::wrap_add(a[i], static_cast<A>(x[i]));
  }
  void contig(std::int64_t o, const T* x, std::int64_t n) { acc[o] = kernels::wrap_add(acc[o], contig_sum<A>(x, n)); }
};

template <class T>
struct M2Body {
  const double* mean;
  double* m2;
  void row(std::int64_t o, const T* __restrict x, std::int64_t n) {
    const double* __restrict m = mean + o;
    double* __restrict a = m2 + o;
    for (std::int64_t i = 0; i < n; ++i) {
      const double d = static_cast<double>(x[i]) - m[i];
      a[i] += d * d;
    }
  }
  void contig(std::int64_t o, const T* x, std::int64_t n) { m2[o] += contig_m2(x, n, mean[o]); }
};

template <bool Max, class T>
struct ExtremeBody {
  T* acc;
  void row(std::int64_t o, const T* __restrict x, std::int64_t n) {
    T* __restrict a = acc + o;
    for (std::int64_t i = 0; i < n; ++i) a[i] = Max ? kernels::nan_max(a[i], x[i]) : kernels::nan_min(a[i], x[i]);
  }
  void contig(std::int64_t o, const T* x, std::int64_t n) {
    const T v = contig_extreme<Max>(x, n);
    acc[o] = Max ? kernels::nan_max(acc[o], v) : kernels::nan_min(acc[o], v);
  }
};

template <class T>
T lowest() {
  if constexpr (numpy::is_float_v<T>)
    return T(-std::numeric_limits<double>::infinity());
  else
    return std::numeric_limits<T>::lowest();
}
template <class T>
T highest() {
  if constexpr (numpy::is_float_v<T>)
    return T(std::numeric_limits<double>::infinity());
  else
    return std::numeric_limits<T>::max();
}

/// Stage 1: reduces one input chunk into a partial.
template <class T>
void reduce_chunk(const ReduceState& s, const KernelContext& ctx) {
  const Shape shape = s.input.chunk_shape(ctx.key.index);
  const Walk w = make_walk(shape, s.reduced);
  const std::int64_t k = partial_elements(s, 1, ctx.key.index);
  const std::int64_t count = kernels::product(shape) / std::max<std::int64_t>(k, 1);
  const T* in = ctx.inputs[0]->as<T>();
  std::byte* out = ctx.output.data();
  switch (s.layout) {
    case Layout::Sum:
      dispatch_dtype(s.acc, [&](auto a) {
        using A = decltype(a);
        if constexpr (std::is_same_v<A, double> || std::is_same_v<A, std::int64_t> ||
                      std::is_same_v<A, std::uint64_t>) {
          SumBody<A, T> body{reinterpret_cast<A*>(out)};
          std::fill(body.acc, body.acc + k, A{0});
          walk(ctx, w, 0, in, 0, body);
        }
      });
      break;
    case Layout::Mean:
    case Layout::Var: {
      const std::int64_t c64 = count;
      std::memcpy(out, &c64, sizeof c64);
      SumBody<double, T> sums{reinterpret_cast<double*>(out + kHeader)};
      std::fill(sums.acc, sums.acc + k, 0.0);
      walk(ctx, w, 0, in, 0, sums);
      if (s.layout == Layout::Mean) break;
      const double inv = 1.0 / static_cast<double>(count);
      for (std::int64_t i = 0; i < k; ++i) sums.acc[i] *= inv;  // sums -> means
      M2Body<T> m2{sums.acc, sums.acc + k};
      std::fill(m2.m2, m2.m2 + k, 0.0);
      walk(ctx, w, 0, in, 0, m2);
      break;
    }
    case Layout::MinMax: {
      T* acc = reinterpret_cast<T*>(out);
      if (s.op == Op::Max) {
        std::fill(acc, acc + k, lowest<T>());
        ExtremeBody<true, T> body{acc};
        walk(ctx, w, 0, in, 0, body);
      } else {
        std::fill(acc, acc + k, highest<T>());
        ExtremeBody<false, T> body{acc};
        walk(ctx, w, 0, in, 0, body);
      }
      break;
    }
  }
}

// ------------------------------------------------------------------ combining partials

/// Combines the partials in ctx.inputs (each of k elements) into `dst` (partial layout).
template <class T>
void combine(const ReduceState& s, const KernelContext& ctx, std::int64_t k, std::byte* dst) {
  const auto& ins = ctx.inputs;
  switch (s.layout) {
    case Layout::Sum:
      dispatch_dtype(s.acc, [&](auto a) {
        using A = decltype(a);
        A* __restrict acc = reinterpret_cast<A*>(dst);
        std::memcpy(acc, ins[0]->data(), static_cast<size_t>(k) * sizeof(A));
        for (size_t p = 1; p < ins.size(); ++p) {
          ctx.check_cancel();
          const A* __restrict x = ins[p]->as<A>();
          for (std::int64_t i = 0; i < k; ++i) acc[i] = kernels::wrap_add(acc[i], x[i]);
        }
      });
      break;
    case Layout::Mean: {
      std::int64_t n = 0;
      double* __restrict acc = reinterpret_cast<double*>(dst + kHeader);
      std::fill(acc, acc + k, 0.0);
      for (const Buffer* b : ins) {
        ctx.check_cancel();
        std::int64_t c;
        std::memcpy(&c, b->data(), sizeof c);
        n += c;
        const double* __restrict x = reinterpret_cast<const double*>(b->data() + kHeader);
        for (std::int64_t i = 0; i < k; ++i) acc[i] += x[i];
      }
      std::memcpy(dst, &n, sizeof n);
      break;
    }
    case Layout::Var: {
      std::int64_t n;
      std::memcpy(&n, ins[0]->data(), sizeof n);
      double* __restrict mean = reinterpret_cast<double*>(dst + kHeader);
      double* __restrict m2 = mean + k;
      std::memcpy(mean, ins[0]->data() + kHeader, static_cast<size_t>(2 * k) * sizeof(double));
      for (size_t p = 1; p < ins.size(); ++p) {
        ctx.check_cancel();
        std::int64_t nb;
        std::memcpy(&nb, ins[p]->data(), sizeof nb);
        const double* __restrict xm = reinterpret_cast<const double*>(ins[p]->data() + kHeader);
        const double* __restrict x2 = xm + k;
        const double na = static_cast<double>(n), nbd = static_cast<double>(nb), nt = na + nbd;
        const double fb = nbd / nt, fab = na * nbd / nt;
        for (std::int64_t i = 0; i < k; ++i) {
          const double d = xm[i] - mean[i];
          mean[i] += d * fb;
          m2[i] += x2[i] + d * d * fab;
        }
        n += nb;
      }
      std::memcpy(dst, &n, sizeof n);
      break;
    }
    case Layout::MinMax: {
      T* __restrict acc = reinterpret_cast<T*>(dst);
      std::memcpy(acc, ins[0]->data(), static_cast<size_t>(k) * sizeof(T));
      for (size_t p = 1; p < ins.size(); ++p) {
        ctx.check_cancel();
        const T* __restrict x = ins[p]->as<T>();
        if (s.op == Op::Max)
          for (std::int64_t i = 0; i < k; ++i) acc[i] = kernels::nan_max(acc[i], x[i]);
        else
          for (std::int64_t i = 0; i < k; ++i) acc[i] = kernels::nan_min(acc[i], x[i]);
      }
      break;
    }
  }
}

/// Stage 0: combines the last level's partials and writes the layer's values.
template <class T>
void finish(const ReduceState& s, const KernelContext& ctx) {
  const std::int64_t k = ctx.output.size() / dtype_size(s.out);
  if (s.layout == Layout::MinMax) {  // same layout as the output
    combine<T>(s, ctx, k, ctx.output.data());
    return;
  }
  std::vector<std::byte> tmp(static_cast<size_t>(partial_bytes(s, k)));
  combine<T>(s, ctx, k, tmp.data());
  std::int64_t n = 0;
  if (s.layout != Layout::Sum) std::memcpy(&n, tmp.data(), sizeof n);
  const double* vals = reinterpret_cast<const double*>(tmp.data() + kHeader);
  std::vector<double> res;
  switch (s.layout) {
    case Layout::Sum:
      dispatch_dtype(s.acc, [&](auto a) {
        using A = decltype(a);
        kernels::convert_to(reinterpret_cast<const A*>(tmp.data()), s.out, ctx.output.data(), k);
      });
      return;
    case Layout::Mean: {
      res.resize(static_cast<size_t>(k));
      const double cnt = static_cast<double>(n);
      for (std::int64_t i = 0; i < k; ++i) res[i] = vals[i] / cnt;
      break;
    }
    case Layout::Var: {
      res.resize(static_cast<size_t>(k));
      // NumPy: M2 / max(n - ddof, 0): a zero divisor gives inf (or nan for 0/0).
      const double div = std::max(static_cast<double>(n) - s.ddof, 0.0);
      const double* m2 = vals + k;
      for (std::int64_t i = 0; i < k; ++i) res[i] = m2[i] / div;
      if (s.op == Op::Std)
        for (auto& v : res) v = std::sqrt(v);
      break;
    }
    case Layout::MinMax: break;
  }
  kernels::convert_to(res.data(), s.out, ctx.output.data(), k);
}

void reduce_run(const KernelContext& ctx) {
  const auto& s = *static_cast<const ReduceState*>(ctx.state);
  dispatch_dtype(s.in, [&](auto t) {
    using T = decltype(t);
    if (ctx.key.stage == 1)
      reduce_chunk<T>(s, ctx);
    else if (ctx.key.stage == 0)
      finish<T>(s, ctx);
    else
      combine<T>(s, ctx, partial_elements(s, ctx.key.stage, ctx.key.index), ctx.output.data());
  });
}

}  // namespace

const KernelInfo& reduce_kernel() {
  static const KernelInfo k{reduce_prepare, reduce_output_bytes, reduce_run};
  return k;
}

}  // namespace chunkscope
