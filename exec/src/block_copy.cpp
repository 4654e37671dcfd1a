// N-d strided copies: axes of length 1 are dropped and adjacent axes that are contiguous in both
// source and destination are merged, then one of three loops runs:
//   - memcpy of whole rows when the innermost axis is contiguous on both sides,
//   - a cache-blocked 2-d tile transpose when the source and destination are contiguous along
//     different axes (transposes, Fortran-like reads),
//   - an element loop over the innermost axis otherwise (steps, reversed slices, fills).
#include "chunkscope/exec/block_copy.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "chunkscope/exec/kernel.hpp"

namespace chunkscope {
namespace {

constexpr int kMaxAxes = 64;

// A strided copy problem after normalisation.
struct Plan {
  int n = 0;  // axes left
  std::int64_t ext[kMaxAxes];
  std::int64_t ss[kMaxAxes];
  std::int64_t ds[kMaxAxes];
  bool empty = false;
};

Plan normalise(std::span<const std::int64_t> extent, std::span<const std::int64_t> ss,
               std::span<const std::int64_t> ds) {
  if (extent.size() != ss.size() || extent.size() != ds.size())
    throw std::invalid_argument("copy_strided: extent and strides differ in length");
  if (extent.size() > static_cast<size_t>(kMaxAxes)) throw std::invalid_argument("copy_strided: more than 64 axes");
  Plan p;
  for (size_t a = 0; a < extent.size(); ++a) {
    if (extent[a] <= 0) {
      p.empty = true;
      return p;
    }
    if (extent[a] == 1) continue;
    if (p.n > 0) {
      const int k = p.n - 1;
      // Axis k (outer) followed by a (inner): merge when k steps exactly over a's whole extent.
      if (p.ss[k] == ss[a] * extent[a] && p.ds[k] == ds[a] * extent[a]) {
        p.ext[k] *= extent[a];
        p.ss[k] = ss[a];
        p.ds[k] = ds[a];
        continue;
      }
    }
    p.ext[p.n] = extent[a];
    p.ss[p.n] = ss[a];
    p.ds[p.n] = ds[a];
    ++p.n;
  }
  return p;
}

// Calls f(src, dst) for every index of the first `m` axes of `p` (C order).
template <class F>
void for_outer(const Plan& p, int m, const std::byte* s, std::byte* d, F&& f) {
  if (m <= 0) {
    f(s, d);
    return;
  }
  std::int64_t idx[kMaxAxes] = {};
  while (true) {
    f(s, d);
    int a = m - 1;
    for (; a >= 0; --a) {
      s += p.ss[a];
      d += p.ds[a];
      if (++idx[a] < p.ext[a]) break;
      s -= p.ss[a] * p.ext[a];
      d -= p.ds[a] * p.ext[a];
      idx[a] = 0;
    }
    if (a < 0) return;
  }
}

template <class T>
inline T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T>
inline void store(std::byte* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

template <class T>
void row_copy(const std::byte* s, std::int64_t ss, std::byte* d, std::int64_t ds, std::int64_t n) {
  if (ds == static_cast<std::int64_t>(sizeof(T))) {
    if (ss == 0) {
      const T v = load<T>(s);
      for (std::int64_t i = 0; i < n; ++i) store<T>(d + i * ds, v);
      return;
    }
    if (ss == -static_cast<std::int64_t>(sizeof(T))) {
      for (std::int64_t i = 0; i < n; ++i) store<T>(d + i * ds, load<T>(s - i * static_cast<std::int64_t>(sizeof(T))));
      return;
    }
  }
  for (std::int64_t i = 0; i < n; ++i) store<T>(d + i * ds, load<T>(s + i * ss));
}

void row_copy_bytes(const std::byte* s, std::int64_t ss, std::byte* d, std::int64_t ds, std::int64_t n, int itemsize) {
  switch (itemsize) {
    case 1: return row_copy<std::uint8_t>(s, ss, d, ds, n);
    case 2: return row_copy<std::uint16_t>(s, ss, d, ds, n);
    case 4: return row_copy<std::uint32_t>(s, ss, d, ds, n);
    case 8: return row_copy<std::uint64_t>(s, ss, d, ds, n);
    default:
      for (std::int64_t i = 0; i < n; ++i) std::memcpy(d + i * ds, s + i * ss, static_cast<size_t>(itemsize));
  }
}

// 2-d transpose-like copy: axis A is contiguous in the source (stride sizeof(T)), axis B in
// the destination. Small tiles: with power-of-two row strides every row of a tile maps to the
// same L1 set, so tiles of more than ~8 rows thrash (measured on 512² and 1024² chunks).
template <class T>
void tile_copy(const std::byte* s, std::int64_t s_b, std::byte* d, std::int64_t d_a, std::int64_t na, std::int64_t nb) {
  constexpr std::int64_t kTileA = sizeof(T) == 8 ? 8 : sizeof(T) == 4 ? 16 : sizeof(T) == 2 ? 16 : 32;
  constexpr std::int64_t kTileB = sizeof(T) == 8 ? 8 : sizeof(T) == 4 ? 8 : sizeof(T) == 2 ? 16 : 32;
  constexpr auto sz = static_cast<std::int64_t>(sizeof(T));
  for (std::int64_t a0 = 0; a0 < na; a0 += kTileA) {
    const std::int64_t a1 = std::min(na, a0 + kTileA);
    for (std::int64_t b0 = 0; b0 < nb; b0 += kTileB) {
      const std::int64_t b1 = std::min(nb, b0 + kTileB);
      for (std::int64_t a = a0; a < a1; ++a) {
        const std::byte* sa = s + a * sz;
        std::byte* da = d + a * d_a;
        for (std::int64_t b = b0; b < b1; ++b) store<T>(da + b * sz, load<T>(sa + b * s_b));
      }
    }
  }
}

bool try_tiles(const Plan& p, const std::byte* src, std::byte* dst, int itemsize) {
  if (itemsize != 1 && itemsize != 2 && itemsize != 4 && itemsize != 8) return false;
  int A = -1, B = -1;
  for (int a = 0; a < p.n; ++a) {
    if (p.ss[a] == itemsize && A < 0) A = a;
    if (p.ds[a] == itemsize && B < 0) B = a;
  }
  if (A < 0 || B < 0 || A == B || p.ext[A] < 4 || p.ext[B] < 4) return false;
  Plan outer;
  for (int a = 0; a < p.n; ++a) {
    if (a == A || a == B) continue;
    outer.ext[outer.n] = p.ext[a];
    outer.ss[outer.n] = p.ss[a];
    outer.ds[outer.n] = p.ds[a];
    ++outer.n;
  }
  const std::int64_t na = p.ext[A], nb = p.ext[B], s_b = p.ss[B], d_a = p.ds[A];
  for_outer(outer, outer.n, src, dst, [&](const std::byte* s, std::byte* d) {
    switch (itemsize) {
      case 1: tile_copy<std::uint8_t>(s, s_b, d, d_a, na, nb); break;
      case 2: tile_copy<std::uint16_t>(s, s_b, d, d_a, na, nb); break;
      case 4: tile_copy<std::uint32_t>(s, s_b, d, d_a, na, nb); break;
      default: tile_copy<std::uint64_t>(s, s_b, d, d_a, na, nb); break;
    }
  });
  return true;
}

template <class To, class From>
inline To cast_value(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_same_v<From, numpy::Half>) {
    return cast_value<To>(static_cast<float>(v));
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (!(v == v)) return To(0);
    constexpr auto hi = static_cast<From>(std::numeric_limits<To>::max());
    constexpr auto lo = static_cast<From>(std::numeric_limits<To>::min());
    if (v >= hi) return std::numeric_limits<To>::max();
    if (v <= lo) return std::numeric_limits<To>::min();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace

Shape c_strides(const Shape& shape, int itemsize) {
  Shape s(shape.size());
  std::int64_t acc = itemsize;
  for (int a = static_cast<int>(shape.size()) - 1; a >= 0; --a) {
    s[a] = acc;
    acc *= shape[a];
  }
  return s;
}

void copy_strided(std::span<const std::int64_t> extent, const std::byte* src, std::span<const std::int64_t> src_stride,
                  std::byte* dst, std::span<const std::int64_t> dst_stride, int itemsize) {
  const Plan p = normalise(extent, src_stride, dst_stride);
  if (p.empty) return;
  if (p.n == 0) {
    std::memcpy(dst, src, static_cast<size_t>(itemsize));
    return;
  }
  const int L = p.n - 1;
  if (p.ss[L] == itemsize && p.ds[L] == itemsize) {
    const auto row = static_cast<size_t>(p.ext[L] * itemsize);
    for_outer(p, L, src, dst, [&](const std::byte* s, std::byte* d) { std::memcpy(d, s, row); });
    return;
  }
  if (try_tiles(p, src, dst, itemsize)) return;
  const std::int64_t n = p.ext[L], ss = p.ss[L], ds = p.ds[L];
  for_outer(p, L, src, dst, [&](const std::byte* s, std::byte* d) { row_copy_bytes(s, ss, d, ds, n, itemsize); });
}

void convert_strided(std::span<const std::int64_t> extent, const std::byte* src,
                     std::span<const std::int64_t> src_stride, DType from, std::byte* dst,
                     std::span<const std::int64_t> dst_stride, DType to) {
  if (from == to) return copy_strided(extent, src, src_stride, dst, dst_stride, dtype_size(from));
  const Plan p = normalise(extent, src_stride, dst_stride);
  if (p.empty) return;
  const int L = p.n - 1;
  const std::int64_t n = p.n ? p.ext[L] : 1, ss = p.n ? p.ss[L] : 0, ds = p.n ? p.ds[L] : 0;
  dispatch_dtype(from, [&](auto f) {
    using F = decltype(f);
    dispatch_dtype(to, [&](auto t) {
      using T = decltype(t);
      for_outer(p, L, src, dst, [&](const std::byte* s, std::byte* d) {
        for (std::int64_t i = 0; i < n; ++i) store<T>(d + i * ds, cast_value<T>(load<F>(s + i * ss)));
      });
    });
  });
}

void fill_strided(std::span<const std::int64_t> extent, std::byte* dst, std::span<const std::int64_t> dst_stride,
                  const std::byte* value, int itemsize) {
  std::int64_t zeros[kMaxAxes] = {};
  if (extent.size() > static_cast<size_t>(kMaxAxes)) throw std::invalid_argument("fill_strided: more than 64 axes");
  copy_strided(extent, value, std::span<const std::int64_t>(zeros, extent.size()), dst, dst_stride, itemsize);
}

void scalar_to_dtype(double value, DType dtype, std::byte* out) {
  dispatch_dtype(dtype, [&](auto t) {
    using T = decltype(t);
    store<T>(out, cast_value<T>(value));
  });
}

bool copy_box(const ConstBlock& from, const MutableBlock& to, int itemsize) {
  const size_t nd = from.shape.size();
  if (from.offset.size() != nd || to.offset.size() != nd || to.shape.size() != nd)
    throw std::invalid_argument("copy_box: blocks have different numbers of axes");
  const Shape fs = c_strides(from.shape, itemsize), ts = c_strides(to.shape, itemsize);
  Shape ext(nd);
  std::int64_t so = 0, dof = 0;
  for (size_t a = 0; a < nd; ++a) {
    const std::int64_t lo = std::max(from.offset[a], to.offset[a]);
    const std::int64_t hi = std::min(from.offset[a] + from.shape[a], to.offset[a] + to.shape[a]);
    if (lo >= hi) return false;
    ext[a] = hi - lo;
    so += (lo - from.offset[a]) * fs[a];
    dof += (lo - to.offset[a]) * ts[a];
  }
  copy_strided(ext, from.data + so, fs, to.data + dof, ts, itemsize);
  return true;
}

}  // namespace chunkscope
