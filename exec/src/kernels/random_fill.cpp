// Philox4x32-10 over regions: see random_fill.hpp. The AVX2 path runs eight counters per
// iteration in SIMD lanes; it is chosen at run time, so the build needs no -mavx2.
#include "random_fill.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "chunkscope/core/philox.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CHUNKSCOPE_HAVE_AVX2_PATH 1
#endif

namespace chunkscope {
namespace {

constexpr double kInv53 = 1.0 / 9007199254740992.0;
constexpr float kInv24 = 1.0f / 16777216.0f;

inline double f64_of(std::uint32_t a, std::uint32_t b) {
  return (static_cast<double>(a >> 5) * 67108864.0 + static_cast<double>(b >> 6)) * kInv53;
}
inline float f32_of(std::uint32_t w) { return static_cast<float>(w >> 8) * kInv24; }

// Counters [ctr, ctr + m): two doubles (f64) or four floats (f32) each.
void counters_f64_scalar(std::uint64_t seed, std::uint64_t ctr, std::int64_t m, double* out) {
  std::uint32_t w[4];
  for (std::int64_t j = 0; j < m; ++j) {
    philox4x32_10(ctr + static_cast<std::uint64_t>(j), seed, w);
    out[2 * j] = f64_of(w[0], w[1]);
    out[2 * j + 1] = f64_of(w[2], w[3]);
  }
}
void counters_f32_scalar(std::uint64_t seed, std::uint64_t ctr, std::int64_t m, float* out) {
  std::uint32_t w[4];
  for (std::int64_t j = 0; j < m; ++j) {
    philox4x32_10(ctr + static_cast<std::uint64_t>(j), seed, w);
    for (int k = 0; k < 4; ++k) out[4 * j + k] = f32_of(w[k]);
  }
}

#ifdef CHUNKSCOPE_HAVE_AVX2_PATH
struct Lanes {
  __m256i c0, c1, c2, c3;
};

// 32x32 -> 64 multiply of eight lanes by a constant: low and high halves.
__attribute__((target("avx2"))) inline void mulhilo(__m256i x, __m256i m, __m256i& lo, __m256i& hi) {
  const __m256i ev = _mm256_mul_epu32(x, m);
  const __m256i od = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
  lo = _mm256_blend_epi32(ev, _mm256_slli_epi64(od, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(ev, 32), od, 0xAA);
}

// Philox4x32-10 of the eight counters ctr .. ctr+7.
__attribute__((target("avx2"))) inline Lanes philox8(std::uint64_t ctr, std::uint64_t seed) {
  Lanes v;
  const auto lo = static_cast<std::uint32_t>(ctr), hi = static_cast<std::uint32_t>(ctr >> 32);
  if (lo <= 0xFFFFFFFFu - 7u) {
    v.c0 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(lo)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    v.c1 = _mm256_set1_epi32(static_cast<int>(hi));
  } else {  // the low word wraps inside this group
    alignas(32) std::uint32_t a[8], b[8];
    for (int j = 0; j < 8; ++j) {
      a[j] = static_cast<std::uint32_t>(ctr + static_cast<std::uint64_t>(j));
      b[j] = static_cast<std::uint32_t>((ctr + static_cast<std::uint64_t>(j)) >> 32);
    }
    v.c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(a));
    v.c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(b));
  }
  v.c2 = _mm256_setzero_si256();
  v.c3 = _mm256_setzero_si256();
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53), m1 = _mm256_set1_epi64x(0xCD9E8D57);
  auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int r = 0; r < 10; ++r) {
    __m256i lo0, hi0, lo1, hi1;
    mulhilo(v.c0, m0, lo0, hi0);
    mulhilo(v.c2, m1, lo1, hi1);
    const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, v.c1), _mm256_set1_epi32(static_cast<int>(k0)));
    const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, v.c3), _mm256_set1_epi32(static_cast<int>(k1)));
    v.c0 = n0;
    v.c1 = lo1;
    v.c2 = n2;
    v.c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return v;
}

