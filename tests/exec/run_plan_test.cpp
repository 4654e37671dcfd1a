// The run skeleton both executors share (exec/run_plan.hpp): a run refused after the sinks'
// prepare() leaves no temporaries and no folders it made; the fit check's messages; the result's
// status.
#include "chunkscope/exec/run_plan.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "io_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::test;
namespace fs = std::filesystem;

namespace {

// A 64 x 64 float64 array in 32 x 32 chunks (8 KiB each) written to `sink` at `path`.
Graph random_to(const TempDir& dir, const std::string& sink, const std::string& path) {
  return parse_with(
      R"({"name": "w", "layers": [{"id": "x", "op": "random", "shape": [64, 64], "chunks": [32, 32], "seed": 3},
    {"id": "y", "op": "sqrt", "input": "x"}], "outputs": [{"id": "y", ")" +
          sink + R"(": ")" + path + R"("}]})",
      dir.path(), true);
}

std::string tmp_of(const fs::path& p) { return p.string() + ".tmp-" + std::to_string(::getpid()); }

}  // namespace

TEST_CASE("a run refused after the sinks were prepared leaves no temporaries and no folders it made", "[run_plan]") {
  TempDir dir;
  for (const char* sink : {"to_npy", "to_zarr"}) {
    INFO(sink);
    const fs::path out = dir / "new/deeper/out.bin";
    const Graph g = random_to(dir, sink, "new/deeper/out.bin");
    // The executors' refusal path: the temporaries exist once the plan is made, then the fit check
    // (here the CUDA executor's device message) throws before any task runs.
    try {
      RunOutputs outputs(g);
      const RunPlan plan = plan_run(g);
      CHECK(fs::exists(tmp_of(out)));
      check_task_fits(g, 0, 64 << 10, plan.out_bytes[0], 1024, "device", "--device-memory-limit");
      FAIL("check_task_fits did not refuse");
    } catch (const InputError& e) {
      CHECK_THAT(
          e.what(),
          Catch::Contains(
              "layer \"x\", chunk 0: needs 64.0 KiB (output 8.00 KiB plus inputs) of device memory but the limit is "
              "1.00 KiB; use smaller chunks or a larger --device-memory-limit"));
    }
    CHECK_FALSE(fs::exists(tmp_of(out)));
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(dir / "new"));  // the folders made for the output went again
  }
}

TEST_CASE("the CPU executor refuses a task that can never fit and leaves nothing behind", "[run_plan]") {
  TempDir dir;
  const Graph g = random_to(dir, "to_npy", "sub/out.npy");
  CpuExecutor ex;
  RunOptions o;
  o.memory_limit = 4 << 10;  // a chunk is 8 KiB
  CHECK_THROWS_WITH(
      ex.run(g, o),
      Catch::Contains(
          "layer \"x\", chunk 0: needs 8.00 KiB (output 8.00 KiB plus inputs) but the memory limit is 4.00 KiB"));
  CHECK_FALSE(fs::exists(tmp_of(dir / "sub/out.npy")));
  CHECK_FALSE(fs::exists(dir / "sub"));
  // Without the limit the same graph runs and its output is moved into place.
  o.memory_limit = 0;
  CHECK(ex.run(g, o).ok());
  CHECK(fs::exists(dir / "sub/out.npy"));
  CHECK_FALSE(fs::exists(tmp_of(dir / "sub/out.npy")));
}

TEST_CASE("a committed run that failed removes the temporaries; an ok one moves them into place", "[run_plan]") {
  TempDir dir;
  const Graph g = random_to(dir, "to_npy", "out.npy");
  {
    RunOutputs outputs(g);
    const RunPlan plan = plan_run(g);
    RunStop stop;
    stop.fail(g, g.tasks().key(0), "disk on fire");
    RunResult r = make_run_result(stop, 1, g.tasks().size(), 5);
    CHECK(r.status == RunStatus::Failed);
    CHECK(r.failed_layer == 0);
    CHECK(r.error == "layer \"x\" (random), chunk 0 (chunk shape 32×32): disk on fire");
    outputs.commit(r);
  }
  CHECK_FALSE(fs::exists(tmp_of(dir / "out.npy")));
  CHECK_FALSE(fs::exists(dir / "out.npy"));
  // A sink whose tasks never ran cannot be moved into place: the ok result becomes failed.
  {
    RunOutputs outputs(g);
    RunResult r = make_run_result(RunStop{}, g.tasks().size(), g.tasks().size(), 5);
    CHECK(r.ok());
    outputs.commit(r);
    CHECK(r.status == RunStatus::Failed);
    CHECK_THAT(r.error, Catch::Contains("the output was not written"));
  }
}

TEST_CASE("make_run_result: failed before cancelled, cancelled when tasks are missing", "[run_plan]") {
  RunStop stop;
  stop.cancelled = true;
  CHECK(make_run_result(stop, 3, 10, 0).error == "cancelled after 3 of 10 tasks");
  CHECK(make_run_result(RunStop{}, 9, 10, 0).status == RunStatus::Cancelled);
  CHECK(make_run_result(RunStop{}, 10, 10, 0).ok());
  stop.error = "boom";
  CHECK(make_run_result(stop, 3, 10, 0).status == RunStatus::Failed);
}
