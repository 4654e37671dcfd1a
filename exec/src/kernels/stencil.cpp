// gaussian_filter and uniform_filter equal to scipy.ndimage's, across chunk borders.
//
//   stage 1 (overlap)  task c gathers the extended block of output chunk c: the chunk grown by
//                      the filter's depth on each side of each axis, in the input dtype; indices
//                      outside the array map through boundary_index (constant mode: cval).
//   stage 0 (filter)   filters the block separably in float64, axis 0 first (scipy's order),
//                      and writes the chunk's interior.
//
// Each 1-D pass repeats scipy's arithmetic element by element (correlate1d's symmetric sum for
// the gaussian, the running sum of uniform_filter1d), and, as scipy stores every pass in the
// output array, the values are cast to the array's dtype after each pass (float32 rounding,
// truncation toward zero for integers). In constant mode the positions outside the array along
// the axes still to be filtered are reset to cval before each pass, which is what scipy's line
// extension sees. Passes along a non-last axis combine whole rows, so every inner loop runs over
// contiguous memory.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "chunkscope/core/plans.hpp"
#include "chunkscope/exec/filter_weights.hpp"
#include "numeric.hpp"

namespace chunkscope {
namespace {

struct StencilState {
  bool gaussian = true;
  ArrayMeta input;  ///< also the layer's output meta
  OverlapPlan plan;
  std::vector<std::vector<std::int64_t>> bounds;  ///< chunk_bounds per axis
  std::vector<std::vector<double>> weights;       ///< gaussian: per axis, 2r + 1 weights
  std::vector<std::int64_t> size;                 ///< uniform: per axis
  BoundaryMode mode = BoundaryMode::Reflect;
  double cval = 0;
  bool active(int a) const { return plan.depth_before[a] + plan.depth_after[a] > 0; }
};

/// NumPy's pairwise summation of a float64 array (np.sum), so the weights match scipy's bits.
double numpy_pairwise_sum(const double* a, std::int64_t n) {
  if (n < 8) {
    double res = -0.0;
    for (std::int64_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::int64_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}

}  // namespace

std::vector<double> gaussian_weights(double sigma, std::int64_t radius) {
  const double c = -0.5 / (sigma * sigma);
  std::vector<double> w(static_cast<size_t>(2 * radius + 1));
  for (std::int64_t x = -radius; x <= radius; ++x) w[x + radius] = std::exp(c * static_cast<double>(x * x));
  const double sum = 0.0 + numpy_pairwise_sum(w.data(), static_cast<std::int64_t>(w.size()));
  for (auto& v : w) v /= sum;
  return w;
}

namespace {

std::shared_ptr<const void> stencil_prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  auto s = std::make_shared<StencilState>();
  s->gaussian = l.op == Op::GaussianFilter;
  s->input = g.layer(l.inputs[0]).meta;
  s->plan = make_overlap_plan(l, s->input);
  s->mode = l.params.mode;
  s->cval = l.params.cval;
  const int nd = s->input.ndim();
  s->weights.resize(nd);
  for (int a = 0; a < nd; ++a) {
    s->bounds.push_back(chunk_bounds(s->input.chunks[a]));
    if (s->gaussian && s->active(a)) s->weights[a] = gaussian_weights(l.params.sigma[a], s->plan.depth_before[a]);
  }
  if (!s->gaussian) s->size = l.params.size;
  return s;
}

Shape extended_shape(const StencilState& s, std::int64_t c) {
  Shape e = s.input.chunk_shape(c);
  for (size_t a = 0; a < e.size(); ++a) e[a] += s.plan.depth_before[a] + s.plan.depth_after[a];
  return e;
}

std::int64_t stencil_output_bytes(const Graph& g, int layer, TaskKey key, const void* state) {
  if (key.stage == 0) return g.layer(layer).meta.chunk_bytes(key.index);
  const auto& s = *static_cast<const StencilState*>(state);
  return kernels::product(extended_shape(s, key.index)) * dtype_size(s.input.dtype);
}

// ------------------------------------------------------------------ stage 1: gather the block

/// Where one extended index along an axis comes from: the chunk along that axis and the index
/// inside it, or chunk -1 for constant mode's outside.
struct Source {
  std::int64_t chunk;
  std::int64_t local;
};

void gather(const StencilState& s, const KernelContext& ctx) {
  const ArrayMeta& m = s.input;
  const int nd = m.ndim();
  const std::int64_t c = ctx.key.index;
  const std::int64_t isz = dtype_size(m.dtype);
  std::byte* out = ctx.output.data();
  if (nd == 0) {
    std::memcpy(out, ctx.inputs[0]->data(), static_cast<size_t>(isz));
    return;
  }
  const Shape off = m.chunk_offset(c);
  const Shape ext = extended_shape(s, c);
  const std::vector<std::int64_t> needed = s.plan.needed_chunks(m, c);  // the order of ctx.inputs

  std::vector<std::vector<Source>> src(nd);
  for (int a = 0; a < nd; ++a) {
    const auto& b = s.bounds[a];
    src[a].resize(static_cast<size_t>(ext[a]));
    for (std::int64_t e = 0; e < ext[a]; ++e) {
      const std::int64_t gi = boundary_index(off[a] - s.plan.depth_before[a] + e, m.shape[a], s.mode);
      if (gi < 0) {
        src[a][e] = {-1, 0};
        continue;
      }
      const std::int64_t k = std::upper_bound(b.begin() + 1, b.end(), gi) - (b.begin() + 1);
      src[a][e] = {k, gi - b[k]};
    }
  }
  // Runs along the last axis: consecutive indices reading consecutive elements of one chunk.
  struct Run {
    std::int64_t begin, length;
    Source from;
  };
  std::vector<Run> runs;
  const auto& last = src[nd - 1];
  for (std::int64_t e = 0; e < ext[nd - 1];) {
    Run r{e, 1, last[e]};
    while (e + r.length < ext[nd - 1] && last[e + r.length].chunk == r.from.chunk && r.from.chunk >= 0 &&
           last[e + r.length].local == r.from.local + r.length)
      ++r.length;
    if (r.from.chunk < 0)
      while (e + r.length < ext[nd - 1] && last[e + r.length].chunk < 0) ++r.length;
    runs.push_back(r);
    e += r.length;
  }

  std::vector<std::byte> fill(static_cast<size_t>(ext[nd - 1] * isz));
  dispatch_dtype(m.dtype, [&](auto t) {
    using T = decltype(t);
    const T v = kernels::cast<T>(s.cval);
    for (std::int64_t i = 0; i < ext[nd - 1]; ++i) std::memcpy(fill.data() + i * isz, &v, sizeof v);
  });

  Shape coords(nd), outer(nd, 0);
  const std::int64_t row_bytes = ext[nd - 1] * isz;
  std::int64_t rows = 1;
  for (int a = 0; a < nd - 1; ++a) rows *= ext[a];
  for (std::int64_t row = 0; row < rows; ++row, out += row_bytes) {
    ctx.check_cancel();
    bool outside = false;
    for (int a = 0; a < nd - 1; ++a) {
      coords[a] = src[a][outer[a]].chunk;
      outside |= coords[a] < 0;
    }
    if (outside) {
      std::memcpy(out, fill.data(), static_cast<size_t>(row_bytes));
    } else {
      for (const Run& r : runs) {
        std::byte* dst = out + r.begin * isz;
        if (r.from.chunk < 0) {
          std::memcpy(dst, fill.data(), static_cast<size_t>(r.length * isz));
          continue;
        }
        coords[nd - 1] = r.from.chunk;
        const std::int64_t flat = m.chunk_flat(coords);
        const auto pos = std::lower_bound(needed.begin(), needed.end(), flat) - needed.begin();
        // Offset of the element inside its chunk (C order over that chunk's shape).
        std::int64_t o = 0;
        for (int a = 0; a < nd; ++a) {
          const std::int64_t local = a == nd - 1 ? r.from.local : src[a][outer[a]].local;
          o = o * m.chunks[a][coords[a]] + local;
        }
        std::memcpy(dst, ctx.inputs[pos]->data() + o * isz, static_cast<size_t>(r.length * isz));
      }
    }
    for (int a = nd - 2; a >= 0; --a) {
      if (++outer[a] < ext[a]) break;
      outer[a] = 0;
    }
  }
}

// ------------------------------------------------------------------ stage 0: 1-D passes

constexpr std::int64_t kStrip = 1024;  // elements of an output strip kept in L1

// The tap loop is load-bound; AVX2 clones (chosen at load time, no FMA: the build keeps
// -ffp-contract=off) run it about 20% faster than the SSE2 baseline on x86-64. Not under
// ThreadSanitizer: the clones' resolver runs during relocation, before TSan's runtime is set up,
// and the instrumented resolver crashes the process at load.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CHUNKSCOPE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CHUNKSCOPE_VECTOR_CLONES
#endif

/// y[k] = c[k] * w[r] + sum over j = r..1 of (c[k - j*st] + c[k + j*st]) * w[r - j], in scipy's
/// order (correlate1d's symmetric branch), for k < n.
CHUNKSCOPE_VECTOR_CLONES void symmetric_taps(double* __restrict y, const double* c, std::int64_t st, std::int64_t n,
                                             const double* w, std::int64_t r) {
  const double w0 = w[r];
  for (std::int64_t k = 0; k < n; ++k) y[k] = c[k] * w0;
  std::int64_t j = r;
  for (; j >= 4; j -= 4) {
    const double* l0 = c - j * st;
    const double* h0 = c + j * st;
    const double* l1 = l0 + st;
    const double* h1 = h0 - st;
    const double* l2 = l1 + st;
    const double* h2 = h1 - st;
    const double* l3 = l2 + st;
    const double* h3 = h2 - st;
    const double w_0 = w[r - j], w_1 = w[r - j + 1], w_2 = w[r - j + 2], w_3 = w[r - j + 3];
    for (std::int64_t k = 0; k < n; ++k)
      y[k] = (((y[k] + (l0[k] + h0[k]) * w_0) + (l1[k] + h1[k]) * w_1) + (l2[k] + h2[k]) * w_2) + (l3[k] + h3[k]) * w_3;
  }
  for (; j >= 1; --j) {
    const double* lo = c - j * st;
    const double* hi = c + j * st;
    const double wj = w[r - j];
    for (std::int64_t k = 0; k < n; ++k) y[k] += (lo[k] + hi[k]) * wj;
  }
}

/// Gaussian pass: `in` is (outer, lin, inner), `out` is (outer, lout, inner), lin = lout + 2r.
/// Checks for cancellation once per row (per strip of the last axis).
void gaussian_pass(const KernelContext& ctx, const double* in, double* out, std::int64_t outer, std::int64_t lin,
                   std::int64_t lout, std::int64_t inner, const std::vector<double>& w) {
  const std::int64_t r = (static_cast<std::int64_t>(w.size()) - 1) / 2;
  for (std::int64_t o = 0; o < outer; ++o) {
    const double* x = in + o * lin * inner;
    double* y = out + o * lout * inner;
    if (inner == 1) {
      for (std::int64_t i = 0; i < lout; i += kStrip) {
        ctx.check_cancel();
        symmetric_taps(y + i, x + r + i, 1, std::min(kStrip, lout - i), w.data(), r);
      }
    } else {
      for (std::int64_t i = 0; i < lout; ++i) {
        ctx.check_cancel();
        for (std::int64_t k = 0; k < inner; k += kStrip)
          symmetric_taps(y + i * inner + k, x + (i + r) * inner + k, inner, std::min(kStrip, inner - k), w.data(), r);
      }
    }
  }
}

/// Uniform pass (uniform_filter1d's running sum): lin = lout + size - 1. Checks for cancellation
/// once per 64 rows and per strip of the inner axes.
void uniform_pass(const KernelContext& ctx, const double* in, double* out, std::int64_t outer, std::int64_t lin,
                  std::int64_t lout, std::int64_t inner, std::int64_t size) {
  const double fs = static_cast<double>(size);
  std::vector<double> tmp(static_cast<size_t>(std::min(kStrip, inner)));
  for (std::int64_t o = 0; o < outer; ++o) {
    if (o % 64 == 0) ctx.check_cancel();  // rows may be short
    const double* x = in + o * lin * inner;
    double* y = out + o * lout * inner;
    if (inner == 1) {
      double t = 0.0;
      for (std::int64_t l = 0; l < size; ++l) t += x[l];
      y[0] = t / fs;
      for (std::int64_t l = 1; l < lout; ++l) {
        t += x[l + size - 1] - x[l - 1];
        y[l] = t / fs;
      }
      continue;
    }
    for (std::int64_t k0 = 0; k0 < inner; k0 += kStrip) {
      if (k0 > 0) ctx.check_cancel();
      const std::int64_t n = std::min(kStrip, inner - k0);
      double* __restrict t = tmp.data();
      std::fill(t, t + n, 0.0);
      for (std::int64_t l = 0; l < size; ++l) {
        const double* xr = x + l * inner + k0;
        for (std::int64_t k = 0; k < n; ++k) t[k] += xr[k];
      }
      for (std::int64_t k = 0; k < n; ++k) y[k0 + k] = t[k] / fs;
      for (std::int64_t l = 1; l < lout; ++l) {
        const double* add = x + (l + size - 1) * inner + k0;
        const double* sub = x + (l - 1) * inner + k0;
        double* __restrict yr = y + l * inner + k0;
        for (std::int64_t k = 0; k < n; ++k) {
          t[k] += add[k] - sub[k];
          yr[k] = t[k] / fs;
        }
      }
    }
  }
}

/// Sets the positions of `buf` (shape `shape`, the block of chunk c after the passes before
/// `from_axis`) that lie outside the array along axes >= from_axis to cval.
void reset_outside(const StencilState& s, const Shape& off, double* buf, const Shape& shape, int from_axis) {
  const int nd = static_cast<int>(shape.size());
  for (int b = from_axis; b < nd; ++b) {
    const std::int64_t db = s.plan.depth_before[b];
    if (db + s.plan.depth_after[b] == 0) continue;
    std::int64_t outer = 1, inner = 1;
    for (int a = 0; a < b; ++a) outer *= shape[a];
    for (int a = b + 1; a < nd; ++a) inner *= shape[a];
    for (std::int64_t e = 0; e < shape[b]; ++e) {
      const std::int64_t gi = off[b] - db + e;
      if (gi >= 0 && gi < s.input.shape[b]) continue;
      for (std::int64_t o = 0; o < outer; ++o) std::fill_n(buf + (o * shape[b] + e) * inner, inner, s.cval);
    }
  }
}

/// Rounds float64 values to what an array of T stores (scipy writes each pass to the output).
/// scipy.ndimage does not filter float16: a float16 array is filtered as float32 (each pass
/// rounded to float32) and the result rounded to float16 once, at the end.
template <class T>
void round_to(double* v, std::int64_t n) {
  using R = std::conditional_t<std::is_same_v<T, numpy::Half>, float, T>;
  if constexpr (!std::is_same_v<R, double>)
    for (std::int64_t i = 0; i < n; ++i) v[i] = static_cast<double>(kernels::cast<R>(v[i]));
}

template <class T>
void filter(const StencilState& s, const KernelContext& ctx) {
  const int nd = s.input.ndim();
  const std::int64_t c = ctx.key.index;
  const Shape chunk = s.input.chunk_shape(c);
  const Shape off = s.input.chunk_offset(c);
  Shape shape = extended_shape(s, c);
  std::vector<int> passes;
  for (int a = 0; a < nd; ++a)
    if (s.active(a)) passes.push_back(a);
  const T* block = ctx.inputs[0]->as<T>();
  const std::int64_t n_out = kernels::product(chunk);
  if (passes.empty()) {  // nothing to filter (scipy copies the input)
    std::memcpy(ctx.output.data(), block, static_cast<size_t>(n_out) * sizeof(T));
    return;
  }
  constexpr bool f64 = std::is_same_v<T, double>;
  const bool constant = s.mode == BoundaryMode::Constant;
  thread_local std::vector<double> bufs[2];
  const double* cur;
  if constexpr (f64) {
    cur = block;  // the gather already wrote cval (exactly) outside the array
  } else {
    const std::int64_t n = kernels::product(shape);
    bufs[0].resize(static_cast<size_t>(n));
    kernels::convert(block, bufs[0].data(), n);
    if (constant) reset_outside(s, off, bufs[0].data(), shape, 0);
    cur = bufs[0].data();
  }
  int next = f64 ? 0 : 1;
  for (size_t p = 0; p < passes.size(); ++p) {
    const int a = passes[p];
    Shape to = shape;
    to[a] = chunk[a];
    std::int64_t outer = 1, inner = 1;
    for (int b = 0; b < a; ++b) outer *= shape[b];
    for (int b = a + 1; b < nd; ++b) inner *= shape[b];
    const bool last = p + 1 == passes.size();
    double* dst;
    if (f64 && last) {
      dst = ctx.output.as<double>();
    } else {
      bufs[next].resize(static_cast<size_t>(kernels::product(to)));
      dst = bufs[next].data();
      next ^= 1;
    }
    if (s.gaussian)
      gaussian_pass(ctx, cur, dst, outer, shape[a], to[a], inner, s.weights[a]);
    else
      uniform_pass(ctx, cur, dst, outer, shape[a], to[a], inner, s.size[a]);
    round_to<T>(dst, kernels::product(to));
    if (constant && !last) reset_outside(s, off, dst, to, a + 1);
    cur = dst;
    shape = to;
  }
  if constexpr (!f64) kernels::convert(cur, ctx.output.as<T>(), n_out);
}

void stencil_run(const KernelContext& ctx) {
  const auto& s = *static_cast<const StencilState*>(ctx.state);
  if (ctx.key.stage == 1) {
    gather(s, ctx);
    return;
  }
  dispatch_dtype(s.input.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_same_v<T, bool>)
      throw std::invalid_argument("filters need a numeric array, got bool");
    else
      filter<T>(s, ctx);
  });
}

}  // namespace

const KernelInfo& stencil_kernel() {
  static const KernelInfo k{stencil_prepare, stencil_output_bytes, stencil_run};
  return k;
}

}  // namespace chunkscope
