// Device reductions (sum, mean, min, max, var, std) with exec's partial layouts, so device and host
// tasks of one reduction tree can read each other's partials (exec/src/kernels/reduce.cpp):
//   stage 1   one chunk into a partial. Contiguous reduced runs (innermost axis reduced): one block
//             per output element, 256 threads over its values, a tree in shared memory. Innermost
//             axis kept: 32 consecutive output elements per block (coalesced), 8 thread rows
//             splitting the reduced values. var/std: a second pass over the chunk for M2 around
//             each element's mean, as exec.
//   combine   partials of one group into a partial (stages >= 2) or into the layer's values
//             (stage 0): one thread per element, exec's order.
// The arithmetic is device_math.hpp's (tested against exec on the host).
#include <cuda_runtime.h>

#include <type_traits>

#include "device_kernels.hpp"
#include "device_math.hpp"
#include "launch_util.cuh"

namespace chunkscope::gpu {
namespace {

using dm::Layout;

using dm::DoubleSumP;
using dm::ExtremeP;
using dm::M2P;
using dm::SumP;

constexpr int kColsX = 32, kColsY = 8;

/// The whole block reduces the values of one output element (base: the element's first value).
/// Values [r0, r1) of the element.
template <class T, class P>
__device__ typename P::V rows_reduce(const dm::ReduceWalk& w, const T* base, std::int64_t r0, std::int64_t r1, double m,
                                     typename P::V* sm) {
  using V = typename P::V;
  V v = P::init();
  for (std::int64_t r = r0 + threadIdx.x; r < r1; r += blockDim.x) v = P::add(v, base[dm::red_offset(w, r)], m);
  sm[threadIdx.x] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) sm[threadIdx.x] = P::join(sm[threadIdx.x], sm[threadIdx.x + s]);
    __syncthreads();
  }
  const V out = sm[0];
  __syncthreads();
  return out;
}

/// Column x of the block reduces one output element over thread rows; valid in row 0.
template <class T, class P>
__device__ typename P::V cols_reduce(const dm::ReduceWalk& w, const T* base, bool live, std::int64_t r0,
                                     std::int64_t r1, double m, typename P::V (*sm)[kColsX]) {
  using V = typename P::V;
  V v = P::init();
  if (live)
    for (std::int64_t r = r0 + threadIdx.y; r < r1; r += blockDim.y) v = P::add(v, base[dm::red_offset(w, r)], m);
  sm[threadIdx.y][threadIdx.x] = v;
  __syncthreads();
  if (threadIdx.y == 0)
    for (int j = 1; j < kColsY; ++j) v = P::join(v, sm[j][threadIdx.x]);
  __syncthreads();
  return v;
}

/// The reduced values of element o split into gridDim.y segments: segment blockIdx.y's range.
__device__ inline void segment(const dm::ReduceWalk& w, std::int64_t& r0, std::int64_t& r1) {
  const std::int64_t len = (w.count + gridDim.y - 1) / gridDim.y;
  r0 = blockIdx.y * len;
  r1 = r0 + len < w.count ? r0 + len : w.count;
}

/// out[o * gridDim.y + segment] (out[o] unsplit); m: var's per-element means (or null).
template <class T, class P>
__global__ void reduce_rows_kernel(dm::ReduceWalk w, const T* __restrict__ in, typename P::V* __restrict__ out,
                                   std::int64_t* header, const double* __restrict__ means) {
  using V = typename P::V;
  __shared__ V sm[kThreads];
  if (header && blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 0) *header = w.count;
  std::int64_t r0, r1;
  segment(w, r0, r1);
  for (std::int64_t o = blockIdx.x; o < w.k; o += gridDim.x) {
    const V v = rows_reduce<T, P>(w, in + dm::kept_offset(w, o), r0, r1, means ? means[o] : 0.0, sm);
    if (threadIdx.x == 0) out[o * gridDim.y + blockIdx.y] = v;
  }
}

