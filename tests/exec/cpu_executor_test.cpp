// CpuExecutor: results equal the serial oracle for any thread count; exact memory accounting;
// memory limit; failures and cancellation.
#include "chunkscope/exec/cpu_executor.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include <catch2/catch.hpp>

#include "chunkscope/exec/recorder.hpp"
#include "serial_run.hpp"

using namespace chunkscope;

namespace {

std::vector<double> output_as_double(const OutputArray& o) {
  std::vector<double> v(static_cast<size_t>(o.meta.size()));
  dispatch_dtype(o.meta.dtype, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(o.data.as<T>()[i]);
  });
  return v;
}

const char* kMixed = R"({
  "name": "mixed",
  "layers": [
    {"id": "x", "op": "random", "shape": [60, 50], "chunks": [[10, 20, 30], 16], "seed": 7},
    {"id": "t", "op": "transpose", "input": "x"},
    {"id": "s", "op": "slice", "input": "t", "slices": [[0, 50], [0, 50]]},
    {"id": "y", "op": "add", "inputs": ["s", 1.5]},
    {"id": "z", "op": "multiply", "inputs": ["y", "y"]},
    {"id": "r", "op": "rechunk", "input": "z", "chunks": [25, 7]},
    {"id": "m", "op": "mean", "input": "r", "axis": 0, "split_every": 2}
  ]
})";

}  // namespace

TEST_CASE("cpu executor results do not depend on the thread count", "[executor]") {
  const Graph g = test::parse_or_throw(kMixed);
  const test::SerialRun oracle(g);
  const std::vector<double> want = oracle.array<double>("m");
  for (int threads : {1, 2, 4}) {
    CpuExecutor ex;
    RunOptions o;
    o.threads = threads;
    const RunResult r = ex.run(g, o);
    REQUIRE(r.ok());
    REQUIRE(r.outputs.size() == 1);
    const auto got = output_as_double(r.outputs[0]);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-12));
  }
}

TEST_CASE("live memory is accounted exactly and returns to zero", "[executor][memory]") {
  const Graph g = test::parse_or_throw(R"({"name": "m", "layers": [
      {"id": "z", "op": "zeros", "shape": [4, 4], "chunks": [2, 4]},
      {"id": "a", "op": "add", "inputs": ["z", 1]}]})");
  CpuExecutor ex;
  Recorder rec;
  RunOptions o;
  o.threads = 1;
  o.observer = &rec;
  const RunResult r = ex.run(g, o);
  REQUIRE(r.ok());
  const Trace t = rec.trace();
  // Two 64-byte source chunks and two 64-byte outputs; one thread: z0, a0 (z0 freed), z1, a1.
  CHECK(t.memory.peak_bytes == 192);
  CHECK(r.peak_bytes == 192);
  CHECK(t.memory.live_bytes.back() == 0);
  CHECK(t.layers[t.memory.peak_layer].id == "a");
  for (std::int64_t i = 0; i < t.tasks.size(); ++i) CHECK(t.tasks.status[i] == 1);
}

TEST_CASE("a memory limit holds tasks back and the run still completes", "[executor][memory]") {
  const Graph g = test::parse_or_throw(R"({"name": "lim", "layers": [
      {"id": "x", "op": "random", "shape": [64, 64], "chunks": [8, 64], "seed": 1},
      {"id": "y", "op": "multiply", "inputs": ["x", 2]},
      {"id": "s", "op": "sum", "input": "y"}]})");
  const test::SerialRun oracle(g);
  const double want = oracle.array<double>("s")[0];
  CpuExecutor ex;
  Recorder rec;
  RunOptions o;
  o.threads = 4;
  o.observer = &rec;
  o.memory_limit = 4 * 4096 + 1024;  // room for a few 4 KiB chunks only
  const RunResult r = ex.run(g, o);
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(r.peak_bytes <= o.memory_limit);
  CHECK(rec.trace().memory.peak_bytes <= o.memory_limit);
  CHECK(output_as_double(r.outputs[0])[0] == Approx(want).epsilon(1e-12));
}

