// output_paths: what a run may write, checked before anything runs (exec/output_paths.hpp).
#include "chunkscope/exec/output_paths.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "io_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::test;
namespace fs = std::filesystem;

namespace {

Graph with_outputs(const TempDir& dir, const std::string& outputs) {
  return parse_with(R"({"name": "p", "layers": [{"id": "x", "op": "ones", "shape": [6, 4], "chunks": 3},
                                             {"id": "y", "op": "zeros", "shape": [6, 4], "chunks": 3}], "outputs": )" +
                        outputs + "}",
                    dir.path(), false);
}

}  // namespace

TEST_CASE("the executor refuses a to_zarr onto a folder that is not a Zarr array, touching nothing", "[output_paths]") {
  TempDir dir;
  fs::create_directories(dir / "mydocs");
  std::ofstream(dir / "mydocs/thesis.txt") << "years of work";
  const Graph g = with_outputs(dir, R"([{"id": "x", "to_zarr": "mydocs"}])");
  CpuExecutor ex;
  CHECK_THROWS_AS(ex.run(g, {}), InputError);
  CHECK_THROWS_WITH(check_run_paths(g), Catch::Contains("not a Zarr array") && Catch::Contains("mydocs"));
  CHECK(fs::exists(dir / "mydocs/thesis.txt"));
}

TEST_CASE("a Zarr array may be replaced; a group may not", "[output_paths]") {
  TempDir dir;
  const Graph g = with_outputs(dir, R"([{"id": "x", "to_zarr": "a.zarr"}])");
  CpuExecutor ex;
  REQUIRE(ex.run(g, {}).ok());
  CHECK_NOTHROW(check_run_paths(g));  // its own earlier output
  REQUIRE(ex.run(g, {}).ok());
  std::ofstream(dir / "a.zarr/.zgroup") << "{}";
  CHECK_THROWS_WITH(check_run_paths(g), Catch::Contains(".zgroup"));
}

TEST_CASE("two outputs on one file are refused, however the path is written", "[output_paths]") {
  TempDir dir;
  fs::create_directories(dir / "real");
  fs::create_directory_symlink("real", dir / "alias");
  CHECK_THROWS_WITH(
      check_run_paths(with_outputs(dir, R"([{"id": "x", "to_npy": "a.npy"}, {"id": "y", "to_npy": "./a.npy"}])")),
      Catch::Contains("write the same file"));
  CHECK_THROWS_WITH(check_run_paths(with_outputs(
                        dir, R"([{"id": "x", "to_npy": "real/a.npy"}, {"id": "y", "to_npy": "alias/a.npy"}])")),
                    Catch::Contains("write the same file"));
  CHECK_THROWS_WITH(check_run_paths(with_outputs(
                        dir, R"([{"id": "x", "to_zarr": "z.zarr"}, {"id": "y", "to_npy": "z.zarr/in.npy"}])")),
                    Catch::Contains("inside"));
  const Graph ok = with_outputs(dir, R"([{"id": "x", "to_npy": "a.npy"}])");
  CHECK_THROWS_WITH(check_run_paths(ok, {.trace = dir / "t.json", .html = dir / "./t.json"}),
                    Catch::Contains("write the same file"));
  CHECK_THROWS_WITH(check_run_paths(ok, {.pipeline = dir / "p.json", .trace = dir / "real/../p.json"}),
                    Catch::Contains("the pipeline"));
  CHECK_NOTHROW(check_run_paths(ok, {.pipeline = dir / "p.json", .trace = dir / "t.json", .html = dir / "t.html"}));
}

TEST_CASE("check_file_output allows standard output and refuses the file being read", "[output_paths]") {
  TempDir dir;
  std::ofstream(dir / "t.json") << "{}";
  CHECK_NOTHROW(check_file_output("-", "-o", {{dir / "t.json", "the trace read"}}));
  CHECK_THROWS_WITH(check_file_output(dir / "./t.json", "-o", {{dir / "t.json", "the trace read"}}),
                    Catch::Contains("the trace read"));
  CHECK_THROWS_WITH(check_file_output("", "-o", {}), Catch::Contains("empty"));
}

TEST_CASE("a refused run removes the output folders it created", "[output_paths]") {
  TempDir dir;
  const Graph g = with_outputs(dir, R"([{"id": "x", "to_npy": "new/deep/x.npy"}])");
  CpuExecutor ex;
  RunOptions o;
  o.memory_limit = 16;  // a 3x3 float64 chunk needs 72 bytes: refused before any task
  CHECK_THROWS_AS(ex.run(g, o), InputError);
  CHECK_FALSE(fs::exists(dir / "new"));
  REQUIRE(ex.run(g, {}).ok());
  CHECK(fs::exists(dir / "new/deep/x.npy"));
}
