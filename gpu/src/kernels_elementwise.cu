// Device element-wise kernel: every binary, comparison, where, unary op and astype, with the
// element semantics of exec's CPU kernels (exec/src/kernels/numeric.hpp): operands cast to the
// computation type, wrapping integer arithmetic, NaN-propagating maximum/minimum, NumPy's
// float -> integer conversion. One kernel per computation type; the op and the operand/output
// dtypes are uniform run-time switches (the kernel is memory-bound). Compiled with -fmad=false so
// no multiply-add is contracted (same rounding as the CPU).
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "cuda_check.hpp"
#include "device_kernels.hpp"

namespace chunkscope::gpu {
namespace {

constexpr int kThreads = 256;

template <class T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

// ---- NumPy casts (numeric.hpp's cast / float_to_int, as device functions)

template <class To, class From>
__device__ inline To float_to_int(From x) {
  if constexpr (std::is_same_v<To, std::int64_t>) {
    return (x >= From(-9223372036854775808.0) && x < From(9223372036854775808.0)) ? static_cast<std::int64_t>(x)
                                                                                 : INT64_MIN;
  } else if constexpr (std::is_same_v<To, std::uint64_t>) {
    if (x >= From(9223372036854775808.0) && x < From(18446744073709551616.0))
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(x - From(9223372036854775808.0))) ^ (std::uint64_t{1} << 63);
    return static_cast<std::uint64_t>(float_to_int<std::int64_t>(x));
  } else {
    const std::int32_t i = (x > From(-2147483649.0) && x < From(2147483648.0)) ? static_cast<std::int32_t>(x) : INT32_MIN;
    return static_cast<To>(i);
  }
}

template <class To, class From>
__device__ inline To cast(From x) {
  if constexpr (std::is_same_v<To, From>)
    return x;
  else if constexpr (std::is_same_v<To, bool>)
    return x != From(0);
  else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>)
    return float_to_int<To>(x);
  else
    return static_cast<To>(x);
}

template <class T>
__device__ inline T load(const EwOperand& a, std::int64_t i) {
  if (!a.data) return cast<T>(a.scalar);
  switch (a.dtype) {
    case DType::Bool: return cast<T>(static_cast<const bool*>(a.data)[i]);
    case DType::UInt8: return cast<T>(static_cast<const std::uint8_t*>(a.data)[i]);
    case DType::UInt16: return cast<T>(static_cast<const std::uint16_t*>(a.data)[i]);
    case DType::Int32: return cast<T>(static_cast<const std::int32_t*>(a.data)[i]);
    case DType::Int64: return cast<T>(static_cast<const std::int64_t*>(a.data)[i]);
    case DType::UInt64: return cast<T>(static_cast<const std::uint64_t*>(a.data)[i]);
    case DType::Float32: return cast<T>(static_cast<const float*>(a.data)[i]);
    case DType::Float64: break;
  }
  return cast<T>(static_cast<const double*>(a.data)[i]);
}

template <class T>
__device__ inline void store(void* out, DType t, std::int64_t i, T v) {
  switch (t) {
    case DType::Bool: static_cast<bool*>(out)[i] = cast<bool>(v); return;
    case DType::UInt8: static_cast<std::uint8_t*>(out)[i] = cast<std::uint8_t>(v); return;
    case DType::UInt16: static_cast<std::uint16_t*>(out)[i] = cast<std::uint16_t>(v); return;
    case DType::Int32: static_cast<std::int32_t*>(out)[i] = cast<std::int32_t>(v); return;
    case DType::Int64: static_cast<std::int64_t*>(out)[i] = cast<std::int64_t>(v); return;
    case DType::UInt64: static_cast<std::uint64_t*>(out)[i] = cast<std::uint64_t>(v); return;
    case DType::Float32: static_cast<float*>(out)[i] = cast<float>(v); return;
    case DType::Float64: static_cast<double*>(out)[i] = cast<double>(v); return;
  }
}

// ---- the ops

template <class T>
__device__ inline T wrap(Op op, T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return op == Op::Add ? (a || b) : op == Op::Subtract ? (a != b) : (a && b);
  } else if constexpr (std::is_integral_v<T>) {
    const WrapType<T> x = static_cast<WrapType<T>>(a), y = static_cast<WrapType<T>>(b);
    return static_cast<T>(op == Op::Add ? x + y : op == Op::Subtract ? x - y : x * y);
  } else {
    return op == Op::Add ? a + b : op == Op::Subtract ? a - b : a * b;
  }
}

template <class T>
__device__ inline T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return (a >= b || a != a) ? a : b;
  else return a >= b ? a : b;
}
template <class T>
__device__ inline T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return (a <= b || a != a) ? a : b;
  else return a <= b ? a : b;
}