template <class T, class P>
__global__ void reduce_cols_kernel(dm::ReduceWalk w, const T* __restrict__ in, typename P::V* __restrict__ out,
                                   std::int64_t* header, const double* __restrict__ means) {
  using V = typename P::V;
  __shared__ V sm[kColsY][kColsX];
  if (header && blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 0 && threadIdx.y == 0) *header = w.count;
  std::int64_t r0, r1;
  segment(w, r0, r1);
  for (std::int64_t o0 = static_cast<std::int64_t>(blockIdx.x) * kColsX; o0 < w.k;
       o0 += static_cast<std::int64_t>(gridDim.x) * kColsX) {
    const std::int64_t o = o0 + threadIdx.x;
    const bool live = o < w.k;
    const V v =
        cols_reduce<T, P>(w, live ? in + dm::kept_offset(w, o) : in, live, r0, r1, live && means ? means[o] : 0.0, sm);
    if (live && threadIdx.y == 0) out[o * gridDim.y + blockIdx.y] = v;
  }
}

/// out[o] = the segments' partials of element o joined in order (× scale for var's means).
template <class P>
__global__ void fold_segments_kernel(const typename P::V* __restrict__ partial, std::int64_t segs, std::int64_t k,
                                     typename P::V* __restrict__ out, double scale) {
  CHUNKSCOPE_GRID_LOOP(o, k) {
    typename P::V v = partial[o * segs];
    for (std::int64_t j = 1; j < segs; ++j) v = P::join(v, partial[o * segs + j]);
    if constexpr (std::is_same_v<typename P::V, double>)
      if (scale != 1.0) v *= scale;
    out[o] = v;
  }
}

/// var/std stage 1: count, then K means (sums × 1/count, as exec), then K M2.
template <class T>
__global__ void var_rows_kernel(dm::ReduceWalk w, const T* __restrict__ in, std::int64_t* header, double inv) {
  __shared__ double sm[kThreads];
  double* vals = reinterpret_cast<double*>(reinterpret_cast<char*>(header) + dm::kHeader);
  if (blockIdx.x == 0 && threadIdx.x == 0) *header = w.count;
  for (std::int64_t o = blockIdx.x; o < w.k; o += gridDim.x) {
    const T* base = in + dm::kept_offset(w, o);
    const double mean = rows_reduce<T, DoubleSumP<T>>(w, base, 0, w.count, 0.0, sm) * inv;
    const double m2 = rows_reduce<T, M2P<T>>(w, base, 0, w.count, mean, sm);
    if (threadIdx.x == 0) {
      vals[o] = mean;
      vals[w.k + o] = m2;
    }
  }
}

template <class T>
__global__ void var_cols_kernel(dm::ReduceWalk w, const T* __restrict__ in, std::int64_t* header, double inv) {
  __shared__ double sm[kColsY][kColsX];
  __shared__ double means[kColsX];
  double* vals = reinterpret_cast<double*>(reinterpret_cast<char*>(header) + dm::kHeader);
  if (blockIdx.x == 0 && threadIdx.x == 0 && threadIdx.y == 0) *header = w.count;
  for (std::int64_t o0 = static_cast<std::int64_t>(blockIdx.x) * kColsX; o0 < w.k;
       o0 += static_cast<std::int64_t>(gridDim.x) * kColsX) {
    const std::int64_t o = o0 + threadIdx.x;
    const bool live = o < w.k;
    const T* base = live ? in + dm::kept_offset(w, o) : in;
    const double s = cols_reduce<T, DoubleSumP<T>>(w, base, live, 0, w.count, 0.0, sm);
    if (threadIdx.y == 0) means[threadIdx.x] = s * inv;
    __syncthreads();
    const double mean = means[threadIdx.x];
    const double m2 = cols_reduce<T, M2P<T>>(w, base, live, 0, w.count, mean, sm);
    if (live && threadIdx.y == 0) {
      vals[o] = mean;
      vals[w.k + o] = m2;
    }
  }
}

