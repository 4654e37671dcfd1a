// matmul: output chunk (i, j) = sum over k of A(i, k) @ B(k, j). A task's inputs are A's chunks
// (i, 0..nk-1) then B's chunks (0..nk-1, j) (core/src/graph.cpp).
//
// float32 and float64 results go through OpenBLAS (sgemm/dgemm, beta = 0 for the first k chunk and 1
// after it, so the output is never zero-filled separately), with
// inputs of another dtype converted to the result type first. Integer and bool results use a
// blocked loop in the result type with NumPy's wrapping arithmetic (bool: or of ands).
// OpenBLAS runs one thread per call: the executor's pool owns the cores. It is loaded on the first
// matmul (dlopen) with OPENBLAS_NUM_THREADS=1, not linked: a linked OpenBLAS starts its own thread
// pool when the program loads, and those threads spin on sched_yield for ~0.1 s, taking a core
// from the executor on every run, matmul or not (measured on a 2-core machine: one of three
// threads was the spinning BLAS thread for the whole of a 70 ms run).
#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "numeric.hpp"

namespace chunkscope {
namespace {

/// OpenBLAS's entry points, loaded once.
struct Blas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  decltype(&cblas_dgemm) dgemm = nullptr;
  std::string error;  ///< why loading failed, empty when it worked
};

const Blas& blas() {
  static const Blas b = [] {
    Blas r;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);  // read by OpenBLAS when it loads: no thread pool
    void* h = nullptr;
    for (const char* name : {CHUNKSCOPE_OPENBLAS_PATH, "libopenblas.so.0", "libopenblas.so"}) {
      if (*name && (h = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
    }
    if (!h) {
      const char* e = dlerror();
      r.error = std::string("matmul needs OpenBLAS, which cannot be loaded (") + (e ? e : "not found") +
                "); install it with: apt-get install libopenblas0";
      return r;
    }
    r.sgemm = reinterpret_cast<decltype(&cblas_sgemm)>(dlsym(h, "cblas_sgemm"));
    r.dgemm = reinterpret_cast<decltype(&cblas_dgemm)>(dlsym(h, "cblas_dgemm"));
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads"))) set(1);
    if (!r.sgemm || !r.dgemm) r.error = "matmul needs OpenBLAS, but the loaded library has no cblas_sgemm/cblas_dgemm";
    return r;
  }();
  return b;
}

struct MatmulState {
  DType a = DType::Float64, b = DType::Float64, out = DType::Float64;
  Chunks a_chunks, b_chunks;  ///< A's and B's chunk sizes
};

std::shared_ptr<const void> matmul_prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  auto s = std::make_shared<MatmulState>();
  s->a = g.layer(l.inputs[0]).meta.dtype;
  s->b = g.layer(l.inputs[1]).meta.dtype;
  s->out = l.meta.dtype;
  if ((s->out == DType::Float32 || s->out == DType::Float64) && !blas().error.empty())
    throw std::runtime_error(blas().error);
  s->a_chunks = g.layer(l.inputs[0]).meta.chunks;
  s->b_chunks = g.layer(l.inputs[1]).meta.chunks;
  return s;
}

/// The values of one input chunk in type T: the buffer itself when it already has dtype T, else
/// a converted copy held in `keep`.
template <class T>
const T* as_type(const Buffer& b, DType from, std::int64_t n, std::vector<std::byte>& keep) {
  if (dispatch_dtype(from, [](auto x) { return std::is_same_v<decltype(x), T>; })) return b.as<T>();
  keep.resize(static_cast<size_t>(n) * sizeof(T));
  T* out = reinterpret_cast<T*>(keep.data());
  kernels::convert_from<T>(from, b.data(), out, n);
  return out;
}

/// C (m x n) += A (m x kk) @ B (kk x n), all row-major, in T with wrapping arithmetic. Checks for
/// cancellation once per row of a block.
template <class T>
void blocked_gemm(const KernelContext& ctx, std::int64_t m, std::int64_t n, std::int64_t kk, const T* a, const T* b,
                  T* c) {
  constexpr std::int64_t kBlockK = 128, kBlockN = 256;
  for (std::int64_t k0 = 0; k0 < kk; k0 += kBlockK) {
    const std::int64_t k1 = std::min(kk, k0 + kBlockK);
    for (std::int64_t j0 = 0; j0 < n; j0 += kBlockN) {
      const std::int64_t j1 = std::min(n, j0 + kBlockN);
      for (std::int64_t i = 0; i < m; ++i) {
        ctx.check_cancel();
        T* __restrict crow = c + i * n;
        for (std::int64_t k = k0; k < k1; ++k) {
          const T aik = a[i * kk + k];
          const T* __restrict brow = b + k * n;
          if constexpr (std::is_same_v<T, bool>) {
            if (!aik) continue;
            for (std::int64_t j = j0; j < j1; ++j) crow[j] = crow[j] || brow[j];
          } else {
            for (std::int64_t j = j0; j < j1; ++j)
              crow[j] = kernels::wrap_add(crow[j], kernels::wrap_mul(aik, brow[j]));
          }
        }
      }
    }
  }
}

/// Rows of C per BLAS call: about 2^33 multiply-adds (about 0.2 s of one core of the dev machine,
/// which runs dgemm at ~38 GFMA/s), and at least 256 rows, so that BLAS's packing of B stays a
/// small part of each call (4096^3 in 8 calls: the same CPU time as one call, 1.72 s vs 1.80 s;
/// 2048^3 is one call). The task checks for cancellation between calls.
std::int64_t panel_rows(std::int64_t n, std::int64_t kk) {
  return std::max<std::int64_t>(256, (std::int64_t{1} << 33) / std::max<std::int64_t>(n * kk, 1));
}

/// C = A @ B + (accumulate ? C : 0).
template <class T>
void gemm(const KernelContext& ctx, std::int64_t m, std::int64_t n, std::int64_t kk, const T* a, const T* b, T* c,
          bool accumulate) {
  if (m == 0 || n == 0 || kk == 0) return;
  if (m > INT_MAX || n > INT_MAX || kk > INT_MAX)
    throw std::length_error("matmul: a chunk is too large for BLAS (over 2^31 rows or columns)");
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    const int N = static_cast<int>(n), K = static_cast<int>(kk);
    const std::int64_t rows = panel_rows(n, kk);
    for (std::int64_t i0 = 0; i0 < m; i0 += rows) {
      ctx.check_cancel();
      const int M = static_cast<int>(std::min(rows, m - i0));
      const T* ai = a + i0 * kk;
      T* ci = c + i0 * n;
      if constexpr (std::is_same_v<T, double>)
        blas().dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, ai, K, b, N, accumulate ? 1.0 : 0.0, ci,
                     N);
      else
        blas().sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, ai, K, b, N, accumulate ? 1.0f : 0.0f,
                     ci, N);
    }
  } else {
    if (!accumulate) std::fill(c, c + m * n, T{});
    blocked_gemm(ctx, m, n, kk, a, b, c);
  }
}

void matmul_run(const KernelContext& ctx) {
  const auto& s = *static_cast<const MatmulState*>(ctx.state);
  const Shape oc = ctx.layer.meta.chunk_coords(ctx.key.index);
  const std::int64_t m = ctx.layer.meta.chunks[0][oc[0]];
  const std::int64_t n = ctx.layer.meta.chunks[1][oc[1]];
  const auto nk = static_cast<std::int64_t>(s.a_chunks[1].size());
  dispatch_dtype(s.out, [&](auto t) {
    using T = decltype(t);
    T* c = ctx.output.as<T>();
    std::vector<std::byte> ka, kb;
    for (std::int64_t k = 0; k < nk; ++k) {
      const std::int64_t kk = s.a_chunks[1][k];
      const T* a = as_type<T>(*ctx.inputs[k], s.a, m * kk, ka);
      const T* b = as_type<T>(*ctx.inputs[nk + k], s.b, kk * n, kb);
      gemm(ctx, m, n, kk, a, b, c, /*accumulate=*/k > 0);
    }
  });
}

}  // namespace

const KernelInfo& matmul_kernel() {
  static const KernelInfo k{matmul_prepare, chunk_output_bytes, matmul_run};
  return k;
}

}  // namespace chunkscope
