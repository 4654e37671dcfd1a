#pragma once
// The per-element arithmetic and index maths of the device kernels, written once for both
// compilers: nvcc compiles it into the kernels (kernels_*.cu) and g++ compiles it into
// tests/gpu/device_math_test.cpp, which checks it against exec's CPU kernels on every machine —
// with or without a GPU. A kernel is then a launch shape around these functions.
//
// Semantics are exec's (exec/src/kernels/numeric.hpp, reduce.cpp, stencil.cpp): NumPy's casts,
// wrapping integer arithmetic, NaN-propagating min/max, the reduction partial layouts, scipy's
// filter arithmetic element by element. Private to gpu/src/ (and its host test).
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "chunkscope/core/dtype.hpp"
#include "chunkscope/core/layer.hpp"
#include "chunkscope/core/numpy_elements.hpp"

#define CS_HD CHUNKSCOPE_HD_INLINE

namespace chunkscope::gpu::dm {

constexpr int kAxes = 8;          ///< most axes a device kernel handles (the host falls back above)
constexpr int kCombineMax = 192;  ///< most partials one device combine task reads
constexpr int kGatherSpan = 8;    ///< most chunks along one axis one halo gather reads
constexpr int kGatherPtrs = 64;   ///< most chunks one halo gather reads
constexpr int kTapsMax = 255;     ///< most gaussian weights along an axis (radius 127)

// ------------------------------------------------------------------ NumPy element semantics

using numpy::cast;
using numpy::float_to_int;
using numpy::nan_max;
using numpy::nan_min;
using numpy::wrap_add;
using numpy::WrapType;

/// Element i of a buffer of dtype t, cast to T.
template <class T>
CS_HD T load_as(const void* p, DType t, std::int64_t i) {
  switch (t) {
    case DType::Bool: return cast<T>(static_cast<const bool*>(p)[i]);
    case DType::Int8: return cast<T>(static_cast<const std::int8_t*>(p)[i]);
    case DType::UInt8: return cast<T>(static_cast<const std::uint8_t*>(p)[i]);
    case DType::Int16: return cast<T>(static_cast<const std::int16_t*>(p)[i]);
    case DType::UInt16: return cast<T>(static_cast<const std::uint16_t*>(p)[i]);
    case DType::UInt32: return cast<T>(static_cast<const std::uint32_t*>(p)[i]);
    case DType::Float16: return cast<T>(static_cast<const numpy::Half*>(p)[i]);
    case DType::Int32: return cast<T>(static_cast<const std::int32_t*>(p)[i]);
    case DType::Int64: return cast<T>(static_cast<const std::int64_t*>(p)[i]);
    case DType::UInt64: return cast<T>(static_cast<const std::uint64_t*>(p)[i]);
    case DType::Float32: return cast<T>(static_cast<const float*>(p)[i]);
    case DType::Float64: break;
  }
  return cast<T>(static_cast<const double*>(p)[i]);
}

/// Stores v into element i of a buffer of dtype t (NumPy cast).
template <class T>
CS_HD void store_as(void* p, DType t, std::int64_t i, T v) {
  switch (t) {
    case DType::Bool: static_cast<bool*>(p)[i] = cast<bool>(v); return;
    case DType::Int8: static_cast<std::int8_t*>(p)[i] = cast<std::int8_t>(v); return;
    case DType::UInt8: static_cast<std::uint8_t*>(p)[i] = cast<std::uint8_t>(v); return;
    case DType::Int16: static_cast<std::int16_t*>(p)[i] = cast<std::int16_t>(v); return;
    case DType::UInt16: static_cast<std::uint16_t*>(p)[i] = cast<std::uint16_t>(v); return;
    case DType::UInt32: static_cast<std::uint32_t*>(p)[i] = cast<std::uint32_t>(v); return;
    case DType::Float16: static_cast<numpy::Half*>(p)[i] = cast<numpy::Half>(v); return;
    case DType::Int32: static_cast<std::int32_t*>(p)[i] = cast<std::int32_t>(v); return;
    case DType::Int64: static_cast<std::int64_t*>(p)[i] = cast<std::int64_t>(v); return;
    case DType::UInt64: static_cast<std::uint64_t*>(p)[i] = cast<std::uint64_t>(v); return;
    case DType::Float32: static_cast<float*>(p)[i] = cast<float>(v); return;
    case DType::Float64: static_cast<double*>(p)[i] = cast<double>(v); return;
  }
}

// ------------------------------------------------------------------ element-wise ops

/// Math functions of both compilers: CUDA's in device code, the C++ library's on the host.
#if defined(__CUDA_ARCH__)
#define CS_MATH(f) ::f
#else
#define CS_MATH(f) std::f
#endif

/// One element-wise operand: an array (data != nullptr) of `dtype`, or a scalar.
struct EwOperand {
  const void* data = nullptr;
  DType dtype = DType::Float64;
  double scalar = 0;
};

template <class T>
CS_HD T ew_load(const EwOperand& a, std::int64_t i) {
  return a.data ? load_as<T>(a.data, a.dtype, i) : cast<T>(a.scalar);
}

template <class T>
CS_HD T wrap_op(Op op, T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return op == Op::Add ? (a || b) : op == Op::Subtract ? (a != b) : (a && b);
  } else if constexpr (std::is_integral_v<T>) {
    const WrapType<T> x = static_cast<WrapType<T>>(a), y = static_cast<WrapType<T>>(b);
    return static_cast<T>(op == Op::Add ? x + y : op == Op::Subtract ? x - y : x * y);
  } else {
    return op == Op::Add ? a + b : op == Op::Subtract ? a - b : a * b;
  }
}