TEST_CASE("under a tight limit, many workers never fill memory with chunks nobody can consume", "[executor][memory]") {
  // Eight workers could each load a 4 KiB source chunk before any multiply runs; the limit holds
  // four. Sources must leave room for the step that consumes them, on every schedule.
  const Graph g = test::parse_or_throw(R"({"name": "lim8", "layers": [
      {"id": "x", "op": "random", "shape": [128, 64], "chunks": [8, 64], "seed": 3},
      {"id": "y", "op": "multiply", "inputs": ["x", 2]},
      {"id": "z", "op": "add", "inputs": ["y", "x"]},
      {"id": "s", "op": "sum", "input": "z", "split_every": 4}]})");
  const test::SerialRun oracle(g);
  const double want = oracle.array<double>("s")[0];
  for (int rep = 0; rep < 40; ++rep) {
    CpuExecutor ex;
    RunOptions o;
    o.threads = 8;
    o.memory_limit = 4 * 4096 + 512;
    const RunResult r = ex.run(g, o);
    INFO("repetition " << rep << ": " << r.error);
    REQUIRE(r.ok());
    CHECK(r.peak_bytes <= o.memory_limit);
    CHECK(output_as_double(r.outputs[0])[0] == Approx(want).epsilon(1e-12));
  }
}

TEST_CASE("a task that can never fit fails before anything runs", "[executor][memory]") {
  const Graph g = test::parse_or_throw(R"({"name": "big", "layers": [
      {"id": "x", "op": "zeros", "shape": [1024, 1024], "chunks": [512, 512]},
      {"id": "y", "op": "add", "inputs": ["x", 1]}]})");
  CpuExecutor ex;
  RunOptions o;
  o.memory_limit = 1 << 20;  // a chunk is 2 MiB
  try {
    ex.run(g, o);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("layer \"") != std::string::npos);
    CHECK(m.find("memory limit") != std::string::npos);
  }
}

TEST_CASE("a kernel error fails the run, names layer and chunk, and marks tasks", "[executor][failure]") {
  const Graph g = test::parse_or_throw(R"({"name": "bad", "layers": [
      {"id": "x", "op": "full", "shape": [40], "chunks": 10, "dtype": "int64", "value": 2},
      {"id": "p", "op": "power", "inputs": ["x", -1]},
      {"id": "s", "op": "sum", "input": "p"}]})");
  CpuExecutor ex;
  Recorder rec;
  RunOptions o;
  o.threads = 2;
  o.observer = &rec;
  const RunResult r = ex.run(g, o);
  CHECK(r.status == RunStatus::Failed);
  CHECK(r.error.find("layer \"p\"") != std::string::npos);
  CHECK(r.error.find("chunk") != std::string::npos);
  CHECK(r.failed_layer == g.find_layer("p"));
  const Trace t = rec.trace();
  CHECK(t.meta.status == "failed");
  int failed = 0, cancelled = 0;
  for (std::int64_t i = 0; i < t.tasks.size(); ++i) {
    failed += t.tasks.status[i] == 2;
    cancelled += t.tasks.status[i] == 3;
  }
  CHECK(failed >= 1);
  CHECK(cancelled >= 1);  // the final sum never runs
  CHECK(t.memory.live_bytes.back() == 0);
}

TEST_CASE("cancelling stops the run and keeps a consistent trace", "[executor][failure]") {
  const Graph g = test::parse_or_throw(kMixed);
  std::atomic<bool> cancel{true};
  CpuExecutor ex;
  Recorder rec;
  RunOptions o;
  o.cancel = &cancel;
  o.observer = &rec;
  const RunResult r = ex.run(g, o);
  CHECK(r.status == RunStatus::Cancelled);
  const Trace t = rec.trace();
  CHECK(t.meta.status == "cancelled");
  CHECK(t.memory.live_bytes.back() == 0);
}

