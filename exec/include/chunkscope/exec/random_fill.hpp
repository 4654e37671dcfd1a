#pragma once
// Values of the `random` source (core/philox.hpp) for whole regions, fast: contiguous runs use
// all four Philox words of a counter for consecutive elements, 16 (AVX-512) or 8 (AVX2) counters
// per SIMD group where the CPU has it. Results are bit-identical to philox_uniform_f64 / _f32.
//
//   std::vector<double> v(1000);
//   random_run_f64(/*seed=*/42, /*first=*/5000, 1000, v.data());  // elements 5000..5999
#include <cstddef>
#include <cstdint>
#include <span>

#include "chunkscope/core/dtype.hpp"

namespace chunkscope {

/// out[i] = philox_uniform_f64(first + i, seed) for i in [0, n).
void random_run_f64(std::uint64_t seed, std::uint64_t first, std::int64_t n, double* out);
/// out[i] = philox_uniform_f32(first + i, seed) for i in [0, n).
void random_run_f32(std::uint64_t seed, std::uint64_t first, std::int64_t n, float* out);

/// Fills a C-order block of shape `extent` (dtype float32 or float64): element i gets the value of
/// global index `base + Σ i[a]·index_stride[a]` (index strides in elements, may be negative).
void fill_random(DType dtype, std::uint64_t seed, std::int64_t base, std::span<const std::int64_t> extent,
                 std::span<const std::int64_t> index_stride, std::byte* out);

/// Instruction sets the generator may use; Auto picks the best the CPU has.
enum class RandomSimd { Auto, Scalar, Avx2, Avx512 };
/// Restricts the generator to `level` (tests compare every path; never needed otherwise). A
/// level the CPU lacks falls back to the next lower one it has. Not for use during a run.
void set_random_simd(RandomSimd level);

}  // namespace chunkscope
