// The pipeline format (core/src/pipeline.cpp): parsing, defaults, and validation messages.
// Every rejection is one line `<file>: layer "<id>": field "<field>": <what>`.
#include <stdexcept>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"
#include "test_helpers.hpp"

using namespace chunkscope;
using namespace chunkscope::test;

namespace {

const char* kSrc = R"({"id": "a", "op": "random", "shape": [10, 10], "chunks": [5, 5]})";

/// Layers after a standard source "a" (10x10 float64 in 5x5 chunks).
std::string after_a(const std::string& more) { return pipeline(std::string("[") + kSrc + ", " + more + "]"); }

/// Checks that the pipeline is rejected with `test.json: layer "<layer>": field "<field>": ` and `what`.
void check_rejected(const std::string& text, const std::string& layer, const std::string& field,
                    const std::string& what, const PipelineOptions& options = {}) {
  const std::string e = parse_error(text, options);
  INFO("message: " << e);
  CHECK_THAT(e, Catch::StartsWith(located(layer, field)));
  CHECK_THAT(e, Catch::Contains(what));
  CHECK(e.find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("located_message builds the canonical one-line message", "[core][pipeline][error]") {
  CHECK(located_message("p.json", "blur", "sigma", "must be a number") ==
        "p.json: layer \"blur\": field \"sigma\": must be a number");
  CHECK(located_message("p.json", "", "layers", "x") == "p.json: field \"layers\": x");
  CHECK(located_message("p.json", "", "", "x") == "p.json: x");
  CHECK(located_message("", "l", "", "a\nb") == "layer \"l\": a b");
}

TEST_CASE("pipeline-level fields: name, description, groups, chunk_target", "[core][pipeline]") {
  const Graph g = parse_ok(R"({"name": "demo", "description": "one line", "format": "chunkscope", "version": 1,
    "chunk_target": "1MiB",
    "layers": [{"id": "a", "op": "zeros", "shape": [1000, 1000], "dtype": "float32", "group": "load/zeros", "name": "Zeros",
                "description": "a layer comment"}]})");
  CHECK(g.name() == "demo");
  CHECK(g.description() == "one line");
  const Layer& a = layer_of(g, "a");
  CHECK(a.group == "load/zeros");
  CHECK(a.name == "Zeros");
  CHECK(a.meta.chunks == Chunks{{500, 500}, {500, 500}});  // "auto" under a 1 MiB target
  CHECK(a.raw_params.contains("shape"));
  CHECK_FALSE(a.raw_params.contains("id"));

  SECTION("the name defaults to the file's stem, the layer name to its id") {
    Result<Graph> r =
        parse_pipeline_text(R"({"layers": [{"id": "a", "op": "ones", "shape": [3]}]})", "dir/my_pipe.json", "dir");
    REQUIRE(r.ok());
    CHECK(r->name() == "my_pipe");
    CHECK(r->layer(0).name == "a");
    CHECK(r->layer(0).group.empty());
  }
  SECTION("chunk_target as a number of bytes") {
    const Graph h = parse_ok(R"({"chunk_target": 4000, "layers": [{"id": "a", "op": "zeros", "shape": [1000]}]})");
    CHECK(layer_of(h, "a").meta.chunks[0].size() == 2);
  }
}

TEST_CASE("chunks: an int for all axes, -1 / null for a whole axis, lists, \"auto\"", "[core][pipeline][chunking]") {
  const Graph g = parse_ok(pipeline(R"([
    {"id": "a", "op": "zeros", "shape": [10, 7], "chunks": 4},
    {"id": "b", "op": "zeros", "shape": [10, 7], "chunks": [-1, 3]},
    {"id": "c", "op": "zeros", "shape": [10, 7], "chunks": [null, [2, 5]]},
    {"id": "d", "op": "zeros", "shape": [10, 7], "chunks": ["auto", 2]},
    {"id": "e", "op": "zeros", "shape": [10, 7], "chunks": "auto"},
    {"id": "f", "op": "zeros", "shape": [10, 7], "chunks": [[1, 2, 3, 4], -1]},
    {"id": "g", "op": "zeros", "shape": [10, 7], "chunks": [4.0, 7]}])"));
  CHECK(layer_of(g, "a").meta.chunks == Chunks{{4, 4, 2}, {4, 3}});
  CHECK(layer_of(g, "b").meta.chunks == Chunks{{10}, {3, 3, 1}});
  CHECK(layer_of(g, "c").meta.chunks == Chunks{{10}, {2, 5}});
  CHECK(layer_of(g, "d").meta.chunks == Chunks{{10}, {2, 2, 2, 1}});
  CHECK(layer_of(g, "e").meta.chunks == Chunks{{10}, {7}});
  CHECK(layer_of(g, "f").meta.chunks == Chunks{{1, 2, 3, 4}, {7}});
  CHECK(layer_of(g, "g").meta.chunks == Chunks{{4, 4, 2}, {7}});
}

TEST_CASE("from_npy / from_zarr: probe errors and missing file access name the path field", "[core][pipeline][error]") {
  const std::string text = pipeline(R"([{"id": "img", "op": "from_npy", "path": "missing.npy"}])");
  check_rejected(text, "img", "path", "cannot be read in this build");
  PipelineOptions opt;
  opt.probe_source = [](const Layer& l) -> PipelineOptions::SourceInfo {
    throw InputError(l.params.path + ": cannot open: No such file or directory");
  };
  check_rejected(text, "img", "path", "missing.npy: cannot open", opt);
  opt.probe_source = [](const Layer&) -> PipelineOptions::SourceInfo {
    throw std::runtime_error("read failed: Is a directory");
  };
  check_rejected(text, "img", "path", "read failed: Is a directory", opt);  // any exception, not only InputError
  opt.probe_source = [](const Layer&) { return PipelineOptions::SourceInfo{{10}, DType::UInt8, {}}; };
  check_rejected(pipeline(R"([{"id": "img", "op": "from_zarr", "path": "a.zarr", "chunks": [[3, 3]]}])"), "img",
                 "chunks", "sum to 6", opt);
}

TEST_CASE("from_zarr: the stored chunks are counted against the task cap before any list is made",
          "[core][pipeline][error]") {
  // A 150-byte .zarray with shape [4e8] and chunks [1]: refused in milliseconds (it took 6 GB and
  // 9 s of chunk lists; issue 14, item 3). The cap is the pipeline's max_tasks.
  const std::string text = pipeline(R"([{"id": "img", "op": "from_zarr", "path": "z.zarr"}])");
  PipelineOptions opt;
  opt.probe_source = [](const Layer&) {
    PipelineOptions::SourceInfo info{{400'000'000}, DType::Float64, {}};
    info.chunk_shape = {1};
    return info;
  };
  check_rejected(text, "img", "path",
                 "z.zarr: its stored chunks [1] split the array of shape [400000000] into more than 200000000 chunks",
                 opt);
  opt.max_tasks = 1000;
  opt.probe_source = [](const Layer&) {
    PipelineOptions::SourceInfo info{{100, 100}, DType::Float64, {}};
    info.chunk_shape = {1, 1};
    return info;
  };
  check_rejected(text, "img", "path", "more than 1000 chunks", opt);
  // Reading it in larger chunks is the way out.
  const auto g = parse_pipeline_text(pipeline(R"([{"id": "img", "op": "from_zarr", "path": "z.zarr", "chunks": 50}])"),
                                     "test.json", ".", opt);
  REQUIRE(g);
  CHECK(g->layer(0).meta.chunks == Chunks{{50, 50}, {50, 50}});
}

TEST_CASE("validation: more than 64 axes, and group paths deeper than 64 levels", "[core][pipeline][error]") {
  std::string shape = "[1";
  for (int a = 1; a < 65; ++a) shape += ", 1";
  shape += "]";
  check_rejected(pipeline(R"([{"id": "a", "op": "ones", "shape": )" + shape + R"(, "chunks": 1}])"), "a", "shape",
                 "has 65 axes; at most 64");
  std::string deep = "g";
  for (int i = 1; i < 100000; ++i) deep += "/g";
  check_rejected(pipeline(R"([{"id": "a", "op": "ones", "shape": [4], "chunks": 2, "group": ")" + deep + R"("}])"), "a",
                 "group", "has 100000 levels; at most 64");
}

// ------------------------------------------------------------------ one test per class of mistake

TEST_CASE("validation: unknown op", "[core][pipeline][error]") {
  check_rejected(after_a(R"({"id": "b", "op": "blur", "input": "a"})"), "b", "op", "unknown op \"blur\"");
  check_rejected(after_a(R"({"id": "b", "op": "to_npy", "input": "a"})"), "b", "op", "unknown op \"to_npy\"");
  check_rejected(after_a(R"({"id": "b", "input": "a"})"), "b", "op", "is missing");
}

TEST_CASE("validation: unknown field", "[core][pipeline][error]") {
  check_rejected(after_a(R"({"id": "b", "op": "sum", "input": "a", "sigma": 2})"), "b", "sigma",
                 "is not a field of op \"sum\"");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [4], "value": 1}])"), "a", "value",
                 "is not a field of op \"random\"");
  check_rejected(after_a(R"({"id": "b", "op": "add", "input": "a"})"), "b", "input", "is not a field of op \"add\"");
  // Top-level and output fields.
  const std::string e = parse_error(R"({"layers": [{"id": "a", "op": "ones", "shape": [3]}], "outptus": []})");
  CHECK_THAT(e, Catch::StartsWith("test.json: field \"outptus\": is not a known field"));
  check_rejected(
      pipeline(R"([{"id": "a", "op": "ones", "shape": [3]}])", R"("outputs": [{"id": "a", "to_csv": "a.csv"}])"), "a",
      "to_csv", "is not a known field");
}