// Four doubles from lanes 0-3 (half 0) or 4-7 (half 1) of words (a, b).
__attribute__((target("avx2"))) inline __m256d to_f64(__m128i a, __m128i b) {
  const __m256d x = _mm256_cvtepi32_pd(_mm_srli_epi32(a, 5));
  const __m256d y = _mm256_cvtepi32_pd(_mm_srli_epi32(b, 6));
  return _mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(x, _mm256_set1_pd(67108864.0)), y), _mm256_set1_pd(kInv53));
}

__attribute__((target("avx2"))) void counters_f64_avx2(std::uint64_t seed, std::uint64_t ctr, std::int64_t m, double* out) {
  std::int64_t j = 0;
  for (; j + 8 <= m; j += 8) {
    const Lanes v = philox8(ctr + static_cast<std::uint64_t>(j), seed);
    for (int half = 0; half < 2; ++half) {
      const __m128i w0 = half ? _mm256_extracti128_si256(v.c0, 1) : _mm256_castsi256_si128(v.c0);
      const __m128i w1 = half ? _mm256_extracti128_si256(v.c1, 1) : _mm256_castsi256_si128(v.c1);
      const __m128i w2 = half ? _mm256_extracti128_si256(v.c2, 1) : _mm256_castsi256_si128(v.c2);
      const __m128i w3 = half ? _mm256_extracti128_si256(v.c3, 1) : _mm256_castsi256_si128(v.c3);
      const __m256d even = to_f64(w0, w1), odd = to_f64(w2, w3);  // elements 2j, 2j+1 of 4 counters
      const __m256d lo = _mm256_unpacklo_pd(even, odd), hi = _mm256_unpackhi_pd(even, odd);
      double* o = out + 2 * (j + 4 * half);
      _mm256_storeu_pd(o, _mm256_permute2f128_pd(lo, hi, 0x20));
      _mm256_storeu_pd(o + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
    }
  }
  counters_f64_scalar(seed, ctr + static_cast<std::uint64_t>(j), m - j, out + 2 * j);
}

__attribute__((target("avx2"))) void counters_f32_avx2(std::uint64_t seed, std::uint64_t ctr, std::int64_t m, float* out) {
  std::int64_t j = 0;
  const __m256 scale = _mm256_set1_ps(kInv24);
  for (; j + 8 <= m; j += 8) {
    const Lanes v = philox8(ctr + static_cast<std::uint64_t>(j), seed);
    const __m256 f0 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v.c0, 8)), scale);
    const __m256 f1 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v.c1, 8)), scale);
    const __m256 f2 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v.c2, 8)), scale);
    const __m256 f3 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v.c3, 8)), scale);
    // 4x8 transpose: out[4c + k] = f_k[c].
    const __m256 t0 = _mm256_unpacklo_ps(f0, f1), t1 = _mm256_unpackhi_ps(f0, f1);
    const __m256 t2 = _mm256_unpacklo_ps(f2, f3), t3 = _mm256_unpackhi_ps(f2, f3);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    float* o = out + 4 * j;
    _mm256_storeu_ps(o, _mm256_permute2f128_ps(u0, u1, 0x20));
    _mm256_storeu_ps(o + 8, _mm256_permute2f128_ps(u2, u3, 0x20));
    _mm256_storeu_ps(o + 16, _mm256_permute2f128_ps(u0, u1, 0x31));
    _mm256_storeu_ps(o + 24, _mm256_permute2f128_ps(u2, u3, 0x31));
  }
  counters_f32_scalar(seed, ctr + static_cast<std::uint64_t>(j), m - j, out + 4 * j);
}

bool use_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

void counters_f64(std::uint64_t seed, std::uint64_t ctr, std::int64_t m, double* out) {
#ifdef CHUNKSCOPE_HAVE_AVX2_PATH
  if (m >= 8 && use_avx2()) return counters_f64_avx2(seed, ctr, m, out);
#endif
  counters_f64_scalar(seed, ctr, m, out);
}
void counters_f32(std::uint64_t seed, std::uint64_t ctr, std::int64_t m, float* out) {
#ifdef CHUNKSCOPE_HAVE_AVX2_PATH
  if (m >= 8 && use_avx2()) return counters_f32_avx2(seed, ctr, m, out);
#endif
  counters_f32_scalar(seed, ctr, m, out);
}