template <class T>
__device__ inline T unsigned_power(T base, T exponent) {  // wrapping, by squaring (unsigned types only)
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
__device__ inline T unary(Op op, T a) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Op::Negative: return -a;
      case Op::Abs: return fabs(a);
      case Op::Sqrt: return sqrt(a);
      case Op::Exp: return exp(a);
      case Op::Log: return log(a);
      case Op::Sin: return sin(a);
      case Op::Cos: return cos(a);
      default: return a;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    return a;  // negative and abs of bool keep the value
  } else {
    const T neg = static_cast<T>(WrapType<T>{0} - static_cast<WrapType<T>>(a));
    if (op == Op::Negative) return neg;
    if constexpr (std::is_signed_v<T>) return a < 0 ? neg : a;  // abs
    else return a;
  }
}

template <class T>
__global__ void elementwise_kernel(Op op, DType out_dtype, EwOperand a, EwOperand b, EwOperand c, void* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    switch (op) {
      case Op::Add:
      case Op::Subtract:
      case Op::Multiply: store(out, out_dtype, i, wrap<T>(op, load<T>(a, i), load<T>(b, i))); break;
      case Op::Divide:
        if constexpr (std::is_floating_point_v<T>) store(out, out_dtype, i, load<T>(a, i) / load<T>(b, i));
        break;
      case Op::Power:
        if constexpr (std::is_floating_point_v<T>)
          store(out, out_dtype, i, static_cast<T>(pow(load<T>(a, i), load<T>(b, i))));
        else if constexpr (std::is_same_v<T, bool>)
          store(out, out_dtype, i, static_cast<bool>(load<T>(a, i) || !load<T>(b, i)));
        else if constexpr (std::is_unsigned_v<T>)
          store(out, out_dtype, i, unsigned_power<T>(load<T>(a, i), load<T>(b, i)));
        break;
      case Op::Maximum: store(out, out_dtype, i, nan_max<T>(load<T>(a, i), load<T>(b, i))); break;
      case Op::Minimum: store(out, out_dtype, i, nan_min<T>(load<T>(a, i), load<T>(b, i))); break;
      case Op::Greater: store(out, out_dtype, i, load<T>(a, i) > load<T>(b, i)); break;
      case Op::GreaterEqual: store(out, out_dtype, i, load<T>(a, i) >= load<T>(b, i)); break;
      case Op::Less: store(out, out_dtype, i, load<T>(a, i) < load<T>(b, i)); break;
      case Op::LessEqual: store(out, out_dtype, i, load<T>(a, i) <= load<T>(b, i)); break;
      case Op::Equal: store(out, out_dtype, i, load<T>(a, i) == load<T>(b, i)); break;
      case Op::Where: store(out, out_dtype, i, load<bool>(a, i) ? load<T>(b, i) : load<T>(c, i)); break;
      case Op::AsType: store(out, out_dtype, i, load<T>(a, i)); break;
      default: store(out, out_dtype, i, unary<T>(op, load<T>(a, i))); break;
    }
  }
}

template <class T>
void launch_typed(Op op, DType out_dtype, const EwOperand* ops, int count, void* out, std::int64_t n, cudaStream_t s) {
  const EwOperand none{};
  const EwOperand a = count > 0 ? ops[0] : none, b = count > 1 ? ops[1] : none, c = count > 2 ? ops[2] : none;
  std::int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > 65535 * 8) blocks = 65535 * 8;
  elementwise_kernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(op, out_dtype, a, b, c, out, n);
}

}  // namespace

bool elementwise_on_device(Op op, DType compute) {
  const bool fl = compute == DType::Float32 || compute == DType::Float64;
  const bool uns = compute == DType::UInt8 || compute == DType::UInt16 || compute == DType::UInt64;
  switch (op) {
    case Op::Add: case Op::Subtract: case Op::Multiply: case Op::Maximum: case Op::Minimum:
    case Op::Greater: case Op::GreaterEqual: case Op::Less: case Op::LessEqual: case Op::Equal:
    case Op::Where: case Op::AsType: case Op::Negative: case Op::Abs:
      return true;
    case Op::Divide: case Op::Sqrt: case Op::Exp: case Op::Log: case Op::Sin: case Op::Cos:
      return fl;
    case Op::Power:  // signed integers raise on negative exponents: the host kernel reports it
      return fl || uns || compute == DType::Bool;
    default:
      return false;
  }
}

void launch_elementwise(Op op, DType compute, DType out_dtype, const EwOperand* operands, int count, void* out,
                        std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  switch (compute) {
    case DType::Bool: launch_typed<bool>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt8: launch_typed<std::uint8_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt16: launch_typed<std::uint16_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Int32: launch_typed<std::int32_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Int64: launch_typed<std::int64_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt64: launch_typed<std::uint64_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Float32: launch_typed<float>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Float64: launch_typed<double>(op, out_dtype, operands, count, out, n, stream); break;
  }
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) throw_cuda(e, "elementwise_kernel");
}

}  // namespace chunkscope::gpu
