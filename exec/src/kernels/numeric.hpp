#pragma once
// NumPy's element semantics for the numeric kernels (elementwise, reduce, stencil, matmul):
// casts between dtypes, wrapping integer arithmetic, NaN-propagating min/max (defined once in
// core/numpy_elements.hpp, shared with the CUDA kernels), and buffer conversions.
// Private to exec/src/kernels/.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "chunkscope/core/numpy_elements.hpp"
#include "chunkscope/exec/kernel.hpp"

namespace chunkscope::kernels {

using numpy::cast;
using numpy::float_to_int;
using numpy::nan_max;
using numpy::nan_min;
using numpy::wrap_add;
using numpy::wrap_mul;
using numpy::wrap_neg;
using numpy::wrap_sub;
using numpy::WrapType;

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

/// Number of elements of a shape.
inline std::int64_t product(const Shape& s) {
  std::int64_t n = 1;
  for (auto x : s) n *= x;
  return n;
}

}  // namespace chunkscope::kernels