/// Wrapping power by squaring (unsigned types).
template <class T>
CS_HD T unsigned_power(T base, T exponent) {
  WrapType<T> result = 1, b = static_cast<WrapType<T>>(base);
  auto e = static_cast<std::make_unsigned_t<T>>(exponent);
  while (e) {
    if (e & 1) result = static_cast<WrapType<T>>(result * b);
    b = static_cast<WrapType<T>>(b * b);
    e >>= 1;
  }
  return static_cast<T>(result);
}

template <class T>
CS_HD T unary(Op op, T a) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Op::Negative: return -a;
      case Op::Abs: return CS_MATH(fabs)(a);
      case Op::Sqrt: return CS_MATH(sqrt)(a);
      case Op::Exp: return CS_MATH(exp)(a);
      case Op::Log: return CS_MATH(log)(a);
      case Op::Sin: return CS_MATH(sin)(a);
      case Op::Cos: return CS_MATH(cos)(a);
      default: return a;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    return a;  // negative and abs of bool keep the value
  } else {
    const T neg = static_cast<T>(WrapType<T>{0} - static_cast<WrapType<T>>(a));
    if (op == Op::Negative) return neg;
    if constexpr (std::is_signed_v<T>)
      return a < 0 ? neg : a;  // abs
    else
      return a;
  }
}

/// out[i] = op(a[i], b[i], c[i]) computed in T, stored as out_dtype (exec's elementwise kernel;
/// where: a is the condition). Ops and dtypes that raise on the host never get here.
template <class T>
CS_HD void ew_apply(Op op, DType out_dtype, const EwOperand& a, const EwOperand& b, const EwOperand& c, void* out,
                    std::int64_t i) {
  switch (op) {
    case Op::Add:
    case Op::Subtract:
    case Op::Multiply: store_as(out, out_dtype, i, wrap_op<T>(op, ew_load<T>(a, i), ew_load<T>(b, i))); return;
    case Op::Divide:
      if constexpr (std::is_floating_point_v<T>) store_as(out, out_dtype, i, ew_load<T>(a, i) / ew_load<T>(b, i));
      return;
    case Op::Power:
      if constexpr (std::is_floating_point_v<T>)
        store_as(out, out_dtype, i, static_cast<T>(CS_MATH(pow)(ew_load<T>(a, i), ew_load<T>(b, i))));
      else if constexpr (std::is_same_v<T, bool>)
        store_as(out, out_dtype, i, static_cast<bool>(ew_load<T>(a, i) || !ew_load<T>(b, i)));
      else if constexpr (std::is_unsigned_v<T>)
        store_as(out, out_dtype, i, unsigned_power<T>(ew_load<T>(a, i), ew_load<T>(b, i)));
      return;
    case Op::Maximum: store_as(out, out_dtype, i, nan_max<T>(ew_load<T>(a, i), ew_load<T>(b, i))); return;
    case Op::Minimum: store_as(out, out_dtype, i, nan_min<T>(ew_load<T>(a, i), ew_load<T>(b, i))); return;
    case Op::Greater: store_as(out, out_dtype, i, ew_load<T>(a, i) > ew_load<T>(b, i)); return;
    case Op::GreaterEqual: store_as(out, out_dtype, i, ew_load<T>(a, i) >= ew_load<T>(b, i)); return;
    case Op::Less: store_as(out, out_dtype, i, ew_load<T>(a, i) < ew_load<T>(b, i)); return;
    case Op::LessEqual: store_as(out, out_dtype, i, ew_load<T>(a, i) <= ew_load<T>(b, i)); return;
    case Op::Equal: store_as(out, out_dtype, i, ew_load<T>(a, i) == ew_load<T>(b, i)); return;
    case Op::Where: store_as(out, out_dtype, i, ew_load<bool>(a, i) ? ew_load<T>(b, i) : ew_load<T>(c, i)); return;
    case Op::AsType: store_as(out, out_dtype, i, ew_load<T>(a, i)); return;
    default: store_as(out, out_dtype, i, unary<T>(op, ew_load<T>(a, i))); return;
  }
}