TEST_CASE("validation: missing input", "[core][pipeline][error]") {
  check_rejected(after_a(R"({"id": "b", "op": "sum"})"), "b", "input", "is missing");
  check_rejected(after_a(R"({"id": "b", "op": "sqrt", "input": "nope"})"), "b", "input", "refers to \"nope\"");
  check_rejected(after_a(R"({"id": "b", "op": "add", "inputs": ["a", "nope"]})"), "b", "inputs", "refers to \"nope\"");
  check_rejected(after_a(R"({"id": "b", "op": "matmul", "inputs": ["nope", "a"]})"), "b", "inputs",
                 "refers to \"nope\"");
  check_rejected(after_a(R"({"id": "b", "op": "concatenate", "inputs": ["a", "nope"]})"), "b", "inputs",
                 "refers to \"nope\"");
  check_rejected(pipeline(R"([{"id": "a", "op": "ones", "shape": [3]}])", R"("outputs": [{"id": "nope"}])"), "nope",
                 "id", "does not exist");
}

TEST_CASE("validation: an input defined later, or the layer itself (cycles)", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([
    {"id": "b", "op": "sqrt", "input": "a"},
    {"id": "a", "op": "ones", "shape": [3]}])"),
                 "b", "input", "not a layer defined before this one");
  check_rejected(pipeline(R"([
    {"id": "a", "op": "ones", "shape": [3]},
    {"id": "b", "op": "add", "inputs": ["a", "c"]},
    {"id": "c", "op": "add", "inputs": ["a", "b"]}])"),
                 "b", "inputs", "not a layer defined before this one");
  check_rejected(after_a(R"({"id": "b", "op": "sqrt", "input": "b"})"), "b", "input", "a cycle");
  check_rejected(after_a(R"({"id": "b", "op": "add", "inputs": ["a", "b"]})"), "b", "inputs", "a cycle");
  check_rejected(after_a(R"({"id": "a", "op": "sqrt", "input": "a"})"), "a", "id", "is used by two layers");
}

