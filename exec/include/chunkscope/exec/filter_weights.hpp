#pragma once
// The gaussian_filter weights as scipy.ndimage computes them, shared by exec's stencil kernel and
// the CUDA executor's (gpu/), so both filter with the same bits.
#include <cstdint>
#include <vector>

namespace chunkscope {

/// scipy.ndimage._gaussian_kernel1d(sigma, order 0, radius): 2 * radius + 1 weights summing to 1
/// (normalised with NumPy's pairwise sum).
std::vector<double> gaussian_weights(double sigma, std::int64_t radius);

}  // namespace chunkscope