/// ew_apply with the computation type chosen at run time.
CS_HD void ew_apply_dyn(DType compute, Op op, DType out_dtype, const EwOperand& a, const EwOperand& b,
                        const EwOperand& c, void* out, std::int64_t i) {
  switch (compute) {
    case DType::Bool: return ew_apply<bool>(op, out_dtype, a, b, c, out, i);
    case DType::Int8: return ew_apply<std::int8_t>(op, out_dtype, a, b, c, out, i);
    case DType::UInt8: return ew_apply<std::uint8_t>(op, out_dtype, a, b, c, out, i);
    case DType::Int16: return ew_apply<std::int16_t>(op, out_dtype, a, b, c, out, i);
    case DType::UInt16: return ew_apply<std::uint16_t>(op, out_dtype, a, b, c, out, i);
    case DType::UInt32: return ew_apply<std::uint32_t>(op, out_dtype, a, b, c, out, i);
    // float16 computes in float (exact for float16 values) and rounds each result when stored, as
    // NumPy's float16 loops do (the plan rounds float literals to float16 first).
    case DType::Float16: return ew_apply<float>(op, out_dtype, a, b, c, out, i);
    case DType::Int32: return ew_apply<std::int32_t>(op, out_dtype, a, b, c, out, i);
    case DType::Int64: return ew_apply<std::int64_t>(op, out_dtype, a, b, c, out, i);
    case DType::UInt64: return ew_apply<std::uint64_t>(op, out_dtype, a, b, c, out, i);
    case DType::Float32: return ew_apply<float>(op, out_dtype, a, b, c, out, i);
    case DType::Float64: return ew_apply<double>(op, out_dtype, a, b, c, out, i);
  }
}

// ------------------------------------------------------------------ fused element-wise chains

constexpr int kFusedOps = 8;     ///< most layers in one fused chain
constexpr int kFusedInputs = 8;  ///< most input arrays of one fused chain

/// An operand of a fused step: an input array, an earlier step's value, or a scalar.
struct FusedOperand {
  enum Kind : std::uint8_t { Input, Step, Scalar } kind = Scalar;
  std::uint8_t index = 0;        ///< Input: input number; Step: step number
  DType dtype = DType::Float64;  ///< Input/Step: the value's dtype; Scalar: Int64 or Float64
  double scalar = 0;
};

/// One layer of the chain: exec's element-wise op with its computation and output dtypes.
struct FusedStep {
  Op op = Op::Add;
  DType compute = DType::Float64, out = DType::Float64;
  std::uint8_t count = 0;  ///< operands
  FusedOperand operand[3];
};

/// A chain of element-wise layers evaluated per element with no intermediate arrays: each step's
/// value is kept in its layer's dtype (so the result equals running the layers one by one).
struct FusedProgram {
  int steps = 0, inputs = 0;
  FusedStep step[kFusedOps];
  const void* input[kFusedInputs] = {};
  DType input_dtype[kFusedInputs] = {};
};