TEST_CASE("validation: shape mismatch", "[core][pipeline][error]") {
  const std::string b = R"({"id": "b", "op": "random", "shape": [10, 12], "chunks": [5, 6]}, )";
  check_rejected(after_a(b + R"({"id": "c", "op": "add", "inputs": ["a", "b"]})"), "c", "inputs", "shape mismatch");
  check_rejected(after_a(b + R"({"id": "c", "op": "where", "inputs": ["a", "b", 1]})"), "c", "inputs",
                 "shape mismatch");
  check_rejected(after_a(b + R"({"id": "c", "op": "matmul", "inputs": ["b", "a"]})"), "c", "inputs",
                 "inner sizes 12 and 10 differ");
  check_rejected(after_a(b + R"({"id": "c", "op": "concatenate", "inputs": ["a", "b"], "axis": 0})"), "c", "inputs",
                 "shape mismatch on axis 1");
  check_rejected(
      after_a(R"({"id": "v", "op": "random", "shape": [10]}, {"id": "c", "op": "concatenate", "inputs": ["a", "v"]})"),
      "c", "inputs", "has 1 axes, expected 2");
  check_rejected(
      after_a(R"({"id": "v", "op": "random", "shape": [10]}, {"id": "c", "op": "matmul", "inputs": ["a", "v"]})"), "c",
      "inputs", "two 2-d arrays");
  check_rejected(after_a(R"({"id": "c", "op": "transpose", "input": "a", "axes": [0, 0]})"), "c", "axes",
                 "permutation");
  check_rejected(after_a(R"({"id": "c", "op": "transpose", "input": "a", "axes": [1, 0, 2]})"), "c", "axes",
                 "permutation");
  check_rejected(after_a(R"({"id": "c", "op": "sum", "input": "a", "axis": 2})"), "c", "axis", "out of range");
  check_rejected(after_a(R"({"id": "c", "op": "sum", "input": "a", "axis": [1, -1]})"), "c", "axis", "twice");
  check_rejected(after_a(R"({"id": "c", "op": "concatenate", "inputs": ["a"], "axis": 5})"), "c", "axis",
                 "out of range");
  check_rejected(after_a(R"({"id": "c", "op": "slice", "input": "a", "slices": [null, null, null]})"), "c", "slices",
                 "has 3 entries");
  check_rejected(after_a(R"({"id": "c", "op": "gaussian_filter", "input": "a", "sigma": [1, 1, 1]})"), "c", "sigma",
                 "has 3 entries");
  check_rejected(after_a(R"({"id": "c", "op": "uniform_filter", "input": "a", "size": [3]})"), "c", "size",
                 "has 1 entries");
}

