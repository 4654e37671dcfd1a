#pragma once
// Philox4x32-10 counter-based random numbers: the value of element i of a `random` source is a
// pure function of (seed, i), so results never depend on chunking, thread count or device.
//
// Element values (i = global C-order flat index in the source array):
//   float64: c = philox(counter = i / 2, key = seed); words (w0, w1) for even i, (w2, w3) for odd i;
//            value = ((wa >> 5) * 2^26 + (wb >> 6)) / 2^53
//   float32: c = philox(counter = i / 4, key = seed); w = word (i % 4); value = (w >> 8) / 2^24
// The 64-bit counter fills the first two 32-bit counter words (low, high); the last two are 0.
// The 64-bit seed is the key (low, high). tests/reference/numpy_ref.py implements the same.
#include <array>
#include <cstdint>

#if defined(__CUDACC__)
#define CHUNKSCOPE_HD __host__ __device__
#else
#define CHUNKSCOPE_HD
#endif

namespace chunkscope {

/// Four 32-bit random words for counter `ctr` under key `seed` (Philox4x32 with 10 rounds).
CHUNKSCOPE_HD inline void philox4x32_10(std::uint64_t ctr, std::uint64_t seed, std::uint32_t out[4]) {
  std::uint32_t c0 = static_cast<std::uint32_t>(ctr), c1 = static_cast<std::uint32_t>(ctr >> 32), c2 = 0, c3 = 0;
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int r = 0; r < 10; ++r) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * c0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * c2;
    const std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/// Uniform double in [0, 1) for global element index `i`.
CHUNKSCOPE_HD inline double philox_uniform_f64(std::uint64_t i, std::uint64_t seed) {
  std::uint32_t w[4];
  philox4x32_10(i >> 1, seed, w);
  const std::uint32_t a = (i & 1) ? w[2] : w[0], b = (i & 1) ? w[3] : w[1];
  return (static_cast<double>(a >> 5) * 67108864.0 + static_cast<double>(b >> 6)) * (1.0 / 9007199254740992.0);
}

/// Uniform float in [0, 1) for global element index `i`.
CHUNKSCOPE_HD inline float philox_uniform_f32(std::uint64_t i, std::uint64_t seed) {
  std::uint32_t w[4];
  philox4x32_10(i >> 2, seed, w);
  return static_cast<float>(w[i & 3] >> 8) * (1.0f / 16777216.0f);
}

}  // namespace chunkscope