CS_HD int dtype_bytes(DType t) {
  switch (t) {
    case DType::Bool:
    case DType::Int8:
    case DType::UInt8: return 1;
    case DType::Int16:
    case DType::UInt16:
    case DType::Float16: return 2;
    case DType::Int32:
    case DType::UInt32:
    case DType::Float32: return 4;
    default: return 8;
  }
}

/// Element i of the chain's last step, stored into out (the last step's dtype).
CS_HD void fused_element(const FusedProgram& p, void* out, std::int64_t i) {
  std::uint64_t value[kFusedOps];  // each step's value, in its dtype's bytes (read back as element 0)
  for (int s = 0; s < p.steps; ++s) {
    const FusedStep& st = p.step[s];
    EwOperand at[3];
    for (int k = 0; k < st.count; ++k) {
      const FusedOperand& o = st.operand[k];
      at[k].dtype = o.dtype;
      at[k].scalar = o.scalar;
      if (o.kind == FusedOperand::Input)
        at[k].data = static_cast<const char*>(p.input[o.index]) + i * dtype_bytes(o.dtype);
      else if (o.kind == FusedOperand::Step)
        at[k].data = &value[o.index];
    }
    void* dst = s + 1 == p.steps ? static_cast<void*>(static_cast<char*>(out) + i * dtype_bytes(st.out)) : &value[s];
    ew_apply_dyn(st.compute, st.op, st.out, at[0], at[1], at[2], dst, 0);
  }
}

// ------------------------------------------------------------------ reductions

/// Partial layouts (exec/src/kernels/reduce.cpp): Sum = K accumulators (float64 | int64 | uint64);
/// Mean = int64 count + K float64 sums; Var = int64 count + K means + K M2; MinMax = K input values.
enum class Layout : std::uint8_t { Sum, Mean, Var, MinMax };
constexpr std::int64_t kHeader = 8;

/// What one reduction layer computes.
struct ReduceSpec {
  Layout layout = Layout::Sum;
  bool max = false;            ///< MinMax: max (else min)
  DType in = DType::Float64;   ///< input dtype
  DType acc = DType::Float64;  ///< Sum: accumulator dtype (float64, int64 or uint64)
  DType out = DType::Float64;  ///< the layer's dtype
  double ddof = 0;
  bool std_dev = false;
};

/// Stage 1 over one chunk: the chunk's axes with extent 1 dropped and neighbours of the same kind
/// merged, split into kept axes (output element o, C order) and reduced axes (index r, C order).
struct ReduceWalk {
  int kept = 0, red = 0;
  std::int64_t kept_ext[kAxes] = {}, kept_stride[kAxes] = {};
  std::int64_t red_ext[kAxes] = {}, red_stride[kAxes] = {};
  std::int64_t k = 1, count = 1;  ///< output elements, values reduced into each
  bool inner_reduced = false;     ///< the innermost merged axis is reduced (contiguous runs)
};

/// Builds the walk of a chunk of `shape` (nd <= kAxes) with `reduced[a]` set on reduced axes.
inline ReduceWalk make_reduce_walk(int nd, const std::int64_t* shape, const bool* reduced) {
  std::int64_t ext[kAxes];
  bool red[kAxes];
  int m = 0;
  for (int a = 0; a < nd; ++a) {
    if (shape[a] == 1) continue;
    if (m > 0 && red[m - 1] == reduced[a]) {
      ext[m - 1] *= shape[a];
    } else {
      ext[m] = shape[a];
      red[m++] = reduced[a];
    }
  }
  ReduceWalk w;
  std::int64_t stride = 1;
  std::int64_t kst[kAxes], kex[kAxes], rst[kAxes], rex[kAxes];
  int nk = 0, nr = 0;
  for (int d = m - 1; d >= 0; --d) {
    if (red[d]) {
      rex[nr] = ext[d];
      rst[nr++] = stride;
    } else {
      kex[nk] = ext[d];
      kst[nk++] = stride;
    }
    stride *= ext[d];
  }
  // Collected innermost first; stored outermost first.
  for (int i = 0; i < nk; ++i) {
    w.kept_ext[i] = kex[nk - 1 - i];
    w.kept_stride[i] = kst[nk - 1 - i];
    w.k *= kex[i];
  }
  for (int i = 0; i < nr; ++i) {
    w.red_ext[i] = rex[nr - 1 - i];
    w.red_stride[i] = rst[nr - 1 - i];
    w.count *= rex[i];
  }
  w.kept = nk;
  w.red = nr;
  w.inner_reduced = m > 0 && red[m - 1];
  for (int a = 0; a < nd; ++a)
    if (shape[a] == 0) {
      // An empty chunk: outputs along kept axes may exist, with nothing to reduce into them.
      std::int64_t k = 1;
      for (int b = 0; b < nd; ++b)
        if (!reduced[b]) k *= shape[b];
      w.k = k;
      w.count = 0;
      w.kept = w.red = 0;
      break;
    }
  return w;
}