TEST_CASE("validation: chunks that do not fit the shape", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [10], "chunks": [[4, 4]]}])"), "a", "chunks",
                 "sum to 8 but the axis has length 10");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [10, 10], "chunks": [5, [5, 6]]}])"), "a", "chunks",
                 "axis 1: chunk sizes sum to 11");
  check_rejected(after_a(R"({"id": "r", "op": "rechunk", "input": "a", "chunks": [[3, 3], 5]})"), "r", "chunks",
                 "sum to 6");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [10, 10], "chunks": [5, 5, 5]}])"), "a", "chunks",
                 "has 3 entries but the array has 2 axes");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [10], "chunks": ["big"]}])"), "a", "chunks",
                 "\"auto\"");
  check_rejected(after_a(R"({"id": "r", "op": "rechunk", "input": "a"})"), "r", "chunks", "is missing");
}

TEST_CASE("validation: zero or negative sizes", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [10, 0]}])"), "a", "shape", "axis 1 has size 0");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [-5]}])"), "a", "shape", "sizes must be positive");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": []}])"), "a", "shape", "at least one axis");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [10], "chunks": 0}])"), "a", "chunks",
                 "must be positive");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [10], "chunks": [-2]}])"), "a", "chunks",
                 "must be positive");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [10], "chunks": [[5, 0, 5]]}])"), "a", "chunks",
                 "must be positive");
  check_rejected(after_a(R"({"id": "s", "op": "sum", "input": "a", "split_every": 1})"), "s", "split_every",
                 "at least 2");
  check_rejected(after_a(R"({"id": "s", "op": "uniform_filter", "input": "a", "size": 0})"), "s", "size",
                 "between 1 and");
  check_rejected(after_a(R"({"id": "s", "op": "gaussian_filter", "input": "a", "sigma": -1})"), "s", "sigma",
                 "non-negative");
  check_rejected(after_a(R"({"id": "s", "op": "gaussian_filter", "input": "a", "sigma": 1, "truncate": 0})"), "s",
                 "truncate", "positive");
  check_rejected(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": [[0, 10, 0]]})"), "s", "slices",
                 "step must not be zero");
  check_rejected(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": [[5, 5]]})"), "s", "slices",
                 "selects no elements");
  check_rejected(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": [[2, 8, -1]]})"), "s", "slices",
                 "selects no elements");
  check_rejected(after_a(R"({"id": "s", "op": "var", "input": "a", "ddof": -1})"), "s", "ddof", "non-negative");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [4], "seed": -1}])"), "a", "seed", "non-negative");
}

