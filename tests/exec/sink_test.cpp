// Sink kernels: to_npy and to_zarr write through temporaries; finalize_sinks moves them into
// place on success and removes them on failure.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/philox.hpp"
#include "chunkscope/exec/npy.hpp"
#include "chunkscope/exec/sink_finalize.hpp"
#include "chunkscope/exec/zarr.hpp"
#include "io_fixtures.hpp"
#include "serial_run.hpp"

using namespace chunkscope;
using namespace chunkscope::test;
namespace fs = std::filesystem;

namespace {

std::string random_to(const std::string& kind, const std::string& path, const std::string& chunks,
                      const std::string& dtype = "float64") {
  return R"({"name": "w", "layers": [{"id": "x", "op": "random", "shape": [37, 21], "chunks": )" + chunks +
         R"(, "dtype": ")" + dtype + R"(", "seed": 11}], "outputs": [{"id": "x", ")" + kind + R"(": ")" + path +
         R"("}]})";
}

std::vector<double> expected_random() {
  std::vector<double> v(37 * 21);
  for (size_t i = 0; i < v.size(); ++i) v[i] = philox_uniform_f64(i, 11);
  return v;
}

// The same graph with extra parameters on its sink layer (the pipeline format has no field for them).
Graph with_sink_params(const Graph& g, const nlohmann::json& params) {
  std::vector<Layer> layers = g.layers();
  for (Layer& l : layers)
    if (l.kind == OpKind::Sink) l.raw_params.update(params);
  return Graph::build(g.name(), layers, g.outputs());
}

}  // namespace

TEST_CASE("to_npy writes every chunk into one file, moved into place by finalize_sinks", "[sink][npy]") {
  TempDir dir;
  for (const char* chunks : {"[37, 21]", "[5, 4]", "[[1, 36], [20, 1]]", "[37, 1]"}) {
    INFO(chunks);
    fs::remove(dir / "out.npy");
    const Graph g = parse_with(random_to("to_npy", "out.npy", chunks), dir.path(), true);
    {
      SerialRun run(g);
      CHECK_FALSE(fs::exists(dir / "out.npy"));  // only the temporary exists before finalize
      CHECK(fs::exists(dir / ("out.npy.tmp-" + std::to_string(::getpid()))));
    }
    finalize_sinks(g, true);
    CHECK_FALSE(fs::exists(dir / ("out.npy.tmp-" + std::to_string(::getpid()))));
    NpyHeader h;
    const auto bytes = read_npy(dir / "out.npy", &h);
    CHECK(h.shape == Shape{37, 21});
    std::vector<double> got(37 * 21);
    std::memcpy(got.data(), bytes.data(), bytes.size());
    CHECK(got == expected_random());
  }
}

TEST_CASE("a failed run leaves the previous output intact and no temporaries", "[sink]") {
  TempDir dir;
  std::ofstream(dir / "out.npy") << "previous";
  fs::create_directories(dir / "out.zarr");
  std::ofstream(dir / "out.zarr/marker") << "previous";
  for (const char* kind : {"to_npy", "to_zarr"}) {
    const std::string path = std::string(kind) == "to_npy" ? "out.npy" : "out.zarr";
    const Graph g = parse_with(random_to(kind, path, "[10, 10]"), dir.path(), true);
    { SerialRun run(g); }
    finalize_sinks(g, false);
    CHECK_FALSE(fs::exists(dir / (path + ".tmp-" + std::to_string(::getpid()))));
  }
  std::string prev;
  std::getline(std::ifstream(dir / "out.npy"), prev);
  CHECK(prev == "previous");
  CHECK(fs::exists(dir / "out.zarr/marker"));
  // A successful run replaces both.
  for (const char* kind : {"to_npy", "to_zarr"}) {
    const std::string path = std::string(kind) == "to_npy" ? "out.npy" : "out.zarr";
    const Graph g = parse_with(random_to(kind, path, "[10, 10]"), dir.path(), true);
    { SerialRun run(g); }
    finalize_sinks(g, true);
  }
  CHECK(read_npy(dir / "out.npy").size() == 37 * 21 * 8);
  CHECK_FALSE(fs::exists(dir / "out.zarr/marker"));
  CHECK(fs::exists(dir / "out.zarr/.zarray"));
}

