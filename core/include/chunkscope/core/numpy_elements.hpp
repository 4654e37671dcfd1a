#pragma once
// NumPy's element semantics, written once for every executor: exec's CPU kernels
// (exec/src/kernels/numeric.hpp) and the CUDA kernels (gpu/src/device_math.hpp, compiled by nvcc as
// __host__ __device__ functions) — so the two cannot drift apart.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "chunkscope/core/dtype.hpp"

#if defined(__CUDACC__)
#define CHUNKSCOPE_HD_INLINE __host__ __device__ inline
#else
#define CHUNKSCOPE_HD_INLINE inline
#endif

namespace chunkscope::numpy {

// ------------------------------------------------------------------ float16 (NumPy's npy_half)

/// IEEE binary16 bits of the float nearest to f (round to nearest even, as npy_float_to_half):
/// 65520 and above overflow to infinity, NaN stays NaN.
CHUNKSCOPE_HD_INLINE std::uint16_t half_bits_from_float(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t a = x & 0x7fffffffu;
  if (a >= 0x7f800000u)
    return static_cast<std::uint16_t>(sign | 0x7c00u | (a > 0x7f800000u ? 0x200u | ((a >> 13) & 0x3ffu) : 0u));
  if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520
  if (a < 0x38800000u) {  // below 2^-14: a subnormal half, round(|f| * 2^24) (exact scaling)
    float y;
    std::memcpy(&y, &a, sizeof y);
    y *= 16777216.0f;
    std::uint32_t i = static_cast<std::uint32_t>(y);
    const float frac = y - static_cast<float>(i);
    if (frac > 0.5f || (frac == 0.5f && (i & 1u))) ++i;
    return static_cast<std::uint16_t>(sign | i);
  }
  std::uint32_t h = (a - 0x38000000u) >> 13;  // rebias the exponent (127 - 15 = 112)
  const std::uint32_t rem = a & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

/// IEEE binary16 bits of the double nearest to d, rounded once (as npy_double_to_half: not through
/// float, which could round twice).
CHUNKSCOPE_HD_INLINE std::uint16_t half_bits_from_double(double d) {
  std::uint64_t x;
  std::memcpy(&x, &d, sizeof x);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 48) & 0x8000u);
  const std::uint64_t a = x & 0x7fffffffffffffffull;
  if (a >= 0x7ff0000000000000ull)
    return static_cast<std::uint16_t>(sign | 0x7c00u |
                                      (a > 0x7ff0000000000000ull ? 0x200u | ((a >> 42) & 0x3ffu) : 0u));
  if (a >= 0x40effe0000000000ull) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520
  if (a < 0x3f10000000000000ull) {                                                    // below 2^-14
    double y;
    std::memcpy(&y, &a, sizeof y);
    y *= 16777216.0;
    std::uint64_t i = static_cast<std::uint64_t>(y);
    const double frac = y - static_cast<double>(i);
    if (frac > 0.5 || (frac == 0.5 && (i & 1u))) ++i;
    return static_cast<std::uint16_t>(sign | i);
  }
  std::uint64_t h = (a - 0x3f00000000000000ull) >> 42;  // rebias (1023 - 15 = 1008)
  const std::uint64_t rem = a & 0x3ffffffffffull;
  if (rem > 0x20000000000ull || (rem == 0x20000000000ull && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

/// The float of binary16 bits (exact).
CHUNKSCOPE_HD_INLINE float half_bits_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  std::uint32_t x;
  if (e == 0x1f)
    x = sign | 0x7f800000u | (m << 13);
  else if (e == 0) {
    const float v = static_cast<float>(m) * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -v : v;
  } else
    x = sign | ((e + 112u) << 23) | (m << 13);
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

/// NumPy's float16 as a storage type: converts exactly to float; built from a float or a double
/// with one rounding (integers through double: every integer that is not infinity as a float16
/// is exact in float). Arithmetic on two Halfs happens in float and rounds when stored back into
/// a Half — NumPy's float16 loops compute in float32 and round each result the same way.
struct Half {
  std::uint16_t bits;
  Half() = default;
  CHUNKSCOPE_HD_INLINE Half(float f) : bits(half_bits_from_float(f)) {}
  CHUNKSCOPE_HD_INLINE Half(double d) : bits(half_bits_from_double(d)) {}
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  CHUNKSCOPE_HD_INLINE Half(I i) : bits(half_bits_from_double(static_cast<double>(i))) {}
  CHUNKSCOPE_HD_INLINE operator float() const { return half_bits_to_float(bits); }
  static CHUNKSCOPE_HD_INLINE Half from_bits(std::uint16_t b) {
    Half h;
    h.bits = b;
    return h;
  }
};
static_assert(sizeof(Half) == 2 && std::is_trivially_copyable_v<Half>);

/// True for the floating-point element types, float16 included.
template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<T> || std::is_same_v<T, Half>;

/// Unsigned type at least as wide as `unsigned int` holding T's bits: arithmetic in it wraps
/// without undefined behaviour (uint16 * uint16 would otherwise overflow `int`).
template <class T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

/// Float -> integer conversion as NumPy compiled for x86-64 does it: truncation toward zero;
/// NaN and out-of-range values give the "integer indefinite" value (the minimum of the signed
/// type); int8/uint8/int16/uint16 go through int32 and keep the low bits (300.0 -> 44, -1.0 ->
/// 255), uint32 through int64 (3e9 -> 3000000000, -1.0 -> 4294967295).
template <class To, class From>
CHUNKSCOPE_HD_INLINE To float_to_int(From x) {
  if constexpr (std::is_same_v<To, std::int64_t>) {
    return (x >= From(-9223372036854775808.0) && x < From(9223372036854775808.0))
               ? static_cast<std::int64_t>(x)
               : static_cast<std::int64_t>(-9223372036854775807LL - 1);
  } else if constexpr (std::is_same_v<To, std::uint64_t>) {
    if (x >= From(9223372036854775808.0) && x < From(18446744073709551616.0))
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(x - From(9223372036854775808.0))) ^
             (std::uint64_t{1} << 63);
    return static_cast<std::uint64_t>(float_to_int<std::int64_t>(x));
  } else if constexpr (std::is_same_v<To, std::uint32_t>) {
    return static_cast<std::uint32_t>(float_to_int<std::int64_t>(x));
  } else {
    const std::int32_t i = (x > From(-2147483649.0) && x < From(2147483648.0))
                               ? static_cast<std::int32_t>(x)
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
  else if constexpr (std::is_same_v<From, Half>)
    return cast<To>(static_cast<float>(x));
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
  if constexpr (is_float_v<T>)
    return (a >= b || a != a) ? a : b;
  else
    return a >= b ? a : b;
}
template <class T>
CHUNKSCOPE_HD_INLINE T nan_min(T a, T b) {
  if constexpr (is_float_v<T>)
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
    return v < 0 ? IntScalar{std::uint64_t{0} - static_cast<std::uint64_t>(v), true}
                 : IntScalar{static_cast<std::uint64_t>(v), false};
  }
  static constexpr IntScalar of_unsigned(std::uint64_t v) { return IntScalar{v, false}; }

  /// Whether the value is representable in dtype t (bool holds 0 and 1; floats hold every value,
  /// rounded). NEP 50: an integer array combined with a literal that does not fit raises.
  constexpr bool fits(DType t) const {
    const std::uint64_t neg_limit = negative ? magnitude : 0;  // how far below zero
    const std::uint64_t pos = negative ? 0 : magnitude;
    switch (t) {
      case DType::Bool: return neg_limit == 0 && pos <= 1;
      case DType::Int8: return neg_limit <= 0x80 && pos <= 0x7F;
      case DType::UInt8: return neg_limit == 0 && pos <= 0xFF;
      case DType::Int16: return neg_limit <= 0x8000 && pos <= 0x7FFF;
      case DType::UInt16: return neg_limit == 0 && pos <= 0xFFFF;
      case DType::UInt32: return neg_limit == 0 && pos <= 0xFFFFFFFFULL;
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