TEST_CASE("validation: overflowing sizes", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [1099511627776, 1099511627776]}])"), "a", "shape",
                 "too large");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [9223372036854775807]}])"), "a", "shape",
                 "too large");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [18446744073709551615]}])"), "a", "shape",
                 "too large");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [10], "chunks": [18446744073709551615]}])"), "a",
                 "chunks", "must be an integer");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [1e300]}])"), "a", "shape", "must be an integer");
  check_rejected(after_a(R"({"id": "s", "op": "sum", "input": "a", "split_every": 99999999999})"), "s", "split_every",
                 "too large");
  check_rejected(after_a(R"({"id": "s", "op": "uniform_filter", "input": "a", "size": 2000000})"), "s", "size",
                 "between 1 and");
  check_rejected(after_a(R"({"id": "s", "op": "gaussian_filter", "input": "a", "sigma": 1000})"), "s", "sigma",
                 "far past");
  // Too many chunks for the task graph, along one axis (refused before allocating) or in all.
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [1099511627776], "chunks": 1}])"), "a", "chunks",
                 "1099511627776 chunks, more than 200000000; use larger chunks");
  check_rejected(R"({"chunk_target": 1, "layers": [{"id": "a", "op": "zeros", "shape": [1099511627776]}]})", "a",
                 "chunks", "use larger chunks");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [100000, 100000], "chunks": [1, 1]}])"), "a",
                 "chunks", "chunks; use larger chunks");
}

TEST_CASE("validation: huge slice steps select one element without overflowing", "[core][pipeline]") {
  const Graph g =
      parse_ok(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": [[1, null, 9223372036854775807],
                                                                                    [8, null, -9223372036854775807]]})"));
  CHECK(layer_of(g, "s").meta.shape == Shape{1, 1});
  CHECK(layer_of(g, "s").params.slices[0].start == 1);
  CHECK(layer_of(g, "s").params.slices[1].start == 8);
}

TEST_CASE("slices of a huge virtual array are planned per chunk, not per element", "[core][pipeline]") {
  const Graph g = parse_ok(pipeline(R"([
    {"id": "a", "op": "zeros", "shape": [4000000000000], "chunks": [1000000000000]},
    {"id": "b", "op": "negative", "input": "a"},
    {"id": "s", "op": "slice", "input": "b", "slices": [[1, null, 1]]},
    {"id": "r", "op": "slice", "input": "b", "slices": [[null, null, -3]]}])"));
  CHECK(layer_of(g, "s").meta.chunks == Chunks{{999999999999, 1000000000000, 1000000000000, 1000000000000}});
  // 3999999999999, 3999999999996, ... down to 0: 1333333333334 elements.
  CHECK(layer_of(g, "r").meta.shape == Shape{1333333333334});
  CHECK(layer_of(g, "r").meta.chunks == Chunks{{333333333334, 333333333333, 333333333333, 333333333334}});
  CHECK(deps_of(g, "r", 0, 0) == std::vector<Key>{{"b", 0, 3}});
}

TEST_CASE("validation: bad dtype", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [4], "dtype": "float8"}])"), "a", "dtype",
                 "unknown dtype \"float8\" (use bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, "
                 "float16, float32 or float64)");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [4], "dtype": "float16"}])"), "a", "dtype",
                 "float32 or float64");
  check_rejected(after_a(R"({"id": "t", "op": "astype", "input": "a", "dtype": "complex64"})"), "t", "dtype",
                 "complex dtypes are not supported");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [4], "dtype": 8}])"), "a", "dtype",
                 "must be a string");
  check_rejected(pipeline(R"([{"id": "a", "op": "random", "shape": [4], "dtype": "int32"}])"), "a", "dtype",
                 "float32 or float64");
  check_rejected(after_a(R"({"id": "t", "op": "astype", "input": "a", "dtype": "complex128"})"), "t", "dtype",
                 "complex dtypes are not supported: chunkscope cannot match NumPy's complex semantics");
  check_rejected(after_a(R"({"id": "t", "op": "astype", "input": "a"})"), "t", "dtype", "is missing");
  const std::string m = R"({"id": "m", "op": "greater", "inputs": ["a", 0.5]}, )";
  check_rejected(after_a(m + R"({"id": "n", "op": "negative", "input": "m"})"), "n", "input", "negative of a bool");
  check_rejected(after_a(m + R"({"id": "n", "op": "subtract", "inputs": ["m", "m"]})"), "n", "inputs",
                 "subtract of bool");
  check_rejected(after_a(m + R"({"id": "n", "op": "gaussian_filter", "input": "m", "sigma": 1})"), "n", "input",
                 "is bool");
}