/// Blocks splitting the reduced values of each output element in stage 1, so that a chunk reduced
/// to few outputs still fills the device (about 1024 blocks in all, segments of at least 4096
/// values); 1 = no split. The segments' partials are joined in order (deterministic).
inline std::int64_t reduce_segments(const ReduceWalk& w) {
  const std::int64_t blocks = w.inner_reduced ? w.k : (w.k + 31) / 32;
  if (w.count < 8192 || blocks >= 1024 || blocks <= 0) return 1;
  const std::int64_t want = (1024 + blocks - 1) / blocks, most = w.count / 4096;
  return want < most ? want : most;
}

/// Device scratch of a stage-1 task: one partial (at most 8 bytes) per output element and segment.
inline std::int64_t reduce_scratch_bytes(const ReduceWalk& w) {
  const std::int64_t s = reduce_segments(w);
  return s > 1 ? w.k * s * 8 : 0;
}

/// Offset in the chunk of output element o, and of reduced index r.
CS_HD std::int64_t kept_offset(const ReduceWalk& w, std::int64_t o) {
  if (w.kept == 1) return o * w.kept_stride[0];  // the common case, without 64-bit divisions
  std::int64_t off = 0;
  for (int d = w.kept - 1; d >= 0; --d) {
    off += (o % w.kept_ext[d]) * w.kept_stride[d];
    o /= w.kept_ext[d];
  }
  return off;
}
CS_HD std::int64_t red_offset(const ReduceWalk& w, std::int64_t r) {
  if (w.red == 1) return r * w.red_stride[0];
  std::int64_t off = 0;
  for (int d = w.red - 1; d >= 0; --d) {
    off += (r % w.red_ext[d]) * w.red_stride[d];
    r /= w.red_ext[d];
  }
  return off;
}

template <class T>
CS_HD T lowest() {
  if constexpr (numpy::is_float_v<T>)
    return T(-INFINITY);
  else if constexpr (std::is_same_v<T, bool>)
    return false;
  else if constexpr (std::is_signed_v<T>)
    return static_cast<T>(T(1) << (sizeof(T) * 8 - 1));
  else
    return T(0);
}
template <class T>
CS_HD T highest() {
  if constexpr (numpy::is_float_v<T>)
    return T(INFINITY);
  else if constexpr (std::is_same_v<T, bool>)
    return true;
  else if constexpr (std::is_signed_v<T>)
    return static_cast<T>(~lowest<T>());
  else
    return static_cast<T>(~T(0));
}

/// Partials read by one combine task (stages >= 2 and the final stage 0), in the plan's order.
struct CombineIn {
  int n = 0;
  const void* p[kCombineMax] = {};
};

CS_HD std::int64_t header_count(const void* partial) { return *static_cast<const std::int64_t*>(partial); }

/// Sum partials: element i of the combined accumulators.
template <class A>
CS_HD A combine_sum(const CombineIn& in, std::int64_t i) {
  A acc = static_cast<const A*>(in.p[0])[i];
  for (int p = 1; p < in.n; ++p) acc = wrap_add(acc, static_cast<const A*>(in.p[p])[i]);
  return acc;
}

/// Mean partials (k elements each): element i of the combined sums (starting from 0.0, as exec).
CS_HD double combine_mean(const CombineIn& in, std::int64_t i) {
  double acc = 0.0;
  for (int p = 0; p < in.n; ++p) acc += reinterpret_cast<const double*>(static_cast<const char*>(in.p[p]) + kHeader)[i];
  return acc;
}
CS_HD std::int64_t combine_count(const CombineIn& in) {
  std::int64_t n = 0;
  for (int p = 0; p < in.n; ++p) n += header_count(in.p[p]);
  return n;
}

