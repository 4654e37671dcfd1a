#pragma once
// NumPy's element semantics, written once for every executor: exec's CPU kernels
// (exec/src/kernels/numeric.hpp) and the CUDA kernels (gpu/src/device_math.hpp, compiled by nvcc as
// __host__ __device__ functions) — so the two cannot drift apart.
#include <cstdint>
#include <type_traits>

#include "chunkscope/core/dtype.hpp"

#if defined(__CUDACC__)
#define CHUNKSCOPE_HD_INLINE __host__ __device__ inline
#else
#define CHUNKSCOPE_HD_INLINE inline
#endif

namespace chunkscope::numpy {

/// Unsigned type at least as wide as `unsigned int` holding T's bits: arithmetic in it wraps
/// without undefined behaviour (uint16 * uint16 would otherwise overflow `int`).
template <class T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

/// Float -> integer conversion as NumPy compiled for x86-64 does it: truncation toward zero;
/// NaN and out-of-range values give the "integer indefinite" value (the minimum of the signed
/// type); uint8/uint16 go through int32 and keep the low bits (300.0 -> 44, -1.0 -> 255).
template <class To, class From>
CHUNKSCOPE_HD_INLINE To float_to_int(From x) {
  if constexpr (std::is_same_v<To, std::int64_t>) {
    return (x >= From(-9223372036854775808.0) && x < From(9223372036854775808.0)) ? static_cast<std::int64_t>(x)
                                                                                 : static_cast<std::int64_t>(-9223372036854775807LL - 1);
  } else if constexpr (std::is_same_v<To, std::uint64_t>) {
    if (x >= From(9223372036854775808.0) && x < From(18446744073709551616.0))
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(x - From(9223372036854775808.0))) ^ (std::uint64_t{1} << 63);
    return static_cast<std::uint64_t>(float_to_int<std::int64_t>(x));
  } else {
    const std::int32_t i = (x > From(-2147483649.0) && x < From(2147483648.0)) ? static_cast<std::int32_t>(x)
                                                                               : static_cast<std::int32_t>(-2147483647 - 1);
    return static_cast<To>(i);
  }
}

/// One element converted with NumPy's `astype` semantics (bool: nonzero, NaN is true).
template <class To, class From>
CHUNKSCOPE_HD_INLINE To cast(From x) {
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
CHUNKSCOPE_HD_INLINE T wrap_add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>)
    return a || b;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
  else
    return a + b;
}
template <class T>
CHUNKSCOPE_HD_INLINE T wrap_sub(T a, T b) {
  if constexpr (std::is_same_v<T, bool>)
    return a != b;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
  else
    return a - b;
}
template <class T>
CHUNKSCOPE_HD_INLINE T wrap_mul(T a, T b) {
  if constexpr (std::is_same_v<T, bool>)
    return a && b;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) * static_cast<WrapType<T>>(b));
  else
    return a * b;
}
template <class T>
CHUNKSCOPE_HD_INLINE T wrap_neg(T a) {
  if constexpr (std::is_same_v<T, bool>)
    return a;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(WrapType<T>{0} - static_cast<WrapType<T>>(a));
  else
    return -a;
}

/// np.maximum / np.minimum: a NaN in either operand gives NaN.
template <class T>
CHUNKSCOPE_HD_INLINE T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return (a >= b || a != a) ? a : b;
  else
    return a >= b ? a : b;
}
template <class T>
CHUNKSCOPE_HD_INLINE T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return (a <= b || a != a) ? a : b;
  else
    return a <= b ? a : b;
}

/// Whether an integral scalar is representable in dtype t (NEP 50: an integer array with an
/// out-of-range Python int scalar raises). Non-integer dtypes hold every value.
inline bool scalar_fits(double v, DType t) {
  switch (t) {
    case DType::UInt8: return v >= 0 && v <= 255;
    case DType::UInt16: return v >= 0 && v <= 65535;
    case DType::Int32: return v >= -2147483648.0 && v <= 2147483647.0;
    case DType::Int64: return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
    case DType::UInt64: return v >= 0 && v < 18446744073709551616.0;
    default: return true;
  }
}

}  // namespace chunkscope::numpy
