// Element-wise kernels: arithmetic, comparisons, where, unary math and astype, with NumPy's
// semantics (operands cast to the computation type, wrapping integers, NaN-propagating
// maximum/minimum). All operands of a task share the output's chunk shape, so a task is one
// flat loop; the loops are templated on the op so the compiler vectorises them.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "chunkscope/core/dtype.hpp"
#include "chunkscope/core/ops.hpp"
#include "numeric.hpp"

namespace chunkscope {
namespace {

using kernels::cast;

// ------------------------------------------------------------------ ops (one functor each)

struct AddF {
  template <class T>
  T operator()(T a, T b) const {
    return kernels::wrap_add(a, b);
  }
};
struct SubF {
  template <class T>
  T operator()(T a, T b) const {
    return kernels::wrap_sub(a, b);
  }
};
struct MulF {
  template <class T>
  T operator()(T a, T b) const {
    return kernels::wrap_mul(a, b);
  }
};
struct DivF {
  template <class T>
  T operator()(T a, T b) const {
    return a / b;
  }
};  // floats only
struct MaxF {
  template <class T>
  T operator()(T a, T b) const {
    return kernels::nan_max(a, b);
  }
};
struct MinF {
  template <class T>
  T operator()(T a, T b) const {
    return kernels::nan_min(a, b);
  }
};
struct GtF {
  template <class T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};
struct GeF {
  template <class T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};
struct LtF {
  template <class T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};
struct LeF {
  template <class T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct EqF {
  template <class T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};

/// Integer power by squaring with wrapping multiplication (NumPy's loop for integer types).
template <class T>
T int_power(T base, T exponent) {
  using W = kernels::WrapType<T>;
  W result = 1, b = static_cast<W>(base);
  auto e = static_cast<std::make_unsigned_t<T>>(exponent);
  while (e) {
    if (e & 1) result = static_cast<W>(result * b);
    b = static_cast<W>(b * b);
    e >>= 1;
  }
  return static_cast<T>(result);
}

struct PowF {
  bool* negative_exponent;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else if constexpr (std::is_same_v<T, bool>) {
      return a || !b;  // x ** 0 == 1, 0 ** 1 == 0, 1 ** 1 == 1
    } else {
      if constexpr (std::is_signed_v<T>)
        if (b < 0) {
          *negative_exponent = true;
          return 0;
        }
      return int_power(a, b);
    }
  }
};

struct NegF {
  template <class T>
  T operator()(T a) const {
    return kernels::wrap_neg(a);
  }
};
struct AbsF {
  template <class T>
  T operator()(T a) const {
    if constexpr (std::is_floating_point_v<T>)
      return std::fabs(a);
    else if constexpr (std::is_signed_v<T>)
      return a < 0 ? kernels::wrap_neg(a) : a;
    else
      return a;
  }
};
struct SqrtF {
  template <class T>
  T operator()(T a) const {
    return std::sqrt(a);
  }
};
struct ExpF {
  template <class T>
  T operator()(T a) const {
    return std::exp(a);
  }
};
struct LogF {
  template <class T>
  T operator()(T a) const {
    return std::log(a);
  }
};
struct SinF {
  template <class T>
  T operator()(T a) const {
    return std::sin(a);
  }
};
struct CosF {
  template <class T>
  T operator()(T a) const {
    return std::cos(a);
  }
};

// ------------------------------------------------------------------ flat loops

template <class F, class T, class R>
void loop1(F f, const T* __restrict a, R* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = f(a[i]);
}
template <class F, class T, class R>
void loop2(F f, const T* __restrict a, const T* __restrict b, R* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}
template <class F, class T, class R>
void loop2_as(F f, const T* __restrict a, T b, R* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = f(a[i], b);
}
template <class F, class T, class R>
void loop2_sa(F f, T a, const T* __restrict b, R* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = f(a, b[i]);
}
template <class T>
void loop_where(const bool* __restrict c, const T* __restrict a, const T* __restrict b, T* __restrict out,
                std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = c[i] ? a[i] : b[i];
}

// ------------------------------------------------------------------ per-layer plan

/// One operand as the kernel sees it: an input buffer of some dtype or a scalar.
struct Arg {
  int input = -1;  ///< index into ctx.inputs, or -1 for a scalar
  DType dtype = DType::Float64;
  double scalar = 0;
  bool scalar_is_integral = false;
  numpy::IntScalar integer;  ///< an integer literal, exact (when scalar_is_integral)
};

struct EwState;
template <class T>
T scalar_as(const EwState& s, const Arg& a);

struct EwState {
  Op op = Op::Add;
  DType compute = DType::Float64;  ///< type the operands are cast to (values, for where)
  DType out = DType::Float64;
  std::vector<Arg> args;  ///< in operand order (where: condition first)
  std::string error;      ///< a NumPy error the op raises whatever the data (thrown by run)
  /// A comparison with an integer literal outside the computation type's range has the same result
  /// for every element (NumPy >= 2 compares Python integers exactly): 0 or 1; -1 otherwise.
  int constant = -1;
  /// float16 computation: the loops run in float (exact for float16 values) and every result is
  /// rounded to float16 when stored, as NumPy's float16 loops do; literals are float16 first.
  bool half = false;
};

/// A scalar operand in the computation type T: an integer literal exactly (it fits T, or the op
/// raised in prepare), a float literal by NumPy's cast (to float16 first in a float16 computation).
template <class T>
T scalar_as(const EwState& s, const Arg& a) {
  if (s.half) {
    const numpy::Half h = a.scalar_is_integral ? a.integer.as<numpy::Half>() : numpy::Half(a.scalar);
    return cast<T>(static_cast<float>(h));
  }
  return a.scalar_is_integral ? a.integer.as<T>() : cast<T>(a.scalar);
}

bool is_comparison_op(Op op) {
  return op == Op::Greater || op == Op::GreaterEqual || op == Op::Less || op == Op::LessEqual || op == Op::Equal;
}

std::string format_integral(const numpy::IntScalar& v) { return (v.negative ? "-" : "") + std::to_string(v.magnitude); }

/// The result of comparison `op` between every element of an integer array and a literal outside
/// its dtype's range: `above` when the literal is above the range (else below), `literal_first`
/// when it is the left operand.
bool constant_comparison(Op op, bool above, bool literal_first) {
  if (op == Op::Equal) return false;
  const bool array_greater = !above;  // the array element is greater than the literal
  const bool greater = op == Op::Greater || op == Op::GreaterEqual;
  return literal_first ? (greater != array_greater) : (greater == array_greater);
}

std::shared_ptr<const void> ew_prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  auto s = std::make_shared<EwState>();
  s->op = l.op;
  s->out = l.meta.dtype;
  int next_input = 0;
  for (const Operand& o : l.params.operands) {
    Arg a;
    if (o.is_scalar()) {
      a.scalar = o.scalar;
      a.scalar_is_integral = o.scalar_is_integral;
      a.integer = o.integer;
      a.dtype = o.scalar_is_integral ? DType::Int64 : DType::Float64;
    } else {
      a.input = next_input++;
      a.dtype = g.layer(o.layer).meta.dtype;
    }
    s->args.push_back(a);
  }
  // The computation type: NumPy's promotion over the value operands (as the parser derives the
  // result type), before the op's own result rule (comparisons give bool, divide gives float...).
  const size_t first_value = l.op == Op::Where ? 1 : 0;
  DType arrays = DType::Bool;
  bool have_array = false, any_scalar = false, scalar_integral = true;
  for (size_t k = first_value; k < s->args.size(); ++k) {
    const Arg& a = s->args[k];
    if (a.input < 0) {
      any_scalar = true;
      scalar_integral &= a.scalar_is_integral;
    } else {
      arrays = have_array ? promote(arrays, a.dtype) : a.dtype;
      have_array = true;
    }
  }
  DType promoted = arrays;
  if (!have_array)
    promoted = scalar_integral ? DType::Int64 : DType::Float64;
  else if (any_scalar)
    promoted = promote_with_scalar(arrays, scalar_integral);