TEST_CASE("validation: integer scalars must fit an integer array's dtype (NEP 50)", "[core][pipeline][error][dtype]") {
  const std::string u8 = R"({"id": "u", "op": "ones", "shape": [4], "dtype": "uint8"}, )";
  check_rejected(pipeline("[" + u8 + R"({"id": "s", "op": "add", "inputs": ["u", 300]}])"), "s", "inputs",
                 "the number 300 does not fit uint8");
  check_rejected(pipeline("[" + u8 + R"({"id": "s", "op": "multiply", "inputs": [-1, "u"]}])"), "s", "inputs",
                 "does not fit uint8");
  const Graph g = parse_ok(pipeline("[" + u8 + R"(
    {"id": "ok", "op": "add", "inputs": ["u", 255]},
    {"id": "cmp", "op": "greater", "inputs": ["u", 300]},
    {"id": "f", "op": "add", "inputs": ["u", 300.5]},
    {"id": "b", "op": "greater", "inputs": ["u", 1]},
    {"id": "bi", "op": "add", "inputs": ["b", 300]}])"));
  CHECK(layer_of(g, "ok").meta.dtype == DType::UInt8);
  CHECK(layer_of(g, "cmp").meta.dtype == DType::Bool);   // comparisons accept any Python int
  CHECK(layer_of(g, "f").meta.dtype == DType::Float64);  // a float scalar is not cast to uint8
  CHECK(layer_of(g, "bi").meta.dtype == DType::Int64);   // bool + int -> int64
}

TEST_CASE("validation: invalid JSON gives the line and column", "[core][pipeline][error]") {
  const std::string text = "{\n  \"name\": \"t\",\n  \"layers\": [,]\n}\n";
  const std::string e = parse_error(text);
  INFO(e);
  CHECK_THAT(e, Catch::StartsWith("test.json:3:14: invalid JSON: syntax error"));
  CHECK(e.find('\n') == std::string::npos);
  CHECK_THAT(parse_error("{\"layers\": [}"), Catch::StartsWith("test.json:1:13: invalid JSON"));
  CHECK_THAT(parse_error(""), Catch::StartsWith("test.json:1:1: invalid JSON"));
  CHECK_THAT(parse_error("[1, 2]"), Catch::StartsWith("test.json: a pipeline must be a JSON object"));
}