// Elements at first + i*stride for any stride: one Philox call per distinct counter in a row.
template <class T>
void strided_run(std::uint64_t seed, std::int64_t first, std::int64_t stride, std::int64_t n, T* out) {
  constexpr int per = sizeof(T) == 8 ? 2 : 4;
  std::uint64_t cached = ~std::uint64_t{0};
  std::uint32_t w[4] = {};
  for (std::int64_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::uint64_t>(first + i * stride);
    const std::uint64_t ctr = g / per;
    if (ctr != cached) {
      philox4x32_10(ctr, seed, w);
      cached = ctr;
    }
    if constexpr (sizeof(T) == 8) out[i] = (g & 1) ? f64_of(w[2], w[3]) : f64_of(w[0], w[1]);
    else out[i] = f32_of(w[g & 3]);
  }
}

}  // namespace

void random_run_f64(std::uint64_t seed, std::uint64_t first, std::int64_t n, double* out) {
  if (n <= 0) return;
  std::int64_t i = 0;
  if (first & 1) out[i++] = philox_uniform_f64(first, seed);
  const std::int64_t m = (n - i) / 2;
  counters_f64(seed, (first + static_cast<std::uint64_t>(i)) / 2, m, out + i);
  i += 2 * m;
  if (i < n) out[i] = philox_uniform_f64(first + static_cast<std::uint64_t>(i), seed);
}

void random_run_f32(std::uint64_t seed, std::uint64_t first, std::int64_t n, float* out) {
  if (n <= 0) return;
  std::int64_t i = 0;
  // Head up to a multiple of 4, then whole counters, then the tail.
  const std::int64_t head = std::min<std::int64_t>(n, static_cast<std::int64_t>((4 - (first & 3)) & 3));
  if (head) strided_run<float>(seed, static_cast<std::int64_t>(first), 1, head, out);
  i = head;
  const std::int64_t m = (n - i) / 4;
  counters_f32(seed, (first + static_cast<std::uint64_t>(i)) / 4, m, out + i);
  i += 4 * m;
  if (i < n) strided_run<float>(seed, static_cast<std::int64_t>(first) + i, 1, n - i, out + i);
}

void fill_random(DType dtype, std::uint64_t seed, std::int64_t base, std::span<const std::int64_t> extent,
                 std::span<const std::int64_t> index_stride, std::byte* out) {
  if (dtype != DType::Float32 && dtype != DType::Float64)
    throw std::invalid_argument("random values are float32 or float64");
  // Drop unit axes and merge axes whose global indices continue each other; the output is C order.
  constexpr int kMax = 64;
  if (extent.size() > static_cast<size_t>(kMax)) throw std::invalid_argument("fill_random: more than 64 axes");
  std::int64_t ext[kMax], gs[kMax];
  int n = 0;
  for (size_t a = 0; a < extent.size(); ++a) {
    if (extent[a] <= 0) return;
    if (extent[a] == 1) continue;
    if (n > 0 && gs[n - 1] == index_stride[a] * extent[a]) {
      ext[n - 1] *= extent[a];
      gs[n - 1] = index_stride[a];
      continue;
    }
    ext[n] = extent[a];
    gs[n] = index_stride[a];
    ++n;
  }
  if (n == 0) {
    ext[0] = 1;
    gs[0] = 1;
    n = 1;
  }
  const int L = n - 1;
  const std::int64_t row = ext[L], step = gs[L];
  std::int64_t idx[kMax] = {};
  std::int64_t g = base;
  auto* o = out;
  const std::int64_t row_bytes = row * (dtype == DType::Float64 ? 8 : 4);
  while (true) {
    if (dtype == DType::Float64) {
      if (step == 1) random_run_f64(seed, static_cast<std::uint64_t>(g), row, reinterpret_cast<double*>(o));
      else strided_run<double>(seed, g, step, row, reinterpret_cast<double*>(o));
    } else {
      if (step == 1) random_run_f32(seed, static_cast<std::uint64_t>(g), row, reinterpret_cast<float*>(o));
      else strided_run<float>(seed, g, step, row, reinterpret_cast<float*>(o));
    }
    o += row_bytes;
    int a = L - 1;
    for (; a >= 0; --a) {
      g += gs[a];
      if (++idx[a] < ext[a]) break;
      g -= gs[a] * ext[a];
      idx[a] = 0;
    }
    if (a < 0) return;
  }
}

}  // namespace chunkscope