/// Stage 1 into out[o] — through per-segment partials in `scratch` when the reduced values are
/// split over several blocks (dm::reduce_segments) — with var's means when `means` is set.
template <class T, class P>
void launch_simple(const dm::ReduceWalk& w, const void* src, void* out, std::int64_t* header, const double* means,
                   void* scratch, double scale, cudaStream_t s) {
  using V = typename P::V;
  const T* in = static_cast<const T*>(src);
  const std::int64_t segs = scratch ? dm::reduce_segments(w) : 1;
  V* dst = static_cast<V*>(segs > 1 ? scratch : out);
  const dim3 grid_rows(blocks_for(w.k, 1), static_cast<unsigned>(segs)),
      grid_cols(blocks_for(w.k, kColsX), static_cast<unsigned>(segs));
  if (w.inner_reduced)
    reduce_rows_kernel<T, P><<<grid_rows, kThreads, 0, s>>>(w, in, dst, header, means);
  else
    reduce_cols_kernel<T, P><<<grid_cols, dim3(kColsX, kColsY), 0, s>>>(w, in, dst, header, means);
  if (segs > 1)
    fold_segments_kernel<P><<<blocks_for(w.k), kThreads, 0, s>>>(dst, segs, w.k, static_cast<V*>(out), scale);
}

template <class T>
void chunk_typed(Layout layout, bool max, DType acc, const dm::ReduceWalk& w, const void* src, void* out, void* scratch,
                 cudaStream_t s) {
  auto* header = static_cast<std::int64_t*>(out);
  double* vals = reinterpret_cast<double*>(static_cast<char*>(out) + dm::kHeader);
  switch (layout) {
    case Layout::Sum:
      if (acc == DType::Float64)
        launch_simple<T, SumP<T, double>>(w, src, out, nullptr, nullptr, scratch, 1.0, s);
      else if (acc == DType::UInt64)
        launch_simple<T, SumP<T, std::uint64_t>>(w, src, out, nullptr, nullptr, scratch, 1.0, s);
      else
        launch_simple<T, SumP<T, std::int64_t>>(w, src, out, nullptr, nullptr, scratch, 1.0, s);
      break;
    case Layout::Mean: launch_simple<T, DoubleSumP<T>>(w, src, vals, header, nullptr, scratch, 1.0, s); break;
    case Layout::Var: {
      const double inv = 1.0 / static_cast<double>(w.count);
      if (scratch && dm::reduce_segments(w) > 1) {  // means first (sums × 1/count), then M2 around them
        launch_simple<T, DoubleSumP<T>>(w, src, vals, header, nullptr, scratch, inv, s);
        launch_simple<T, M2P<T>>(w, src, vals + w.k, nullptr, vals, scratch, 1.0, s);
      } else if (w.inner_reduced) {
        var_rows_kernel<T><<<blocks_for(w.k, 1), kThreads, 0, s>>>(w, static_cast<const T*>(src), header, inv);
      } else {
        var_cols_kernel<T>
            <<<blocks_for(w.k, kColsX), dim3(kColsX, kColsY), 0, s>>>(w, static_cast<const T*>(src), header, inv);
      }
      break;
    }
    case Layout::MinMax:
      if (max)
        launch_simple<T, ExtremeP<T, true>>(w, src, out, nullptr, nullptr, scratch, 1.0, s);
      else
        launch_simple<T, ExtremeP<T, false>>(w, src, out, nullptr, nullptr, scratch, 1.0, s);
      break;
  }
}

template <class T>
__global__ void combine_kernel(dm::ReduceSpec r, dm::CombineIn in, std::int64_t k, bool final, void* out) {
  const bool counted = r.layout == Layout::Mean || r.layout == Layout::Var;
  const std::int64_t n = counted ? dm::combine_count(in) : 0;
  if (counted && !final && blockIdx.x == 0 && threadIdx.x == 0) *static_cast<std::int64_t*>(out) = n;
  CHUNKSCOPE_GRID_LOOP(i, k) dm::combine_element<T>(r, in, k, final, n, out, i);
}

}  // namespace

void launch_reduce_chunk(const dm::ReduceSpec& r, const dm::ReduceWalk& w, const void* src, void* out, void* scratch,
                         cudaStream_t stream) {
  CHUNKSCOPE_BY_DTYPE(r.in, (chunk_typed<T>(r.layout, r.max, r.acc, w, src, out, scratch, stream)));
  check_launch("reduce chunk kernel");
}

void launch_reduce_combine(const dm::ReduceSpec& r, const dm::CombineIn& in, std::int64_t k, bool final, void* out,
                           cudaStream_t stream) {
  CHUNKSCOPE_BY_DTYPE(r.in, (combine_kernel<T><<<blocks_for(k), kThreads, 0, stream>>>(r, in, k, final, out)));
  check_launch("reduce combine kernel");
}

}  // namespace chunkscope::gpu