TEST_CASE("validation: wrong types", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": "big"}])"), "a", "shape",
                 "must be a list of integers, got string");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [4.5]}])"), "a", "shape",
                 "must be an integer, got 4.5");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [4], "chunks": {"x": 1}}])"), "a", "chunks",
                 "got object");
  check_rejected(pipeline(R"([{"id": "a", "op": "full", "shape": [4], "value": "one"}])"), "a", "value",
                 "must be a number");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [4], "group": 3}])"), "a", "group",
                 "must be a string");
  check_rejected(after_a(R"({"id": "s", "op": "gaussian_filter", "input": "a", "sigma": "wide"})"), "s", "sigma",
                 "must be a number");
  check_rejected(after_a(R"({"id": "s", "op": "gaussian_filter", "input": "a", "sigma": 1, "mode": "mirror"})"), "s",
                 "mode", "unknown mode \"mirror\"");
  check_rejected(after_a(R"({"id": "s", "op": "sum", "input": "a", "keepdims": "yes"})"), "s", "keepdims",
                 "true or false");
  check_rejected(after_a(R"({"id": "s", "op": "sum", "input": "a", "axis": "rows"})"), "s", "axis",
                 "must be an integer");
  check_rejected(after_a(R"({"id": "s", "op": "sqrt", "input": 3})"), "s", "input", "must name a layer id");
  check_rejected(after_a(R"({"id": "s", "op": "sqrt", "input": ["a"]})"), "s", "input", "must name a layer id");
  check_rejected(after_a(R"({"id": "s", "op": "add", "inputs": "a"})"), "s", "inputs", "must be a list of 2");
  check_rejected(after_a(R"({"id": "s", "op": "add", "inputs": ["a", "a", "a"]})"), "s", "inputs",
                 "must be a list of 2");
  check_rejected(after_a(R"({"id": "s", "op": "add", "inputs": [1, 2]})"), "s", "inputs", "at least one array input");
  check_rejected(after_a(R"({"id": "s", "op": "add", "inputs": ["a", true]})"), "s", "inputs", "must name a layer id");
  check_rejected(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": [[0, "end"]]})"), "s", "slices",
                 "must be an integer");
  check_rejected(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": 3})"), "s", "slices", "must be a list");
  check_rejected(after_a(R"({"id": "s", "op": "slice", "input": "a", "slices": [[0, 1, 1, 1]]})"), "s", "slices",
                 "[start, stop, step]");
  check_rejected(after_a(R"({"id": "s", "op": "matmul", "inputs": ["a"]})"), "s", "inputs", "two array ids");
  check_rejected(after_a(R"({"id": "s", "op": "concatenate", "inputs": []})"), "s", "inputs", "non-empty list");
  check_rejected(after_a(R"({"id": "", "op": "sqrt", "input": "a"})"), "#1", "id", "must not be empty");
  check_rejected(after_a(R"({"id": 7, "op": "sqrt", "input": "a"})"), "#1", "id", "must be a string");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [4]}])",
                          R"("outputs": [{"id": "a", "to_npy": "a.npy", "to_zarr": "a.zarr"}])"),
                 "a", "to_zarr", "not both");
  check_rejected(pipeline(R"([{"id": "a", "op": "zeros", "shape": [10], "chunks": [[3, 7]]}])",
                          R"("outputs": [{"id": "a", "to_zarr": "a.zarr"}])"),
                 "a", "to_zarr", "regular chunks");
  // Errors outside any layer name the file and the field only.
  CHECK_THAT(parse_error(R"({"layers": []})"),
             Catch::StartsWith("test.json: field \"layers\": must be a non-empty list"));
  CHECK_THAT(parse_error(R"({"layers": {}})"),
             Catch::StartsWith("test.json: field \"layers\": must be a non-empty list"));
  CHECK_THAT(parse_error(R"({"name": "x"})"), Catch::StartsWith("test.json: field \"layers\": is missing"));
  CHECK_THAT(parse_error(R"({"layers": [{"id": "a", "op": "ones", "shape": [3]}], "chunk_target": "lots"})"),
             Catch::StartsWith("test.json: field \"chunk_target\": must be a positive size"));
  CHECK_THAT(parse_error(R"({"layers": [{"id": "a", "op": "ones", "shape": [3]}], "outputs": {}})"),
             Catch::StartsWith("test.json: field \"outputs\": must be a list"));
  CHECK_THAT(parse_error(R"({"layers": [{"id": "a", "op": "ones", "shape": [3]}, 5]})"),
             Catch::StartsWith("test.json: layer \"#1\": each layer must be an object"));
}

TEST_CASE("validation: an output naming an inserted layer is rejected", "[core][pipeline][error]") {
  check_rejected(pipeline(R"([
    {"id": "a", "op": "random", "shape": [10], "chunks": 5},
    {"id": "b", "op": "random", "shape": [10], "chunks": 3},
    {"id": "c", "op": "add", "inputs": ["a", "b"]}])",
                          R"("outputs": [{"id": "a>c"}])"),
                 "a>c", "id", "does not exist");
}

TEST_CASE("an operand used twice that needs unifying is rechunked once", "[core][pipeline][unify]") {
  const Graph g = parse_ok(pipeline(R"([
    {"id": "x", "op": "random", "shape": [10], "chunks": 5},
    {"id": "y", "op": "random", "shape": [10], "chunks": 3},
    {"id": "m", "op": "greater", "inputs": ["x", 0.5]},
    {"id": "w", "op": "where", "inputs": ["m", "y", "m"]}])"));
  const int u = layer_index(g, "m>w");
  CHECK(g.layer(u).inserted);
  const Layer& w = layer_of(g, "w");
  CHECK(w.inputs[0] == u);
  CHECK(w.inputs[2] == u);
  CHECK(w.params.operands[0].layer == u);
  CHECK(w.params.operands[2].layer == u);
}