  s->compute = is_comparison_op(l.op) ? promoted : s->out;
  if (l.op == Op::AsType) s->compute = s->args[0].dtype;
  s->half = s->compute == DType::Float16;

  // NEP 50: a Python integer that does not fit the array's integer type raises OverflowError in
  // arithmetic; comparisons give the mathematically right answer: the same for every element.
  if (is_integer(s->compute)) {
    for (size_t k = first_value; k < s->args.size(); ++k) {
      const Arg& a = s->args[k];
      if (a.input >= 0 || !a.scalar_is_integral || a.integer.fits(s->compute)) continue;
      if (is_comparison_op(l.op)) {
        s->constant = constant_comparison(l.op, a.integer.above(s->compute), k == 0) ? 1 : 0;
        break;
      }
      s->error =
          "Python integer " + format_integral(a.integer) + " out of bounds for " + std::string(dtype_name(s->compute));
    }
  }
  return s;
}

std::int64_t ew_output_bytes(const Graph& g, int layer, TaskKey key, const void*) {
  return g.layer(layer).meta.chunk_bytes(key.index);
}

// ------------------------------------------------------------------ running a task

constexpr std::int64_t kBlock = 2048;  // elements per conversion block
/// Elements per slice of a loop that needs no conversion: the task checks for cancellation
/// between slices (about a millisecond each), not per element.
constexpr std::int64_t kDirectSlice = std::int64_t{1} << 20;

template <class T>
bool has_dtype(DType d) {
  return dispatch_dtype(d, [](auto x) { return std::is_same_v<decltype(x), T>; });
}

/// The values of one operand for elements [begin, begin + n) in type T: a pointer straight into
/// the input when it already has dtype T, else converted into `scratch`.
template <class T>
const T* values(const KernelContext& ctx, const Arg& a, std::int64_t begin, std::int64_t n, T* scratch) {
  const std::byte* p = ctx.inputs[a.input]->data() + begin * dtype_size(a.dtype);
  if (has_dtype<T>(a.dtype)) return reinterpret_cast<const T*>(p);
  kernels::convert_from<T>(a.dtype, p, scratch, n);
  return scratch;
}

/// Runs a binary op functor F (result R) in computation type T over the whole task.
template <class T, class R, class F>
void run_binary(const KernelContext& ctx, const EwState& s, F f, std::int64_t n) {
  const Arg& a = s.args[0];
  const Arg& b = s.args[1];
  const bool direct =
      (a.input < 0 || has_dtype<T>(a.dtype)) && (b.input < 0 || has_dtype<T>(b.dtype)) && has_dtype<R>(s.out);
  const T sa = scalar_as<T>(s, a), sb = scalar_as<T>(s, b);
  alignas(64) T ta[kBlock], tb[kBlock];
  alignas(64) R tr[kBlock];
  const std::int64_t step = direct ? kDirectSlice : kBlock;
  for (std::int64_t begin = 0; begin < n; begin += step) {
    ctx.check_cancel();
    const std::int64_t m = std::min(step, n - begin);
    R* out = direct ? ctx.output.as<R>() + begin : tr;
    if (a.input >= 0 && b.input >= 0)
      loop2(f, values<T>(ctx, a, begin, m, ta), values<T>(ctx, b, begin, m, tb), out, m);
    else if (a.input >= 0)
      loop2_as(f, values<T>(ctx, a, begin, m, ta), sb, out, m);
    else
      loop2_sa(f, sa, values<T>(ctx, b, begin, m, tb), out, m);
    if (!direct) kernels::convert_to(tr, s.out, ctx.output.data() + begin * dtype_size(s.out), m);
  }
}

template <class T, class F>
void run_unary(const KernelContext& ctx, const EwState& s, F f, std::int64_t n) {
  const Arg& a = s.args[0];
  const bool direct = has_dtype<T>(a.dtype) && has_dtype<T>(s.out);
  alignas(64) T ta[kBlock], tr[kBlock];
  const std::int64_t step = direct ? kDirectSlice : kBlock;
  for (std::int64_t begin = 0; begin < n; begin += step) {
    ctx.check_cancel();
    const std::int64_t m = std::min(step, n - begin);
    T* out = direct ? ctx.output.as<T>() + begin : tr;
    loop1(f, values<T>(ctx, a, begin, m, ta), out, m);
    if (!direct) kernels::convert_to(tr, s.out, ctx.output.data() + begin * dtype_size(s.out), m);
  }
}

template <class T>
void run_where(const KernelContext& ctx, const EwState& s, std::int64_t n) {
  const Arg& c = s.args[0];
  const Arg& a = s.args[1];
  const Arg& b = s.args[2];
  alignas(64) bool tc[kBlock];
  alignas(64) T ta[kBlock], tb[kBlock], tr[kBlock];
  const bool direct_out = has_dtype<T>(s.out);
  for (std::int64_t begin = 0; begin < n; begin += kBlock) {
    ctx.check_cancel();
    const std::int64_t m = std::min(kBlock, n - begin);
    const bool* cv;
    if (c.input >= 0)
      cv = values<bool>(ctx, c, begin, m, tc);
    else {
      std::fill(tc, tc + m, c.scalar != 0);
      cv = tc;
    }
    const T* av;
    if (a.input >= 0)
      av = values<T>(ctx, a, begin, m, ta);
    else {
      std::fill(ta, ta + m, scalar_as<T>(s, a));
      av = ta;
    }
    const T* bv;
    if (b.input >= 0)
      bv = values<T>(ctx, b, begin, m, tb);
    else {
      std::fill(tb, tb + m, scalar_as<T>(s, b));
      bv = tb;
    }
    T* out = direct_out ? ctx.output.as<T>() + begin : tr;
    loop_where(cv, av, bv, out, m);
    if (!direct_out) kernels::convert_to(tr, s.out, ctx.output.data() + begin * dtype_size(s.out), m);
  }
}

template <class T>
void run_typed(const KernelContext& ctx, const EwState& s, std::int64_t n) {
  switch (s.op) {
    case Op::Add: return run_binary<T, T>(ctx, s, AddF{}, n);
    case Op::Subtract: return run_binary<T, T>(ctx, s, SubF{}, n);
    case Op::Multiply: return run_binary<T, T>(ctx, s, MulF{}, n);
    case Op::Divide:
      if constexpr (std::is_floating_point_v<T>) return run_binary<T, T>(ctx, s, DivF{}, n);
      break;
    case Op::Power: {
      bool negative = false;
      run_binary<T, T>(ctx, s, PowF{&negative}, n);
      if (negative) throw std::domain_error("Integers to negative integer powers are not allowed.");
      return;
    }
    case Op::Maximum: return run_binary<T, T>(ctx, s, MaxF{}, n);
    case Op::Minimum: return run_binary<T, T>(ctx, s, MinF{}, n);
    case Op::Greater: return run_binary<T, bool>(ctx, s, GtF{}, n);
    case Op::GreaterEqual: return run_binary<T, bool>(ctx, s, GeF{}, n);
    case Op::Less: return run_binary<T, bool>(ctx, s, LtF{}, n);
    case Op::LessEqual: return run_binary<T, bool>(ctx, s, LeF{}, n);
    case Op::Equal: return run_binary<T, bool>(ctx, s, EqF{}, n);
    case Op::Where: return run_where<T>(ctx, s, n);
    case Op::Negative: return run_unary<T>(ctx, s, NegF{}, n);
    case Op::Abs: return run_unary<T>(ctx, s, AbsF{}, n);
    case Op::Sqrt:
    case Op::Exp:
    case Op::Log:
    case Op::Sin:
    case Op::Cos:
      if constexpr (std::is_floating_point_v<T>) {
        switch (s.op) {
          case Op::Sqrt: return run_unary<T>(ctx, s, SqrtF{}, n);
          case Op::Exp: return run_unary<T>(ctx, s, ExpF{}, n);
          case Op::Log: return run_unary<T>(ctx, s, LogF{}, n);
          case Op::Sin: return run_unary<T>(ctx, s, SinF{}, n);
          default: return run_unary<T>(ctx, s, CosF{}, n);
        }
      }
      break;
    default: break;
  }
  throw std::logic_error("element-wise op \"" + std::string(op_name(s.op)) + "\" has no loop for computation type " +
                         std::string(dtype_name(s.compute)));
}

void ew_run(const KernelContext& ctx) {
  const auto& s = *static_cast<const EwState*>(ctx.state);
  if (!s.error.empty()) throw std::overflow_error(s.error);
  const std::int64_t n = ctx.output.size() / dtype_size(s.out);
  if (s.constant >= 0) {
    std::fill_n(ctx.output.as<bool>(), n, s.constant == 1);
    return;
  }
  if (s.op == Op::AsType) {  // element by element in the input's own type (float16 included)
    dispatch_dtype(s.compute,
                   [&](auto t) { kernels::convert_to(ctx.inputs[0]->as<decltype(t)>(), s.out, ctx.output.data(), n); });
    return;
  }
  // float16 runs in float: every float16 value is exact there, the result is rounded when stored.
  dispatch_dtype(s.half ? DType::Float32 : s.compute, [&](auto t) {
    using T = decltype(t);
    if constexpr (!std::is_same_v<T, numpy::Half>) run_typed<T>(ctx, s, n);
  });
}

}  // namespace

const KernelInfo& elementwise_kernel() {
  static const KernelInfo k{ew_prepare, ew_output_bytes, ew_run};
  return k;
}

}  // namespace chunkscope
