// gpu_bench: the issue-8 targets on a device. Prints the device-to-device copy bandwidth, the
// element-wise, fused-chain, reduction and filter layer rates of CudaExecutor (kernel time from
// the trace), raw cuBLAS gemm rates and CudaExecutor matmul rates on the same sizes. Built with
// CHUNKSCOPE_BUILD_BENCH=ON where gpu/ is built; exits 77 without a device.  Usage: gpu_bench [MiB per array, default
// 1024]
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "chunkscope/core/pipeline.hpp"
#include "chunkscope/exec/recorder.hpp"
#include "chunkscope/gpu/cuda_executor.hpp"

using namespace chunkscope;

static double layer_kernel_s(const Trace& t, const std::string& id) {
  const int l = t.find_layer(id);
  std::int64_t ns = 0;
  for (std::int64_t i = 0; i < t.tasks.size(); ++i)
    if (t.tasks.layer[i] == l) ns += t.tasks.duration(i);
  return static_cast<double>(ns) * 1e-9;
}

static Trace run_text(const std::string& json) {
  auto g = parse_pipeline_text(json, "<bench>", ".");
  if (!g) {
    std::fprintf(stderr, "%s\n", g.error().c_str());
    std::exit(1);
  }
  CudaExecutor ex;
  Recorder rec;
  RunOptions o;
  o.observer = &rec;
  ex.run(*g, o);  // warm-up (pool, module load)
  Recorder rec2;
  o.observer = &rec2;
  const RunResult r = ex.run(*g, o);
  if (!r.ok()) {
    std::fprintf(stderr, "run failed: %s\n", r.error.c_str());
    std::exit(1);
  }
  return rec2.trace();
}