TEST_CASE("cancelling inside a long task stops it at its next row", "[executor][failure]") {
  // One filter task of about 18 s (4 million elements, 64001 taps); cancelled 0.3 s in.
  const Graph g = test::parse_or_throw(R"({"name": "long", "layers": [
    {"id": "x", "op": "random", "shape": [4000000], "chunks": [4000000], "seed": 3},
    {"id": "g", "op": "gaussian_filter", "input": "x", "sigma": 8000}]})");
  std::atomic<bool> cancel{false};
  CpuExecutor ex;
  Recorder rec;
  // Ctrl-C 0.3 s after the filter task began (its output is charged to memory just before its
  // kernel runs), however loaded the machine is (TSan in CI): the recorder sees every event. The
  // filter's stage-1 halo gather runs first and ran to its end after a cancel: under ASan on a
  // loaded machine it took 0.35 s, so waiting from the first charge of layer g (the gather's)
  // cancelled the run before the filter started (ctest, 1 run in 4). The filter's charge is the
  // first after every gather task of g ended.
  struct FilterBegan : ExecutionObserver {
    Recorder& rec;
    const TaskGraph& tasks;
    int layer;
    int gathers = 0;  // g's tasks before its filter (stage != 0)
    std::atomic<int> gathers_ended{0};
    std::atomic<bool> began{false};
    FilterBegan(Recorder& r, const TaskGraph& t, int l) : rec(r), tasks(t), layer(l) {
      for (std::int64_t i = tasks.layer_begin(l); i < tasks.layer_end(l); ++i) gathers += tasks.stage(i) != 0;
    }
    void on_run_begin(const Graph& g, const RunInfo& i) override { rec.on_run_begin(g, i); }
    void on_task_end(int w, const TaskEvent& e) override {
      if (tasks.layer(e.task) == layer && tasks.stage(e.task) != 0) gathers_ended.fetch_add(1);
      rec.on_task_end(w, e);
    }
    void on_memory(int w, const MemoryEvent& e) override {
      if (e.layer == layer && e.delta > 0 && gathers_ended.load() >= gathers) began.store(true);
      rec.on_memory(w, e);
    }
    void on_transfer(int w, const TransferEvent& e) override { rec.on_transfer(w, e); }
    void on_run_end(std::int64_t wall, RunStatus st, const std::string& err) override { rec.on_run_end(wall, st, err); }
  } watch(rec, g.tasks(), g.find_layer("g"));
  RunOptions o;
  o.threads = 2;
  o.cancel = &cancel;
  o.observer = &watch;
  std::atomic<std::int64_t> cancelled_at{0};
  std::thread ctrl_c([&] {
    for (int i = 0; i < 12000 && !watch.began.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancelled_at.store(std::chrono::steady_clock::now().time_since_epoch().count());
    cancel.store(true);
  });
  const RunResult r = ex.run(g, o);
  const auto end = std::chrono::steady_clock::now().time_since_epoch().count();
  ctrl_c.join();
  const double seconds = static_cast<double>(end - cancelled_at.load()) * std::chrono::steady_clock::period::num /
                         std::chrono::steady_clock::period::den;
  CHECK(seconds < 3.0);  // from the cancel to the end of the run: a few ms; the margin is for a loaded machine
  CHECK(r.status == RunStatus::Cancelled);
  const Trace t = rec.trace();
  CHECK(t.meta.status == "cancelled");
  const int gl = g.find_layer("g");
  int cancelled_started = 0;
  for (std::int64_t i = 0; i < t.tasks.size(); ++i)
    if (t.tasks.layer[i] == gl && t.tasks.status[i] == 3 && t.tasks.worker[i] >= 0) ++cancelled_started;
  // The filter's task, running when the cancel came, is recorded as cancelled (not failed), and the
  // gather before it as done.
  CHECK(cancelled_started == 1);
  for (std::int64_t i = 0; i < t.tasks.size(); ++i)
    if (t.tasks.layer[i] == gl && t.tasks.status[i] == 3 && t.tasks.worker[i] >= 0) CHECK(t.tasks.stage[i] == 0);
  CHECK(t.memory.live_bytes.back() == 0);
}

TEST_CASE("priorities put a task's inputs right before it", "[executor]") {
  const Graph g = test::parse_or_throw(kMixed);
  const auto prio = memory_aware_priorities(g.tasks());
  const TaskGraph& tg = g.tasks();
  for (std::int64_t t = 0; t < tg.size(); ++t)
    for (auto d : tg.deps(t)) CHECK(prio[d] < prio[t]);
}
