#pragma once
// NumPy's element semantics for the numeric kernels (elementwise, reduce, stencil, matmul):
// casts between dtypes, wrapping integer arithmetic, NaN-propagating min/max.
// Private to exec/src/kernels/.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "chunkscope/exec/kernel.hpp"

namespace chunkscope::kernels {

/// Unsigned type at least as wide as `unsigned int` holding T's bits: arithmetic in it wraps
/// without undefined behaviour (uint16 * uint16 would otherwise overflow `int`).
template <class T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

/// Float -> integer conversion as NumPy compiled for x86-64 does it: truncation toward zero;
/// NaN and out-of-range values give the "integer indefinite" value (the minimum of the signed
/// type); uint8/uint16 go through int32 and keep the low bits (300.0 -> 44, -1.0 -> 255).
template <class To, class From>
inline To float_to_int(From x) {
  if constexpr (std::is_same_v<To, std::int64_t>) {
    return (x >= From(-9223372036854775808.0) && x < From(9223372036854775808.0))
               ? static_cast<std::int64_t>(x)
               : std::numeric_limits<std::int64_t>::min();
  } else if constexpr (std::is_same_v<To, std::uint64_t>) {
    if (x >= From(9223372036854775808.0) && x < From(18446744073709551616.0))
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(x - From(9223372036854775808.0))) ^
             (std::uint64_t{1} << 63);
    return static_cast<std::uint64_t>(float_to_int<std::int64_t>(x));
  } else {
    const std::int32_t i = (x > From(-2147483649.0) && x < From(2147483648.0))
                               ? static_cast<std::int32_t>(x)
                               : std::numeric_limits<std::int32_t>::min();
    return static_cast<To>(i);
  }
}

/// One element converted with NumPy's `astype` semantics (bool: nonzero, NaN is true).
template <class To, class From>
inline To cast(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return float_to_int<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

/// Converts n elements (no aliasing). Vectorises for the numeric pairs.
template <class To, class From>
inline void convert(const From* __restrict in, To* __restrict out, std::int64_t n) {
  if constexpr (std::is_same_v<To, From>) {
    std::memcpy(out, in, static_cast<std::size_t>(n) * sizeof(To));
  } else {
    for (std::int64_t i = 0; i < n; ++i) out[i] = cast<To>(in[i]);
  }
}

/// Converts n elements from a buffer of dtype `from` into T.
template <class T>
inline void convert_from(DType from, const void* in, T* out, std::int64_t n) {
  dispatch_dtype(from, [&](auto f) {
    using F = decltype(f);
    convert<T>(static_cast<const F*>(in), out, n);
  });
}

/// Converts n elements of T into a buffer of dtype `to`.
template <class T>
inline void convert_to(const T* in, DType to, void* out, std::int64_t n) {
  dispatch_dtype(to, [&](auto t) {
    using U = decltype(t);
    convert<U>(in, static_cast<U*>(out), n);
  });
}

template <class T>
inline T wrap_add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>)
    return a || b;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
  else
    return a + b;
}
template <class T>
inline T wrap_sub(T a, T b) {
  if constexpr (std::is_same_v<T, bool>)
    return a != b;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
  else
    return a - b;
}
template <class T>
inline T wrap_mul(T a, T b) {
  if constexpr (std::is_same_v<T, bool>)
    return a && b;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) * static_cast<WrapType<T>>(b));
  else
    return a * b;
}
template <class T>
inline T wrap_neg(T a) {
  if constexpr (std::is_same_v<T, bool>)
    return a;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(WrapType<T>{0} - static_cast<WrapType<T>>(a));
  else
    return -a;
}

/// np.maximum / np.minimum: a NaN in either operand gives NaN.
template <class T>
inline T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return (a >= b || a != a) ? a : b;
  else
    return a >= b ? a : b;
}
template <class T>
inline T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return (a <= b || a != a) ? a : b;
  else
    return a <= b ? a : b;
}

/// Number of elements of a shape.
inline std::int64_t product(const Shape& s) {
  std::int64_t n = 1;
  for (auto x : s) n *= x;
  return n;
}

}  // namespace chunkscope::kernels
