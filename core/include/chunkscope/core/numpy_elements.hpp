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

/// A Python integer literal of a pipeline, kept exact (never through a double): JSON integers
/// span [-2^63, 2^64 - 1], read by nlohmann_json as int64 or uint64.
struct IntScalar {
  std::uint64_t magnitude = 0;  ///< |value|
  bool negative = false;        ///< value < 0 (then magnitude <= 2^63)

  static constexpr IntScalar of(std::int64_t v) {
    return v < 0 ? IntScalar{std::uint64_t{0} - static_cast<std::uint64_t>(v), true} : IntScalar{static_cast<std::uint64_t>(v), false};
  }
  static constexpr IntScalar of_unsigned(std::uint64_t v) { return IntScalar{v, false}; }

  /// Whether the value is representable in dtype t (bool holds 0 and 1; floats hold every value,
  /// rounded). NEP 50: an integer array combined with a literal that does not fit raises.
  constexpr bool fits(DType t) const {
    const std::uint64_t neg_limit = negative ? magnitude : 0;  // how far below zero
    const std::uint64_t pos = negative ? 0 : magnitude;
    switch (t) {
      case DType::Bool: return neg_limit == 0 && pos <= 1;
      case DType::UInt8: return neg_limit == 0 && pos <= 0xFF;
      case DType::UInt16: return neg_limit == 0 && pos <= 0xFFFF;
      case DType::Int32: return neg_limit <= 0x80000000ULL && pos <= 0x7FFFFFFFULL;
      case DType::Int64: return neg_limit <= 0x8000000000000000ULL && pos <= 0x7FFFFFFFFFFFFFFFULL;
      case DType::UInt64: return neg_limit == 0;
      default: return true;
    }
  }
  /// Whether the value lies above every value of the integer dtype t (when !fits(t): else below).
  constexpr bool above(DType t) const { return !negative && !fits(t); }

  /// The nearest double (round to nearest even, as Python's float(int)).
  CHUNKSCOPE_HD_INLINE double to_double() const {
    const double m = static_cast<double>(magnitude);
    return negative ? -m : m;
  }
  /// The value in T as NumPy converts a Python int that fits T: integers exactly (two's complement
  /// wrap when it does not fit), bool as non-zero, floats through the nearest double.
  template <class T>
  CHUNKSCOPE_HD_INLINE T as() const {
    if constexpr (std::is_same_v<T, bool>)
      return magnitude != 0;
    else if constexpr (std::is_integral_v<T>)
      return static_cast<T>(negative ? std::uint64_t{0} - magnitude : magnitude);
    else
      return static_cast<T>(to_double());
  }
};

}  // namespace chunkscope::numpy
