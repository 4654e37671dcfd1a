#pragma once
// Values of the `random` source (core/philox.hpp) for whole regions, fast: contiguous runs take
// four Philox words per call for consecutive elements, eight counters at a time with AVX2 where
// the CPU has it. Results are bit-identical to philox_uniform_f64 / philox_uniform_f32.
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

}  // namespace chunkscope
