#pragma once
// Traces for the viz tests: a small grouped pipeline with a rechunk and a reduction tree, and a
// large flat trace of tiny tasks built column by column (fast), the small one as a CUDA run
// records it (host<->device transfers), and device memory series to add to any of them.
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/viz/model.hpp"
#include "trace_builder.hpp"

namespace chunkscope::viz::fixtures {

/// load/img (64 chunks) -> denoise/blur/blur -> denoise/thr -> rc (rechunk to 32×1024: fan-in 8)
/// -> stats/mean (reduce axis 0: 32 partials, a tree of fan-in 8). 4 workers.
inline Trace sample_trace() {
  chunkscope::testing::TraceBuilder b(4, 1000);
  const int img = b.layer("img", "random", "source", {}, {1024, 1024}, {128, 128});
  const int blur = b.layer("blur", "gaussian_filter", "overlap", {"img"}, {1024, 1024}, {128, 128});
  const int thr = b.layer("thr", "greater", "elementwise", {"blur"}, {1024, 1024}, {128, 128}, "bool");
  const int rc = b.layer("rc", "rechunk", "rechunk", {"thr"}, {1024, 1024}, {32, 1024}, "bool");
  const int mean = b.layer("mean", "mean", "reduce", {"rc"}, {1024}, {1024}, "float64", {{"axis", 0}});
  b.at(img).group = "load";
  b.at(blur).group = "denoise/blur";
  b.at(thr).group = "denoise";
  b.at(mean).group = "stats";
  const auto a = b.per_chunk(img, 20000, 128 * 128 * 8, chunkscope::testing::none);
  const auto c =
      b.per_chunk(blur, 50000, 128 * 128 * 8, [&](std::int64_t k) { return std::vector<std::int64_t>{a[k]}; });
  const auto d = b.per_chunk(thr, 10000, 128 * 128, [&](std::int64_t k) { return std::vector<std::int64_t>{c[k]}; });
  const auto r = b.per_chunk(rc, 30000, 32 * 1024, [&](std::int64_t k) {
    std::vector<std::int64_t> deps;
    for (int j = 0; j < 8; ++j) deps.push_back(d[(k / 4) * 8 + j]);
    return deps;
  });
  std::vector<std::int64_t> partials;
  for (std::int64_t k = 0; k < 32; ++k) partials.push_back(b.task(mean, k, 5000, 1024 * 8, {r[k]}, 1));
  b.tree(mean, partials, 8, 4000, 1024 * 8);
  return b.done();
}

/// Findings naming img (warning) and rc + thr (critical).
inline Findings sample_findings() {
  Findings f(2);
  f[0].rule = "tiny-chunks";
  f[0].severity = Severity::Warning;
  f[0].layers = {"img"};
  f[0].message = "chunks are small";
  f[0].add("chunk_bytes", 131072, "B");
  f[1].rule = "rechunk-fan";
  f[1].severity = Severity::Critical;
  f[1].layers = {"rc", "thr"};
  f[1].message = "the rechunk reads 8 chunks per output chunk";
  return f;
}

inline Model sample_model() { return Model(sample_trace(), sample_findings()); }

/// `n` back-to-back tasks of 10..19 ns over `workers` workers and 4 layers, no dependencies.
inline Trace big_trace(std::int64_t n, int workers) {
  Trace t;
  for (int l = 0; l < 4; ++l) {
    TraceLayer layer;
    layer.id = layer.name = "L" + std::to_string(l);
    layer.op = "op";
    layer.kind = "source";
    layer.shape = {n};
    layer.chunks = {std::vector<std::int64_t>(static_cast<size_t>((n + 3) / 4), 1)};
    t.layers.push_back(layer);
  }
  TraceTasks& c = t.tasks;
  std::vector<std::int64_t> clock(static_cast<size_t>(workers), 0);
  for (auto* v : {&c.chunk, &c.start_ns, &c.end_ns, &c.bytes}) v->reserve(static_cast<size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const int w = static_cast<int>(i % workers);
    const std::int64_t dur = 10 + i % 10;
    c.layer.push_back(static_cast<std::int32_t>((i / 1000) % 4));
    c.stage.push_back(0);
    c.chunk.push_back(i / 4);
    c.worker.push_back(w);
    c.start_ns.push_back(clock[static_cast<size_t>(w)]);
    c.end_ns.push_back(clock[static_cast<size_t>(w)] + dur);
    clock[static_cast<size_t>(w)] += dur;
    c.bytes.push_back(8);
    c.status.push_back(1);
    c.fused.push_back(0);
    c.dep_offsets.push_back(0);
  }
  for (auto& l : t.layers) l.tasks = n / 4;
  t.meta.threads = workers;
  for (auto x : clock) t.meta.wall_ns = std::max(t.meta.wall_ns, x);
  return t;
}

/// Adds a transfer (device 1 = cuda:0) to t.transfers.
inline void add_transfer(Trace& t, std::int64_t task, std::int64_t start, std::int64_t end, std::int64_t bytes,
                         bool to_device) {
  TraceTransfers& x = t.transfers;
  x.task.push_back(task);
  x.start_ns.push_back(start);
  x.end_ns.push_back(end);
  x.bytes.push_back(bytes);
  x.to_device.push_back(to_device ? 1 : 0);
  x.device.push_back(1);
}

/// sample_trace() as a CUDA run would record it: workers named ["cuda:0", "host"], an upload
/// before every "blur" task (its input chunk) and a download before every "rc" task (each of its
/// 8 input chunks), recorded in issue order (not sorted by start: downloads and uploads interleave).
inline Trace sample_cuda_trace() {
  Trace t = sample_trace();
  t.meta.executor = "cuda";
  t.meta.worker_devices = {"cuda:0", "host"};
  const auto& c = t.tasks;
  const int blur = t.find_layer("blur"), rc = t.find_layer("rc");
  for (std::int64_t i = 0; i < c.size(); ++i) {
    if (c.layer[i] == blur)
      add_transfer(t, i, std::max<std::int64_t>(0, c.start_ns[i] - 3000), c.start_ns[i], c.bytes[i], true);
    if (c.layer[i] == rc && c.stage[i] == 0)
      for (std::int64_t j = 0; j < 8; ++j)
        add_transfer(t, i, std::max<std::int64_t>(0, c.start_ns[i] - 800 * (8 - j)), c.start_ns[i] - 800 * (7 - j),
                     16384, false);
  }
  return t;
}

/// Appends a device memory series named `device` (may be empty) to t.device_memory: `steps`
/// changes every `dt` ns from t = 10, live bytes a deterministic saw (0..9 KiB per step, in units
/// of 1 KiB), with one spike of `spike` bytes lasting 1 ns at step `spike_at` (the peak, reached by
/// layer `peak_layer`), and the device limit `limit`.
inline void add_device_memory(Trace& t, const std::string& device, std::int64_t steps, std::int64_t dt,
                              std::int64_t spike, std::int64_t spike_at, int peak_layer, std::int64_t limit) {
  MemorySeries s;
  s.device = device;
  for (std::int64_t i = 0; i < steps; ++i) {
    const std::int64_t when = 10 + i * dt;
    s.t_ns.push_back(when);
    s.live_bytes.push_back((i * 7919 % 10) * 1024);
    if (i == spike_at) {
      s.live_bytes.back() = spike;
      s.t_ns.push_back(when + 1);
      s.live_bytes.push_back(0);
      s.peak_bytes = spike;
      s.peak_t_ns = when;
      s.peak_layer = peak_layer;
    }
  }
  s.limit_bytes = limit;
  t.device_memory.push_back(std::move(s));
}

/// The synthetic CUDA-shaped trace of tests/data/cuda (made by make_fixture.py).
inline Model cuda_fixture_model() {
  std::ifstream in(std::string(CHUNKSCOPE_TEST_DATA_DIR) + "/cuda/cuda_transfers.cstrace.json", std::ios::binary);
  REQUIRE(in);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = chunkscope::read_trace_bytes(bytes, "cuda_transfers.cstrace.json");
  REQUIRE(r.ok());
  return Model(std::move(r).value(), {});
}

}  // namespace chunkscope::viz::fixtures