int main(int argc, char** argv) {
  std::string why;
  if (!CudaExecutor::device_available(&why)) {
    std::printf("skipped: %s\n", why.c_str());
    return 77;
  }
  const std::int64_t mib = argc > 1 ? std::atoll(argv[1]) : 1024;
  const std::int64_t bytes = mib << 20, n = bytes / 8;
  cudaDeviceProp p{};
  cudaGetDeviceProperties(&p, 0);
  std::printf("device: %s\n", p.name);
  // 1. cudaMemcpy device-to-device: read + write bytes per second.
  void *a = nullptr, *b = nullptr;
  cudaMalloc(&a, bytes);
  cudaMalloc(&b, bytes);
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
  cudaEventRecord(e0);
  for (int i = 0; i < 10; ++i) cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
  cudaEventRecord(e1);
  cudaEventSynchronize(e1);
  float ms = 0;
  cudaEventElapsedTime(&ms, e0, e1);
  const double copy_bw = 2.0 * bytes * 10 / (ms * 1e-3) / 1e9;
  std::printf("copy D2D: %.1f GB/s (read+write)\n", copy_bw);
  cudaFree(a);
  cudaFree(b);
  // 2. Element-wise layer: add of two float64 arrays (chunks of 128 MiB): 3 arrays of traffic.
  const std::int64_t chunk = (128 << 20) / 8;
  const std::string ew = "{\"name\":\"ew\",\"layers\":[{\"id\":\"x\",\"op\":\"ones\",\"shape\":[" + std::to_string(n) +
                         "],\"chunks\":" + std::to_string(chunk) +
                         "},{\"id\":\"y\",\"op\":\"full\",\"value\":2,\"shape\":[" + std::to_string(n) +
                         "],\"chunks\":" + std::to_string(chunk) +
                         "},{\"id\":\"z\",\"op\":\"add\",\"inputs\":[\"x\",\"y\"]},"
                         "{\"id\":\"s\",\"op\":\"sum\",\"input\":\"z\"}]}";
  const Trace t = run_text(ew);
  const double ew_s = layer_kernel_s(t, "z");
  const double ew_bw = 3.0 * bytes / ew_s / 1e9;
  std::printf("element-wise add: %.1f GB/s = %.0f%% of copy (target 70%%)\n", ew_bw, 100 * ew_bw / copy_bw);
  const double sum_bw = 1.0 * bytes / layer_kernel_s(t, "s") / 1e9;
  std::printf("reduction sum (all axes): %.1f GB/s = %.0f%% of copy (target 70%%)\n", sum_bw, 100 * sum_bw / copy_bw);
  // 2b. Reduction over the outer axis of a 2-d array (inner axis kept: the column kernel), a fused
  // chain (two inputs, three layers, one kernel: 3 arrays of traffic) and a gaussian filter.
  const std::int64_t cols = 4096, rows = n / cols, row_chunk = std::max<std::int64_t>(1, (128 << 20) / 8 / cols);
  const std::string shape2 = "[" + std::to_string(rows) + "," + std::to_string(cols) + "]";
  const std::string chunks2 = "[" + std::to_string(row_chunk) + "," + std::to_string(cols) + "]";
  const std::string more =
      "{\"name\":\"more\",\"layers\":[{\"id\":\"x\",\"op\":\"random\",\"shape\":" + shape2 + ",\"chunks\":" + chunks2 +
      "},{\"id\":\"y\",\"op\":\"random\",\"seed\":3,\"shape\":" + shape2 + ",\"chunks\":" + chunks2 +
      "},{\"id\":\"m\",\"op\":\"mean\",\"input\":\"x\",\"axis\":0},"
      "{\"id\":\"p\",\"op\":\"multiply\",\"inputs\":[\"x\",\"y\"]},{\"id\":\"q\",\"op\":\"add\",\"inputs\":[\"p\",1]},"
      "{\"id\":\"r\",\"op\":\"sqrt\",\"input\":\"q\"},{\"id\":\"g\",\"op\":\"gaussian_filter\",\"input\":\"x\","
      "\"sigma\":2}],"
      "\"outputs\":[{\"id\":\"m\"},{\"id\":\"r\"},{\"id\":\"g\"}]}";
  const Trace t2 = run_text(more);
  const double mean_bw = 1.0 * rows * cols * 8 / layer_kernel_s(t2, "m") / 1e9;
  std::printf("reduction mean over axis 0 (%lld x %lld): %.1f GB/s = %.0f%% of copy (target 70%%)\n",
              static_cast<long long>(rows), static_cast<long long>(cols), mean_bw, 100 * mean_bw / copy_bw);
  const double fused_bw = 3.0 * rows * cols * 8 / layer_kernel_s(t2, "r") / 1e9;
  std::printf("fused chain multiply>add>sqrt: %.1f GB/s = %.0f%% of copy (one kernel a chunk)\n", fused_bw,
              100 * fused_bw / copy_bw);
  const double g_s = layer_kernel_s(t2, "g");
  std::printf("gaussian_filter sigma 2 (both axes): %.3f s = %.2f Gelem/s\n", g_s, rows * cols / g_s / 1e9);
  // 3. matmul: raw cuBLAS dgemm vs CudaExecutor on one 4096² chunk pair.
  for (int size : {2048, 4096}) {
    double *A, *B, *C;
    const size_t mb = sizeof(double) * size * size;
    cudaMalloc(reinterpret_cast<void**>(&A), mb);
    cudaMalloc(reinterpret_cast<void**>(&B), mb);
    cudaMalloc(reinterpret_cast<void**>(&C), mb);
    cudaMemset(A, 0, mb);
    cudaMemset(B, 0, mb);
    cublasHandle_t h;
    cublasCreate(&h);
    const double one = 1, zero = 0;
    cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, size, size, size, &one, B, size, A, size, &zero, C, size);
    cudaEventRecord(e0);
    for (int i = 0; i < 5; ++i)
      cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, size, size, size, &one, B, size, A, size, &zero, C, size);
    cudaEventRecord(e1);
    cudaEventSynchronize(e1);
    cudaEventElapsedTime(&ms, e0, e1);
    const double raw = 2.0 * size * size * size * 5 / (ms * 1e-3) / 1e12;
    cublasDestroy(h);
    cudaFree(A);
    cudaFree(B);
    cudaFree(C);
    const std::string mm = "{\"name\":\"mm\",\"layers\":[{\"id\":\"a\",\"op\":\"random\",\"shape\":[" +
                           std::to_string(size) + "," + std::to_string(size) +
                           "],\"chunks\":-1},{\"id\":\"b\",\"op\":\"random\",\"seed\":1,\"shape\":[" +
                           std::to_string(size) + "," + std::to_string(size) +
                           "],\"chunks\":-1},{\"id\":\"c\",\"op\":\"matmul\",\"inputs\":[\"a\",\"b\"]}]}";
    const double s = layer_kernel_s(run_text(mm), "c");
    const double ours = 2.0 * size * size * size / s / 1e12;
    std::printf("dgemm %d: cuBLAS %.2f TFLOP/s, CudaExecutor %.2f TFLOP/s = %.0f%% (target 70%%)\n", size, raw, ours,
                100 * ours / raw);
  }
  return 0;
}
