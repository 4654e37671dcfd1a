// CudaExecutor against the CPU executor on every op (tests/e2e/pipelines/ops_*.json): the same
// outputs (exact for integers and bools, 1e-5 relative for float32, 1e-10 for float64), device
// memory accounting back to zero, the trace's device lane and transfers, the device memory limit.
// Exits 77 (ctest: skipped) when there is no CUDA driver or device.
#include "chunkscope/gpu/cuda_executor.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "chunkscope/core/pipeline.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "chunkscope/exec/recorder.hpp"

using namespace chunkscope;

namespace {

int failures = 0;
#define CHECK(cond, ...)                                        \
  do {                                                          \
    if (!(cond)) {                                              \
      ++failures;                                               \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                        \
      std::fprintf(stderr, "\n");                               \
    }                                                           \
  } while (0)

bool close(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

void compare(const std::string& name, const OutputArray& cpu, const OutputArray& gpu) {
  CHECK(cpu.meta.shape == gpu.meta.shape && cpu.meta.dtype == gpu.meta.dtype, "%s: output %d shape/dtype differ",
        name.c_str(), cpu.layer);
  CHECK(cpu.data.size() == gpu.data.size(), "%s: output sizes differ", name.c_str());
  if (cpu.data.size() != gpu.data.size()) return;
  const std::int64_t n = cpu.meta.size();
  int bad = 0;
  dispatch_dtype(cpu.meta.dtype, [&](auto tag) {
    using T = decltype(tag);
    const double rel = std::is_same_v<T, float> ? 1e-5 : std::is_same_v<T, double> ? 1e-10 : 0.0;
    for (std::int64_t i = 0; i < n && bad < 5; ++i) {
      const double a = static_cast<double>(cpu.data.as<T>()[i]), b = static_cast<double>(gpu.data.as<T>()[i]);
      if (!close(a, b, rel)) {
        ++bad;
        CHECK(false, "%s: layer %d element %lld: cpu %.17g gpu %.17g", name.c_str(), cpu.layer,
              static_cast<long long>(i), a, b);
      }
    }
  });
}

void run_pipeline(const std::filesystem::path& path) {
  auto g = load_pipeline(path.string());
  CHECK(g.ok(), "%s: %s", path.c_str(), g.ok() ? "" : g.error().c_str());
  if (!g.ok()) return;
  CpuExecutor cpu;
  RunOptions o;
  o.threads = 2;
  const RunResult a = cpu.run(*g, o);
  CudaExecutor gpu;
  Recorder rec;
  RunOptions og;
  og.observer = &rec;
  const RunResult b = gpu.run(*g, og);
  const std::string name = path.filename().string();
  CHECK(a.ok() && b.ok(), "%s: cpu %s / gpu %s: %s", name.c_str(), run_status_name(a.status), run_status_name(b.status),
        b.error.c_str());
  if (!a.ok() || !b.ok()) return;
  CHECK(a.outputs.size() == b.outputs.size(), "%s: output counts differ", name.c_str());
  for (size_t i = 0; i < std::min(a.outputs.size(), b.outputs.size()); ++i) compare(name, a.outputs[i], b.outputs[i]);
  CHECK(gpu.last_device_live_bytes() == 0, "%s: %lld device bytes still accounted", name.c_str(),
        static_cast<long long>(gpu.last_device_live_bytes()));
  const Trace t = rec.trace();
  CHECK(t.meta.executor == "cuda", "%s: trace executor %s", name.c_str(), t.meta.executor.c_str());
  for (const auto& s : t.device_memory)
    CHECK(!s.live_bytes.empty() && s.live_bytes.back() == 0, "%s: %s timeline does not end at 0", name.c_str(),
          s.device.c_str());
  CHECK(t.memory.live_bytes.empty() || t.memory.live_bytes.back() == 0, "%s: host timeline does not end at 0",
        name.c_str());
  for (std::int64_t i = 0; i < t.tasks.size(); ++i)
    CHECK(t.tasks.status[i] == 1, "%s: task %lld not done", name.c_str(), static_cast<long long>(i));
  // Reductions and filters run on the device (worker 0).
  for (std::int64_t i = 0; i < t.tasks.size(); ++i) {
    const std::string& kind = t.layers[t.tasks.layer[i]].kind;
    const bool device_kind = kind == "reduce" || kind == "stencil";
    const int layer_index = g->find_layer(t.layers[t.tasks.layer[i]].id);
    const bool is_bool_filter =
        kind == "stencil" && layer_index >= 0 && g->layer(g->layer(layer_index).inputs[0]).meta.dtype == DType::Bool;
    if (device_kind && !is_bool_filter)
      CHECK(t.tasks.worker[i] == 0, "%s: task %lld of %s layer %s ran on worker %d, not the GPU", name.c_str(),
            static_cast<long long>(i), kind.c_str(), t.layers[t.tasks.layer[i]].id.c_str(), t.tasks.worker[i]);
  }
  std::printf("%-24s ok: %lld tasks, device peak %lld B, %lld transfers\n", name.c_str(),
              static_cast<long long>(t.tasks.size()), static_cast<long long>(gpu.last_device_peak_bytes()),
              static_cast<long long>(t.transfers.size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string why;
  if (!CudaExecutor::device_available(&why)) {
    std::printf("skipped: no CUDA device (%s)\n", why.c_str());
    return 77;
  }
  const std::filesystem::path dir = argc > 1 ? argv[1] : "tests/e2e/pipelines";
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") run_pipeline(e.path());
  // A device limit smaller than one task's needs fails before anything runs.
  if (auto g = load_pipeline((dir / "ops_elementwise.json").string())) {
    CudaExecutor tiny(CudaOptions{0, 64});
    bool threw = false;
    try {
      tiny.run(*g, RunOptions{});
    } catch (const InputError& e) {
      threw = std::string(e.what()).find("--device-memory-limit") != std::string::npos;
    }
    CHECK(threw, "a device limit of 64 B did not fail early with a --device-memory-limit message");
  }
  // The same refusal with a sink: the temporary its prepare() made and the folder made for it go
  // again (exec/run_plan.hpp, RunOutputs).
  {
    const std::filesystem::path tmp =
        std::filesystem::temp_directory_path() / ("cs-cuda-refusal-" + std::to_string(::getpid()));
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    auto g = parse_pipeline_text(R"({"name": "refused", "layers": [
      {"id": "x", "op": "random", "shape": [256, 256], "chunks": [128, 128], "seed": 1},
      {"id": "y", "op": "sqrt", "input": "x"}], "outputs": [{"id": "y", "to_npy": "sub/out.npy"}]})",
                                 "refused", tmp.string());
    CHECK(g.ok(), "refusal pipeline: %s", g.ok() ? "" : g.error().c_str());
    if (g.ok()) {
      CudaExecutor tiny(CudaOptions{0, 64});
      bool threw = false;
      try {
        tiny.run(*g, RunOptions{});
      } catch (const InputError&) {
        threw = true;
      }
      CHECK(threw, "a device limit of 64 B did not refuse the run");
      CHECK(!std::filesystem::exists(tmp / ("sub/out.npy.tmp-" + std::to_string(::getpid()))),
            "a refused run left its sink's temporary");
      CHECK(!std::filesystem::exists(tmp / "sub"), "a refused run left the folder made for its output");
    }
    std::filesystem::remove_all(tmp);
  }
  // A fused chain: one kernel a chunk, the fused layers' tasks marked, results equal the CPU's,
  // and no device memory for the intermediates.
  {
    auto g = parse_pipeline_text(R"({"name": "chain", "layers": [
      {"id": "x", "op": "random", "shape": [4096, 512], "chunks": [1024, 512], "seed": 1},
      {"id": "a", "op": "multiply", "inputs": ["x", 3]}, {"id": "b", "op": "add", "inputs": ["a", 1]},
      {"id": "c", "op": "sqrt", "input": "b"}, {"id": "s", "op": "sum", "input": "c", "axis": 0}],
      "outputs": [{"id": "c"}, {"id": "s"}]})",
                                 "chain", ".");
    CHECK(g.ok(), "chain pipeline: %s", g.ok() ? "" : g.error().c_str());
    if (g.ok()) {
      CpuExecutor cpu;
      const RunResult a = cpu.run(*g, RunOptions{});
      CudaExecutor gpu;
      Recorder rec;
      RunOptions o;
      o.observer = &rec;
      const RunResult b = gpu.run(*g, o);
      CHECK(a.ok() && b.ok(), "chain: %s", b.error.c_str());
      if (a.ok() && b.ok())
        for (size_t i = 0; i < a.outputs.size(); ++i) compare("chain", a.outputs[i], b.outputs[i]);
      const Trace t = rec.trace();
      std::int64_t fused = 0;
      for (std::int64_t i = 0; i < t.tasks.size(); ++i) fused += t.tasks.fused[i];
      CHECK(fused == 12, "chain: %lld fused tasks (want 4 chunks x 3 layers)", static_cast<long long>(fused));
      // x chunks (4 MiB) + c chunks (4 MiB) + partials; a and b are never allocated.
      CHECK(gpu.last_device_peak_bytes() <= 4 * (8 << 20), "chain: device peak %lld B",
            static_cast<long long>(gpu.last_device_peak_bytes()));
    }
  }
  // A device limit that holds tasks back: the run completes within it.
  if (auto g = load_pipeline((dir / "ops_reduce.json").string())) {
    CudaExecutor tight(CudaOptions{0, 64 << 10});
    const RunResult r = tight.run(*g, RunOptions{});
    CHECK(r.ok(), "ops_reduce under a 64 KiB device limit: %s", r.error.c_str());
    CHECK(tight.last_device_peak_bytes() <= (64 << 10), "device peak %lld B over the 64 KiB limit",
          static_cast<long long>(tight.last_device_peak_bytes()));
  }
  std::printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