/// Var partials: element i's combined mean and M2 (Chan et al., in exec's order).
CS_HD void combine_var(const CombineIn& in, std::int64_t k, std::int64_t i, double& mean, double& m2) {
  std::int64_t n = header_count(in.p[0]);
  const double* x0 = reinterpret_cast<const double*>(static_cast<const char*>(in.p[0]) + kHeader);
  mean = x0[i];
  m2 = x0[k + i];
  for (int p = 1; p < in.n; ++p) {
    const std::int64_t nb = header_count(in.p[p]);
    const double* xm = reinterpret_cast<const double*>(static_cast<const char*>(in.p[p]) + kHeader);
    const double na = static_cast<double>(n), nbd = static_cast<double>(nb), nt = na + nbd;
    const double fb = nbd / nt, fab = na * nbd / nt;
    const double d = xm[i] - mean;
    mean += d * fb;
    m2 += xm[k + i] + d * d * fab;
    n += nb;
  }
}

template <class T, bool Max>
CS_HD T combine_extreme(const CombineIn& in, std::int64_t i) {
  T acc = static_cast<const T*>(in.p[0])[i];
  for (int p = 1; p < in.n; ++p) {
    const T x = static_cast<const T*>(in.p[p])[i];
    acc = Max ? nan_max(acc, x) : nan_min(acc, x);
  }
  return acc;
}

/// The final value of a mean / var / std from the combined count and sums or M2 (NumPy: a zero
/// divisor gives inf or nan).
CS_HD double finish_mean(double sum, std::int64_t n) { return sum / static_cast<double>(n); }
CS_HD double finish_var(double m2, std::int64_t n, double ddof, bool std_dev) {
  const double nn = static_cast<double>(n) - ddof;
  const double v = m2 / (nn < 0.0 ? 0.0 : nn);  // std::max(nn, 0.0), as exec
  return std_dev ? ::sqrt(v) : v;
}

/// How stage 1 folds values (V: the accumulator): init, add a value (m: var's mean), join two.
template <class T, class A>
struct SumP {
  using V = A;
  static CS_HD V init() { return A(0); }
  static CS_HD V add(V v, T x, double) { return wrap_add(v, static_cast<A>(x)); }
  static CS_HD V join(V a, V b) { return wrap_add(a, b); }
};
template <class T, bool Max>
struct ExtremeP {
  using V = T;
  static CS_HD V init() { return Max ? lowest<T>() : highest<T>(); }
  static CS_HD V add(V v, T x, double) { return Max ? nan_max(v, x) : nan_min(v, x); }
  static CS_HD V join(V a, V b) { return add(a, b, 0.0); }
};
template <class T>
struct DoubleSumP {
  using V = double;
  static CS_HD V init() { return 0.0; }
  static CS_HD V add(V v, T x, double) { return v + static_cast<double>(x); }
  static CS_HD V join(V a, V b) { return a + b; }
};
template <class T>
struct M2P {  ///< sum of squared deviations from m
  using V = double;
  static CS_HD V init() { return 0.0; }
  static CS_HD V add(V v, T x, double m) {
    const double d = static_cast<double>(x) - m;
    return v + d * d;
  }
  static CS_HD V join(V a, V b) { return a + b; }
};