TEST_CASE("finalize_sinks on success without a written output reports it", "[sink]") {
  TempDir dir;
  const Graph g = parse_with(random_to("to_npy", "never.npy", "[10, 10]"), dir.path(), true);
  CHECK_THROWS_WITH(finalize_sinks(g, true), Catch::Contains(dir / "never.npy"));
}

TEST_CASE("to_zarr writes whole (padded) chunks that read back, raw and compressed", "[sink][zarr]") {
  TempDir dir;
  for (const char* comp : {"null", "\"zlib\"", "\"gzip\"", "\"blosc\""}) {
    INFO(comp);
    const Graph parsed = parse_with(random_to("to_zarr", "out.zarr", "[8, 5]"), dir.path(), true);
    const Graph g = with_sink_params(parsed, nlohmann::json::parse(std::string(R"({"compressor": )") + comp + "}"));
    { SerialRun run(g); }
    finalize_sinks(g, true);
    const ZarrMeta m = read_zarr_meta(dir / "out.zarr");
    CHECK(m.shape == Shape{37, 21});
    CHECK(m.chunk_shape == Shape{8, 5});
    CHECK(m.compressor == (std::string(comp) == "null"       ? ZarrCompressor::None
                           : std::string(comp) == "\"zlib\"" ? ZarrCompressor::Zlib
                           : std::string(comp) == "\"gzip\"" ? ZarrCompressor::Gzip
                                                             : ZarrCompressor::Blosc));
    if (m.compressor == ZarrCompressor::None) CHECK(fs::file_size(dir / "out.zarr/4.4") == 8 * 5 * 8);
    std::vector<double> got(37 * 21);
    const AxisSlice sel[] = {{0, 1, 37}, {0, 1, 21}};
    read_zarr_region(dir / "out.zarr", m, sel, reinterpret_cast<std::byte*>(got.data()));
    CHECK(got == expected_random());
    // And through a pipeline.
    const Graph back =
        parse_with(R"({"name": "b", "layers": [{"id": "a", "op": "from_zarr", "path": "out.zarr", "chunks": [7, 7]}]})",
                   dir.path(), true);
    CHECK(SerialRun(back).array<double>("a") == expected_random());
  }
}

TEST_CASE("NumPy reads what to_npy and to_zarr write", "[sink][npy][zarr]") {
  if (!have_numpy()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  TempDir dir;
  // Known int32 values, copied through a pipeline into a .npy and (transposed) into a Zarr array.
  std::vector<std::int32_t> v(29 * 13);
  std::iota(v.begin(), v.end(), -50);
  write_npy(dir / "in.npy", {29, 13}, DType::Int32, reinterpret_cast<const std::byte*>(v.data()));
  const Graph g = parse_with(R"({"name": "c", "layers": [
      {"id": "a", "op": "from_npy", "path": "in.npy", "chunks": [6, 5]},
      {"id": "t", "op": "transpose", "input": "a"}],
      "outputs": [{"id": "a", "to_npy": "a.npy"}, {"id": "t", "to_zarr": "t.zarr"}]})",
                             dir.path(), true);
  { SerialRun run(g); }
  finalize_sinks(g, true);
  CHECK(run_python(dir, R"(
import json, sys, zlib
import numpy as np
a = np.load("a.npy")
want = np.arange(-50, 29 * 13 - 50, dtype=np.int32).reshape(29, 13)
ok = a.dtype == np.int32 and a.shape == (29, 13) and (a == want).all()
meta = json.load(open("t.zarr/.zarray"))
ok = ok and meta["shape"] == [13, 29] and meta["chunks"] == [5, 6] and meta["dtype"] == "<i4" and meta["compressor"] is None
t = np.zeros((15, 30), dtype=np.int32)
for i in range(3):
    for j in range(5):
        t[i*5:(i+1)*5, j*6:(j+1)*6] = np.frombuffer(open(f"t.zarr/{i}.{j}", "rb").read(), dtype="<i4").reshape(5, 6)
ok = ok and (t[:13, :29] == want.T).all()
sys.exit(0 if ok else 1)
)") == 0);
}