/// Element i of a combine task: partials `in` (k elements each) into a partial (final = false) or
/// into the layer's values; n: combine_count(in) for mean/var. T: the reduction's input type.
template <class T>
CS_HD void combine_element(const ReduceSpec& r, const CombineIn& in, std::int64_t k, bool final, std::int64_t n,
                           void* out, std::int64_t i) {
  double* vals = reinterpret_cast<double*>(static_cast<char*>(out) + kHeader);
  switch (r.layout) {
    case Layout::Sum:
      if (r.acc == DType::Float64) {
        const double v = combine_sum<double>(in, i);
        if (final)
          store_as(out, r.out, i, v);
        else
          static_cast<double*>(out)[i] = v;
      } else if (r.acc == DType::UInt64) {
        const std::uint64_t v = combine_sum<std::uint64_t>(in, i);
        if (final)
          store_as(out, r.out, i, v);
        else
          static_cast<std::uint64_t*>(out)[i] = v;
      } else {
        const std::int64_t v = combine_sum<std::int64_t>(in, i);
        if (final)
          store_as(out, r.out, i, v);
        else
          static_cast<std::int64_t*>(out)[i] = v;
      }
      return;
    case Layout::Mean: {
      const double sum = combine_mean(in, i);
      if (final)
        store_as(out, r.out, i, finish_mean(sum, n));
      else
        vals[i] = sum;
      return;
    }
    case Layout::Var: {
      double mean, m2;
      combine_var(in, k, i, mean, m2);
      if (final) {
        store_as(out, r.out, i, finish_var(m2, n, r.ddof, r.std_dev));
      } else {
        vals[i] = mean;
        vals[k + i] = m2;
      }
      return;
    }
    case Layout::MinMax: {
      const T v = r.max ? combine_extreme<T, true>(in, i) : combine_extreme<T, false>(in, i);
      if (final)
        store_as(out, r.out, i, v);
      else
        static_cast<T*>(out)[i] = v;
      return;
    }
  }
}

// ------------------------------------------------------------------ filters: halo gather

/// The extended block of one output chunk (the chunk grown by the halo), element by element:
/// where each extended index comes from (boundary modes as core's boundary_index).
struct GatherDesc {
  int nd = 0;
  BoundaryMode mode = BoundaryMode::Reflect;
  std::int64_t ext[kAxes] = {};    ///< extended block shape
  std::int64_t first[kAxes] = {};  ///< global index of the block's index 0 (chunk offset - depth)
  std::int64_t n[kAxes] = {};      ///< array extent
  int span[kAxes] = {};            ///< chunks along the axis that the block reads
  std::int64_t start[kAxes][kGatherSpan] = {}, len[kAxes][kGatherSpan] = {};  ///< those chunks' bounds
  std::int64_t radix[kAxes] = {};  ///< ptr index = Σ position along axis × radix
  const void* ptr[kGatherPtrs] = {};
};

/// core's boundary_index: maps i outside [0, n) back in; -1 in constant mode.
CS_HD std::int64_t boundary(std::int64_t i, std::int64_t n, BoundaryMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case BoundaryMode::Nearest: return i < 0 ? 0 : n - 1;
    case BoundaryMode::Wrap: return ((i % n) + n) % n;
    case BoundaryMode::Reflect: {
      const std::int64_t period = 2 * n;
      const std::int64_t k = ((i % period) + period) % period;
      return k < n ? k : period - 1 - k;
    }
    case BoundaryMode::Constant: return -1;
  }
  return -1;
}

/// Source of extended element i: the chunk (ptr) and the element offset in it; nullptr when the
/// element lies outside the array in constant mode (it takes cval).
CS_HD const void* gather_source(const GatherDesc& d, std::int64_t i, std::int64_t& offset) {
  std::int64_t coord[kAxes];
  for (int a = d.nd - 1; a >= 0; --a) {
    coord[a] = i % d.ext[a];
    i /= d.ext[a];
  }
  std::int64_t slot = 0;
  offset = 0;
  for (int a = 0; a < d.nd; ++a) {
    const std::int64_t g = boundary(d.first[a] + coord[a], d.n[a], d.mode);
    if (g < 0) return nullptr;
    int s = 0;
    while (s + 1 < d.span[a] && g >= d.start[a][s + 1]) ++s;
    slot += s * d.radix[a];
    offset = offset * d.len[a][s] + (g - d.start[a][s]);
  }
  return d.ptr[slot];
}

// ------------------------------------------------------------------ filters: 1-D passes in float64

/// One separable pass over a float64 block of shape (outer, lin, inner) into (outer, lout, inner),
/// with scipy's per-pass rounding to the array's dtype and constant mode's reset of the positions
/// outside the array along the axes still to be filtered.
struct PassDesc {
  bool gaussian = true;
  std::int64_t outer = 1, lin = 0, lout = 0, inner = 1;
  std::int64_t radius = 0;  ///< gaussian: (taps - 1) / 2
  std::int64_t size = 1;    ///< uniform
  double w[kTapsMax] = {};
  // reset (constant mode, not the last pass): the output's shape, global start, array extents
  bool reset = false;
  int nd = 0, from_axis = 0;
  std::int64_t shape[kAxes] = {}, first[kAxes] = {}, n[kAxes] = {};
  double cval = 0;
};

/// Whether element i of a block of `shape` (starting at global `first`) lies outside the array
/// along an axis >= from_axis.
CS_HD bool outside_from(int nd, const std::int64_t* shape, const std::int64_t* first, const std::int64_t* n,
                        int from_axis, std::int64_t i) {
  bool out = false;
  for (int a = nd - 1; a >= 0; --a) {
    const std::int64_t c = i % shape[a];
    i /= shape[a];
    if (a >= from_axis) {
      const std::int64_t g = first[a] + c;
      out |= g < 0 || g >= n[a];
    }
  }
  return out;
}

/// What an array of T stores for v (scipy writes each pass into the output array).
template <class T>
CS_HD double round_to(double v) {
  if constexpr (std::is_same_v<T, double>)
    return v;
  else
    return static_cast<double>(cast<T>(v));
}

/// Gaussian output element (o, l, k): correlate1d's symmetric sum in exec's order.
CS_HD double gaussian_at(const PassDesc& d, const double* in, std::int64_t o, std::int64_t l, std::int64_t k) {
  const std::int64_t st = d.inner, r = d.radius;
  const double* c = in + (o * d.lin + l + r) * d.inner + k;
  const double* w = d.w;
  double y = c[0] * w[r];
  std::int64_t j = r;
  for (; j >= 4; j -= 4) {
    const double* l0 = c - j * st;
    const double* h0 = c + j * st;
    y = (((y + (l0[0] + h0[0]) * w[r - j]) + (l0[st] + h0[-st]) * w[r - j + 1]) +
         (l0[2 * st] + h0[-2 * st]) * w[r - j + 2]) +
        (l0[3 * st] + h0[-3 * st]) * w[r - j + 3];
  }
  for (; j >= 1; --j) y += (c[-j * st] + c[j * st]) * w[r - j];
  return y;
}

/// Finishes output element idx of a pass: rounding, then the constant-mode reset.
template <class T>
CS_HD double pass_store(const PassDesc& d, std::int64_t idx, double y) {
  y = round_to<T>(y);
  if (d.reset && outside_from(d.nd, d.shape, d.first, d.n, d.from_axis, idx)) y = d.cval;
  return y;
}

/// Uniform pass along one line (o, k): uniform_filter1d's running sum, sequential as in exec.
template <class T>
CS_HD void uniform_line(const PassDesc& d, const double* in, double* out, std::int64_t o, std::int64_t k) {
  const double fs = static_cast<double>(d.size);
  const double* x = in + o * d.lin * d.inner + k;
  double* y = out + o * d.lout * d.inner + k;
  const std::int64_t st = d.inner, base = o * d.lout * d.inner + k;
  double t = 0.0;
  for (std::int64_t l = 0; l < d.size; ++l) t += x[l * st];
  y[0] = pass_store<T>(d, base, t / fs);
  for (std::int64_t l = 1; l < d.lout; ++l) {
    t += x[(l + d.size - 1) * st] - x[(l - 1) * st];
    y[l * st] = pass_store<T>(d, base + l * st, t / fs);
  }
}

/// Element i of the float64 block of a non-float64 array (with constant mode's reset).
template <class T>
CS_HD double to_double_at(const T* in, std::int64_t i, const PassDesc& reset) {
  if (reset.reset && outside_from(reset.nd, reset.shape, reset.first, reset.n, 0, i)) return reset.cval;
  return static_cast<double>(in[i]);
}

/// Output element i (C order over (outer, lout, inner)) of a gaussian pass, rounded and reset.
template <class T>
CS_HD double gaussian_pass_at(const PassDesc& d, const double* in, std::int64_t i) {
  const std::int64_t k = i % d.inner, rest = i / d.inner;
  return pass_store<T>(d, i, gaussian_at(d, in, rest / d.lout, rest % d.lout, k));
}

}  // namespace chunkscope::gpu::dm
