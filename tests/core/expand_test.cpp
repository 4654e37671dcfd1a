// Task expansion of every op (core/src/graph.cpp with the plans of core/src/plans.cpp): task
// counts per stage and the input chunk keys of each task, for pipelines parsed from inline JSON.
#include <catch2/catch.hpp>

#include "chunkscope/core/describe.hpp"
#include "chunkscope/core/ops.hpp"
#include "graph_checks.hpp"
#include "test_helpers.hpp"

using namespace chunkscope;
using namespace chunkscope::test;
using Keys = std::vector<Key>;

namespace {
const PipelineOptions kNoPush{.probe_source = {}, .push_into_sources = false};

Graph parse_checked(const std::string& text, const PipelineOptions& options = {}) {
  Graph g = parse_ok(text, options);
  check_task_graph(g);
  return g;
}
}  // namespace

// ------------------------------------------------------------------ sources

TEST_CASE("sources: one task per chunk, no inputs", "[core][expand][source]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "r", "op": "random", "shape": [10, 7], "chunks": [4, 4], "seed": 3},
    {"id": "z", "op": "zeros", "shape": [10, 7], "chunks": [5, -1], "dtype": "int32"},
    {"id": "o", "op": "ones", "shape": [10, 7], "chunks": [[2, 8], [3, 4]], "dtype": "uint8"},
    {"id": "f", "op": "full", "shape": [10, 7], "value": 2.5}])"));
  CHECK(task_count(g, "r") == 6);
  CHECK(task_count(g, "z") == 2);
  CHECK(task_count(g, "o") == 4);
  CHECK(task_count(g, "f") == 1);  // "auto": a small array is one chunk
  for (const char* id : {"r", "z", "o", "f"}) {
    CHECK(stage_count(g, id, 0) == task_count(g, id));
    for (std::int64_t c = 0; c < task_count(g, id); ++c) CHECK(deps_of(g, id, 0, c).empty());
  }
  CHECK(layer_of(g, "r").params.seed == 3);
  CHECK(layer_of(g, "f").params.value == 2.5);
  CHECK(layer_of(g, "z").meta.dtype == DType::Int32);
  CHECK(layer_of(g, "r").meta.dtype == DType::Float64);
}

TEST_CASE("from_npy / from_zarr sources learn shape, dtype and chunks through probe_source", "[core][expand][source]") {
  PipelineOptions opt;
  std::vector<std::string> probed;
  opt.probe_source = [&](const Layer& l) {
    probed.push_back(l.params.path);
    PipelineOptions::SourceInfo info{{20, 30}, DType::UInt16, {}};
    if (l.op == Op::FromZarr) info.chunks = {{10, 10}, {30}};
    return info;
  };
  const std::string text = pipeline(R"([
    {"id": "n", "op": "from_npy", "path": "stack.npy", "chunks": [5, 10]},
    {"id": "n2", "op": "from_npy", "path": "/abs/stack.npy"},
    {"id": "z", "op": "from_zarr", "path": "arr.zarr"},
    {"id": "zc", "op": "from_zarr", "path": "arr.zarr", "chunks": [20, 15]}])");
  Result<Graph> r = parse_pipeline_text(text, "dir/p.json", "dir", opt);
  INFO(r.error());
  REQUIRE(r.ok());
  const Graph& g = *r;
  check_task_graph(g);
  CHECK(probed == std::vector<std::string>{"dir/stack.npy", "/abs/stack.npy", "dir/arr.zarr", "dir/arr.zarr"});
  CHECK(layer_of(g, "n").meta.shape == Shape{20, 30});
  CHECK(layer_of(g, "n").meta.dtype == DType::UInt16);
  CHECK(task_count(g, "n") == 12);
  CHECK(task_count(g, "n2") == 1);  // "auto"
  CHECK(layer_of(g, "z").meta.chunks == Chunks{{10, 10}, {30}});
  CHECK(task_count(g, "z") == 2);
  CHECK(task_count(g, "zc") == 2);
  CHECK(layer_of(g, "zc").meta.chunks == Chunks{{20}, {15, 15}});
}

// ------------------------------------------------------------------ element-wise

TEST_CASE("element-wise binary ops: one task per chunk reading the same chunk of each array",
          "[core][expand][elementwise]") {
  const char* names[] = {"add",     "subtract", "multiply",      "divide", "power",      "maximum",
                         "minimum", "greater",  "greater_equal", "less",   "less_equal", "equal"};
  for (const char* name : names) {
    INFO(name);
    const Graph g = parse_checked(pipeline(std::string(R"([
      {"id": "a", "op": "random", "shape": [8, 6], "chunks": [4, 3]},
      {"id": "b", "op": "ones", "shape": [8, 6], "chunks": [4, 3], "dtype": "int32"},
      {"id": "c", "op": ")") + name + R"(", "inputs": ["a", "b"]},
      {"id": "d", "op": ")" + name + R"(", "inputs": ["b", 2]},
      {"id": "e", "op": ")" + name + R"(", "inputs": [0.5, "b"]}])"));
    CHECK(task_count(g, "c") == 4);
    for (std::int64_t k = 0; k < 4; ++k) {
      CHECK(deps_of(g, "c", 0, k) == Keys{{"a", 0, k}, {"b", 0, k}});
      CHECK(deps_of(g, "d", 0, k) == Keys{{"b", 0, k}});
      CHECK(deps_of(g, "e", 0, k) == Keys{{"b", 0, k}});
    }
    const auto& ops = layer_of(g, "e").params.operands;
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].is_scalar());
    CHECK(ops[0].scalar == 0.5);
    CHECK_FALSE(ops[0].scalar_is_integral);
    CHECK(ops[1].layer == g.find_layer("b"));
    CHECK(layer_of(g, "d").params.operands[1].scalar_is_integral);
    const bool cmp = is_comparison(*parse_op(name));
    const bool div = std::string(name) == "divide";
    CHECK(layer_of(g, "c").meta.dtype == (cmp ? DType::Bool : DType::Float64));  // float64 with int32
    CHECK(layer_of(g, "d").meta.dtype == (cmp ? DType::Bool : div ? DType::Float64 : DType::Int32));  // int32 with 2
    CHECK(layer_of(g, "e").meta.dtype == (cmp ? DType::Bool : DType::Float64));                       // int32 with 0.5
  }
}

TEST_CASE("where: three inputs, the condition does not take part in the dtype", "[core][expand][elementwise]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "random", "shape": [8], "chunks": [4], "dtype": "float32"},
    {"id": "m", "op": "greater", "inputs": ["a", 0.5]},
    {"id": "w", "op": "where", "inputs": ["m", "a", 0]},
    {"id": "w2", "op": "where", "inputs": ["m", 1, 2]},
    {"id": "w3", "op": "where", "inputs": ["m", "a", "m"]}])"));
  CHECK(task_count(g, "w") == 2);
  CHECK(deps_of(g, "w", 0, 1) == Keys{{"m", 0, 1}, {"a", 0, 1}});
  CHECK(deps_of(g, "w2", 0, 0) == Keys{{"m", 0, 0}});
  CHECK(deps_of(g, "w3", 0, 1) == Keys{{"m", 0, 1}, {"a", 0, 1}, {"m", 0, 1}});
  CHECK(layer_of(g, "w").meta.dtype == DType::Float32);   // np.where(m, float32, 0)
  CHECK(layer_of(g, "w2").meta.dtype == DType::Int64);    // np.where(m, 1, 2)
  CHECK(layer_of(g, "w3").meta.dtype == DType::Float32);  // np.where(m, float32, bool)
}

TEST_CASE("unary ops: one task per chunk reading the same chunk", "[core][expand][elementwise]") {
  const char* names[] = {"negative", "abs", "sqrt", "exp", "log", "sin", "cos"};
  for (const char* name : names) {
    INFO(name);
    const Graph g = parse_checked(pipeline(std::string(R"([
      {"id": "a", "op": "ones", "shape": [9], "chunks": [4], "dtype": "int32"},
      {"id": "u", "op": ")") + name + R"(", "input": "a"}])"));
    CHECK(task_count(g, "u") == 3);
    for (std::int64_t k = 0; k < 3; ++k) CHECK(deps_of(g, "u", 0, k) == Keys{{"a", 0, k}});
    const bool same = std::string(name) == "negative" || std::string(name) == "abs";
    CHECK(layer_of(g, "u").meta.dtype == (same ? DType::Int32 : DType::Float64));
  }
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "ones", "shape": [9], "chunks": [4], "dtype": "uint16"},
    {"id": "t", "op": "astype", "input": "a", "dtype": "float32"},
    {"id": "s", "op": "sqrt", "input": "a"}])"));
  CHECK(deps_of(g, "t", 0, 2) == Keys{{"a", 0, 2}});
  CHECK(layer_of(g, "t").meta.dtype == DType::Float32);
  CHECK(layer_of(g, "s").meta.dtype == DType::Float32);
}

TEST_CASE("inputs with different chunks are unified by an inserted rechunk \"<input>><layer>\"",
          "[core][expand][elementwise][unify]") {
  const std::string text = pipeline(R"([
    {"id": "a", "op": "random", "shape": [10], "chunks": [5]},
    {"id": "b", "op": "random", "shape": [10], "chunks": [3]},
    {"id": "c", "op": "add", "inputs": ["a", "b"], "group": "math"}])");

  SECTION("without push-down the inserted rechunks read the source chunks") {
    const Graph g = parse_checked(text, kNoPush);
    // Chunks 5+5 and 3+3+3+1 refine to 3+2+1+3+1.
    CHECK(layer_of(g, "c").meta.chunks == Chunks{{3, 2, 1, 3, 1}});
    for (const char* id : {"a>c", "b>c"}) {
      const Layer& u = layer_of(g, id);
      CHECK(u.inserted);
      CHECK(u.op == Op::Rechunk);
      CHECK(u.group == "math");
      CHECK(u.meta.chunks == Chunks{{3, 2, 1, 3, 1}});
      CHECK(u.raw_params.contains("reason"));
    }
    CHECK(g.find_layer("a>c") < g.find_layer("c"));
    CHECK(task_count(g, "c") == 5);
    CHECK(deps_of(g, "c", 0, 1) == Keys{{"a>c", 0, 1}, {"b>c", 0, 1}});
    CHECK(deps_of(g, "a>c", 0, 0) == Keys{{"a", 0, 0}});
    CHECK(deps_of(g, "a>c", 0, 1) == Keys{{"a", 0, 0}});
    CHECK(deps_of(g, "a>c", 0, 2) == Keys{{"a", 0, 1}});
    CHECK(deps_of(g, "b>c", 0, 1) == Keys{{"b", 0, 1}});  // 3..5
    CHECK(deps_of(g, "b>c", 0, 3) == Keys{{"b", 0, 2}});  // 6..9
    CHECK(layer_of(g, "c").inputs == std::vector<int>{g.find_layer("a>c"), g.find_layer("b>c")});
  }
  SECTION("with push-down (the default) the sources move into the inserted rechunks") {
    const Graph g = parse_checked(text);
    CHECK(task_count(g, "a") == 0);
    CHECK(layer_of(g, "a").pushed_into == g.find_layer("a>c"));
    CHECK(layer_of(g, "a>c").params.pushed_source == g.find_layer("a"));
    CHECK(deps_of(g, "a>c", 0, 0).empty());
    CHECK(deps_of(g, "c", 0, 4) == Keys{{"a>c", 0, 4}, {"b>c", 0, 4}});
  }
  SECTION("only the inputs whose chunks differ from the refinement are rechunked") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [10], "chunks": [5]},
      {"id": "b", "op": "random", "shape": [10], "chunks": [[2, 3, 5]]},
      {"id": "c", "op": "multiply", "inputs": ["a", "b"]}])"),
                                  kNoPush);
    CHECK(g.find_layer("a>c") >= 0);
    CHECK(g.find_layer("b>c") < 0);
    CHECK(deps_of(g, "c", 0, 2) == Keys{{"a>c", 0, 2}, {"b", 0, 2}});
  }
}

// ------------------------------------------------------------------ structure

TEST_CASE("transpose: input chunk keys are permuted", "[core][expand][transpose]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "random", "shape": [6, 8], "chunks": [2, 4]},
    {"id": "t", "op": "transpose", "input": "a"},
    {"id": "b", "op": "random", "shape": [4, 6, 8], "chunks": [2, 3, 4]},
    {"id": "p", "op": "transpose", "input": "b", "axes": [2, 0, -2]}])"));
  // a: grid 3x2; t: grid 2x3, chunk (i, j) reads a's (j, i).
  CHECK(layer_of(g, "t").meta.shape == Shape{8, 6});
  CHECK(layer_of(g, "t").meta.chunks == Chunks{{4, 4}, {2, 2, 2}});
  CHECK(task_count(g, "t") == 6);
  CHECK(deps_of(g, "t", 0, 1) == Keys{{"a", 0, 2}});  // (0,1) <- (1,0)
  CHECK(deps_of(g, "t", 0, 3) == Keys{{"a", 0, 1}});  // (1,0) <- (0,1)
  CHECK(deps_of(g, "t", 0, 5) == Keys{{"a", 0, 5}});  // (1,2) <- (2,1)
  // p = b.transpose(2, 0, 1): chunk (i, j, k) reads b's (j, k, i).
  CHECK(layer_of(g, "p").params.axes == std::vector<int>{2, 0, 1});
  CHECK(layer_of(g, "p").meta.shape == Shape{8, 4, 6});
  CHECK(deps_of(g, "p", 0, 1) == Keys{{"b", 0, 2}});  // (0,0,1) <- (0,1,0)
  CHECK(deps_of(g, "p", 0, 4) == Keys{{"b", 0, 1}});  // (1,0,0) <- (0,0,1)
}

TEST_CASE("slice: one output chunk per run of selected elements in one source chunk", "[core][expand][slice]") {
  // A non-source input so that nothing is pushed into a source.
  const std::string head = R"([
    {"id": "r", "op": "random", "shape": [10, 10], "chunks": [4, 4]},
    {"id": "a", "op": "sqrt", "input": "r"},)";
  SECTION("positive step") {
    const Graph g =
        parse_checked(pipeline(head + R"( {"id": "s", "op": "slice", "input": "a", "slices": [[1, null, 2]]}])"));
    CHECK(layer_of(g, "s").meta.shape == Shape{5, 10});  // 1, 3, 5, 7, 9
    CHECK(layer_of(g, "s").meta.chunks == Chunks{{2, 2, 1}, {4, 4, 2}});
    CHECK(deps_of(g, "s", 0, 0) == Keys{{"a", 0, 0}});
    CHECK(deps_of(g, "s", 0, 4) == Keys{{"a", 0, 4}});
    CHECK(deps_of(g, "s", 0, 8) == Keys{{"a", 0, 8}});
  }
  SECTION("negative step walks the source chunks backwards") {
    const Graph g = parse_checked(
        pipeline(head + R"( {"id": "s", "op": "slice", "input": "a", "slices": [[null, null, -3], [8, 2, -2]]}])"));
    // axis 0: 9, 6, 3, 0 -> source chunks 2 | 1 | 0 0; axis 1: 8, 6, 4 -> chunks 2 | 1 1
    CHECK(layer_of(g, "s").meta.shape == Shape{4, 3});
    CHECK(layer_of(g, "s").meta.chunks == Chunks{{1, 1, 2}, {1, 2}});
    const auto& sl = layer_of(g, "s").params.slices;
    CHECK(sl[0].start == 9);
    CHECK(sl[0].step == -3);
    CHECK(sl[0].count == 4);
    CHECK(deps_of(g, "s", 0, 0) == Keys{{"a", 0, 8}});  // (0,0) <- (2,2)
    CHECK(deps_of(g, "s", 0, 1) == Keys{{"a", 0, 7}});  // (0,1) <- (2,1)
    CHECK(deps_of(g, "s", 0, 4) == Keys{{"a", 0, 2}});  // (2,0) <- (0,2)
    CHECK(deps_of(g, "s", 0, 5) == Keys{{"a", 0, 1}});  // (2,1) <- (0,1)
  }
  SECTION("negative start, missing axes and clamped stops follow NumPy") {
    const Graph g =
        parse_checked(pipeline(head + R"( {"id": "s", "op": "slice", "input": "a", "slices": [[-3, 100]]}])"));
    CHECK(layer_of(g, "s").meta.shape == Shape{3, 10});  // 7, 8, 9
    CHECK(layer_of(g, "s").meta.chunks == Chunks{{1, 2}, {4, 4, 2}});
    CHECK(deps_of(g, "s", 0, 3) == Keys{{"a", 0, 6}});  // (1,0) <- (2,0)
  }
}

TEST_CASE("rechunk: direct plan, each output chunk reads the input chunks it overlaps", "[core][expand][rechunk]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "r", "op": "random", "shape": [12, 12], "chunks": [4, 12]},
    {"id": "a", "op": "exp", "input": "r"},
    {"id": "k", "op": "rechunk", "input": "a", "chunks": [6, 12]},
    {"id": "t", "op": "rechunk", "input": "a", "chunks": [12, 4]}])"));
  CHECK(stage_count(g, "k", 1) == 0);
  CHECK(deps_of(g, "k", 0, 0) == Keys{{"a", 0, 0}, {"a", 0, 1}});
  CHECK(deps_of(g, "k", 0, 1) == Keys{{"a", 0, 1}, {"a", 0, 2}});
  // Row blocks to column blocks: every output chunk reads all 3 input chunks.
  CHECK(task_count(g, "t") == 3);
  for (std::int64_t c = 0; c < 3; ++c) CHECK(deps_of(g, "t", 0, c) == chunks_of("a", {0, 1, 2}));
}

TEST_CASE("rechunk: an intermediate stage for an all-to-all transpose of chunks", "[core][expand][rechunk]") {
  const std::string text = pipeline(R"([
    {"id": "a", "op": "random", "shape": [8192, 8192], "chunks": [8192, 64]},
    {"id": "k", "op": "rechunk", "input": "a", "chunks": [64, 8192]}])");
  const Graph g = parse_checked(text, kNoPush);
  const int k = layer_index(g, "k");
  CHECK(task_count(g, "a") == 128);
  CHECK(stage_count(g, "k", 0) == 128);
  const std::int64_t mid = stage_count(g, "k", 1);
  CHECK(mid > 0);
  CHECK(task_count(g, "k") == 128 + mid);
  // Fewer edges than the direct plan's 128 x 128.
  std::int64_t edges = 0;
  for (std::int64_t t = g.tasks().layer_begin(k); t < g.tasks().layer_end(k); ++t) {
    const auto d = g.tasks().deps(t);
    edges += static_cast<std::int64_t>(d.size());
    for (auto x : d) {
      // Stage 1 reads the input; stage 0 reads only stage 1 of the same layer.
      const Key dk = key_of(g, x);
      if (g.tasks().stage(t) == 1)
        CHECK(dk.layer == "a");
      else
        CHECK((dk.layer == "k" && dk.stage == 1));
    }
    CHECK_FALSE(d.empty());
  }
  CHECK(edges < 128 * 128);
  CHECK(edges > 0);
  // Every stage-1 chunk is read by at least one output chunk.
  for (std::int64_t t = g.tasks().layer_begin(k); t < g.tasks().output_begin(k); ++t)
    CHECK_FALSE(g.tasks().dependents(t).empty());
}

// ------------------------------------------------------------------ push-down into sources

TEST_CASE("push-down: a rechunk or slice right after a source reads the source itself", "[core][expand][pushdown]") {
  SECTION("rechunk") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [100, 60], "chunks": [10, 60]},
      {"id": "k", "op": "rechunk", "input": "a", "chunks": [100, 20]},
      {"id": "s", "op": "sum", "input": "k", "axis": 0}])"));
    const Layer& a = layer_of(g, "a");
    const Layer& k = layer_of(g, "k");
    CHECK(task_count(g, "a") == 0);
    CHECK(a.pushed_into == g.find_layer("k"));
    CHECK(k.params.pushed_source == g.find_layer("a"));
    REQUIRE(k.params.source_view.size() == 2);
    CHECK(k.params.source_view[0].start == 0);
    CHECK(k.params.source_view[0].step == 1);
    CHECK(k.params.source_view[0].count == 100);
    CHECK(task_count(g, "k") == 3);
    for (std::int64_t c = 0; c < 3; ++c) CHECK(deps_of(g, "k", 0, c).empty());
    const auto d = describe_json(g);
    CHECK(d["layers"][0]["pushed_into"] == "k");
    CHECK(d["layers"][0]["tasks"] == 0);
    CHECK(d["layers"][1]["pushed_into"].is_null());
    CHECK_THAT(describe_text(g), Catch::Contains("random → k") && Catch::Contains("rechunk ← a"));
  }
  SECTION("slice then slice after a rechunk: the views compose") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [100], "chunks": [50]},
      {"id": "k", "op": "rechunk", "input": "a", "chunks": [10]},
      {"id": "s", "op": "slice", "input": "k", "slices": [[10, 90, 2]]},
      {"id": "v", "op": "slice", "input": "s", "slices": [[null, null, -1]]},
      {"id": "m", "op": "negative", "input": "v"}])"));
    CHECK(task_count(g, "a") == 0);
    CHECK(task_count(g, "k") == 0);
    CHECK(task_count(g, "s") == 0);
    CHECK(layer_of(g, "a").pushed_into == g.find_layer("k"));
    CHECK(layer_of(g, "k").pushed_into == g.find_layer("s"));
    CHECK(layer_of(g, "s").pushed_into == g.find_layer("v"));
    const Layer& v = layer_of(g, "v");
    CHECK(v.params.pushed_source == g.find_layer("a"));
    REQUIRE(v.params.source_view.size() == 1);
    // s selects a[10:90:2] (40 elements); v = s[::-1] selects a[88], a[86], ..., a[10].
    CHECK(v.params.source_view[0].start == 88);
    CHECK(v.params.source_view[0].step == -2);
    CHECK(v.params.source_view[0].count == 40);
    CHECK(v.meta.shape == Shape{40});
    CHECK(task_count(g, "v") == v.meta.num_chunks());
    for (std::int64_t c = 0; c < task_count(g, "v"); ++c) {
      CHECK(deps_of(g, "v", 0, c).empty());
      CHECK(deps_of(g, "m", 0, c) == Keys{{"v", 0, c}});
    }
  }
  SECTION("not pushed: without the option, with a second consumer, or when the source is an output") {
    const std::string one = pipeline(R"([
      {"id": "a", "op": "random", "shape": [100], "chunks": [10]},
      {"id": "k", "op": "rechunk", "input": "a", "chunks": [50]}])");
    const Graph off = parse_checked(one, kNoPush);
    CHECK(task_count(off, "a") == 10);
    CHECK(layer_of(off, "a").pushed_into == -1);
    CHECK(deps_of(off, "k", 0, 0).size() == 5);

    const Graph shared = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [100], "chunks": [10]},
      {"id": "k", "op": "rechunk", "input": "a", "chunks": [50]},
      {"id": "n", "op": "negative", "input": "a"}])"));
    CHECK(task_count(shared, "a") == 10);
    CHECK(layer_of(shared, "k").params.pushed_source == -1);

    const Graph output = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [100], "chunks": [10]},
      {"id": "k", "op": "rechunk", "input": "a", "chunks": [50]}])",
                                                R"("outputs": [{"id": "a"}, {"id": "k"}])"));
    CHECK(task_count(output, "a") == 10);
    CHECK(layer_of(output, "a").pushed_into == -1);
  }
}

TEST_CASE("push-down: composing slices with huge steps selects the right element", "[core][expand][pushdown]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "random", "shape": [100], "chunks": [10]},
    {"id": "s", "op": "slice", "input": "a", "slices": [[3, null, 4611686018427387904]]},
    {"id": "t", "op": "slice", "input": "s", "slices": [[null, null, -4611686018427387904]]}])"));
  const Layer& t = layer_of(g, "t");
  CHECK(t.params.pushed_source == g.find_layer("a"));
  REQUIRE(t.params.source_view.size() == 1);
  CHECK(t.params.source_view[0].start == 3);
  CHECK(t.params.source_view[0].count == 1);
  CHECK(t.meta.shape == Shape{1});
}

// ------------------------------------------------------------------ concatenate

TEST_CASE("concatenate: output chunks along the axis come from each input in turn", "[core][expand][concatenate]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "ones", "shape": [4, 6], "chunks": [2, 3], "dtype": "int32"},
    {"id": "b", "op": "random", "shape": [3, 6], "chunks": [3, 3], "dtype": "float32"},
    {"id": "c", "op": "concatenate", "inputs": ["a", "b"], "axis": 0},
    {"id": "d", "op": "concatenate", "inputs": ["b", "b", "b"], "axis": -1}])"));
  const Layer& c = layer_of(g, "c");
  CHECK(c.meta.shape == Shape{7, 6});
  CHECK(c.meta.chunks == Chunks{{2, 2, 3}, {3, 3}});
  CHECK(c.meta.dtype == DType::Float64);  // int32 with float32
  CHECK(task_count(g, "c") == 6);
  CHECK(deps_of(g, "c", 0, 0) == Keys{{"a", 0, 0}});
  CHECK(deps_of(g, "c", 0, 2) == Keys{{"a", 0, 2}});
  CHECK(deps_of(g, "c", 0, 5) == Keys{{"b", 0, 1}});
  CHECK(layer_of(g, "d").meta.shape == Shape{3, 18});
  CHECK(layer_of(g, "d").params.axis == 1);
  CHECK(deps_of(g, "d", 0, 3) == Keys{{"b", 0, 1}});
  CHECK(deps_of(g, "d", 0, 4) == Keys{{"b", 0, 0}});

  SECTION("chunks on the other axes are unified") {
    const Graph u = parse_checked(pipeline(R"([
      {"id": "a", "op": "ones", "shape": [4, 6], "chunks": [2, 3]},
      {"id": "b", "op": "ones", "shape": [4, 6], "chunks": [4, 2]},
      {"id": "c", "op": "concatenate", "inputs": ["a", "b"]}])"),
                                  kNoPush);
    CHECK(layer_of(u, "c").meta.chunks == Chunks{{2, 2, 4}, {2, 1, 1, 2}});
    CHECK(layer_of(u, "a>c").inserted);
    CHECK(layer_of(u, "a>c").meta.chunks == Chunks{{2, 2}, {2, 1, 1, 2}});
    CHECK(layer_of(u, "b>c").meta.chunks == Chunks{{4}, {2, 1, 1, 2}});
    CHECK(deps_of(u, "c", 0, 9) == Keys{{"b>c", 0, 1}});  // (2,1) <- b (0,1)
  }
}

// ------------------------------------------------------------------ reductions

TEST_CASE("reductions: a tree of partials, combines and one aggregate per output chunk", "[core][expand][reduce]") {
  SECTION("16 chunks along one axis, split_every 4: 16 partials, 4 combines, 1 aggregate") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [160], "chunks": [10]},
      {"id": "s", "op": "sum", "input": "a", "split_every": 4}])"));
    CHECK(stage_count(g, "s", 1) == 16);
    CHECK(stage_count(g, "s", 2) == 4);
    CHECK(stage_count(g, "s", 0) == 1);
    CHECK(task_count(g, "s") == 21);
    CHECK(deps_of(g, "s", 1, 5) == Keys{{"a", 0, 5}});
    CHECK(deps_of(g, "s", 2, 1) == chunks_of("s", {4, 5, 6, 7}, 1));
    CHECK(deps_of(g, "s", 0, 0) == chunks_of("s", {0, 1, 2, 3}, 2));
    CHECK(layer_of(g, "s").meta.shape.empty());  // axis null: all axes, a 0-d result
    CHECK(layer_of(g, "s").meta.num_chunks() == 1);
  }
  SECTION("split_every defaults to 4") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [160], "chunks": [10]},
      {"id": "s", "op": "max", "input": "a"}])"));
    CHECK(layer_of(g, "s").params.split_every == 4);
    CHECK(task_count(g, "s") == 21);
  }
  SECTION("8x8 chunks over both axes: fan-in 2 per axis, 64 + 16 + 4 partials/combines + 1") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [80, 80], "chunks": [10, 10]},
      {"id": "s", "op": "mean", "input": "a", "axis": null}])"));
    CHECK(stage_count(g, "s", 1) == 64);
    CHECK(stage_count(g, "s", 2) == 16);
    CHECK(stage_count(g, "s", 3) == 4);
    CHECK(stage_count(g, "s", 0) == 1);
    CHECK(deps_of(g, "s", 2, 0) == chunks_of("s", {0, 1, 8, 9}, 1));
    CHECK(deps_of(g, "s", 3, 3) == chunks_of("s", {10, 11, 14, 15}, 2));
  }
  SECTION("split_every 16 over two axes: fan-in 4 per axis") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [80, 80], "chunks": [10, 10]},
      {"id": "s", "op": "sum", "input": "a", "split_every": 16}])"));
    CHECK(stage_count(g, "s", 1) == 64);
    CHECK(stage_count(g, "s", 2) == 4);
    CHECK(stage_count(g, "s", 0) == 1);
    CHECK(deps_of(g, "s", 2, 0).size() == 16);
    CHECK(deps_of(g, "s", 0, 0) == chunks_of("s", {0, 1, 2, 3}, 2));
  }
  SECTION("few chunks: partials and the aggregate only") {
    const Graph g = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [30], "chunks": [10]},
      {"id": "s", "op": "min", "input": "a", "axis": 0}])"));
    CHECK(stage_count(g, "s", 1) == 3);
    CHECK(stage_count(g, "s", 2) == 0);
    CHECK(deps_of(g, "s", 0, 0) == chunks_of("s", {0, 1, 2}, 1));
  }
}

TEST_CASE("reductions: kept axes keep their chunks; keepdims; multi-axis; dtypes", "[core][expand][reduce]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "random", "shape": [40, 30, 40], "chunks": [10, 10, 10]},
    {"id": "s", "op": "sum", "input": "a", "axis": [0, -1]},
    {"id": "k", "op": "var", "input": "a", "axis": [2, 0], "keepdims": true, "ddof": 1},
    {"id": "r", "op": "std", "input": "a", "axis": 1, "keepdims": true},
    {"id": "all", "op": "sum", "input": "a", "keepdims": true},
    {"id": "m", "op": "greater", "inputs": ["a", 0.5]},
    {"id": "cnt", "op": "sum", "input": "m", "axis": 1},
    {"id": "i", "op": "ones", "shape": [40], "chunks": 10, "dtype": "int32"},
    {"id": "im", "op": "mean", "input": "i"},
    {"id": "u", "op": "ones", "shape": [40], "chunks": 10, "dtype": "uint8"},
    {"id": "us", "op": "sum", "input": "u"},
    {"id": "umax", "op": "max", "input": "u"}])"));
  const Layer& s = layer_of(g, "s");
  CHECK(s.params.axes == std::vector<int>{0, 2});
  CHECK(s.meta.shape == Shape{30});
  CHECK(s.meta.chunks == Chunks{{10, 10, 10}});
  // Grid 4x3x4 over axes 0 and 2 with fan-in 2: 48 partials, 2x3x2 combines, 3 aggregates.
  CHECK(stage_count(g, "s", 1) == 48);
  CHECK(stage_count(g, "s", 2) == 12);
  CHECK(stage_count(g, "s", 0) == 3);
  // Output chunk 1 (middle axis 1) aggregates the combines at (i, 1, k).
  CHECK(deps_of(g, "s", 0, 1) == chunks_of("s", {2, 3, 8, 9}, 2));
  // Combine (1, 2, 0) reads partials (2..3, 2, 0..1).
  CHECK(deps_of(g, "s", 2, 1 * 6 + 2 * 2 + 0) ==
        chunks_of("s", {2 * 12 + 2 * 4 + 0, 2 * 12 + 2 * 4 + 1, 3 * 12 + 2 * 4 + 0, 3 * 12 + 2 * 4 + 1}, 1));

  const Layer& k = layer_of(g, "k");
  CHECK(k.params.axes == std::vector<int>{0, 2});
  CHECK(k.params.keepdims);
  CHECK(k.params.value == 1.0);  // ddof
  CHECK(k.meta.shape == Shape{1, 30, 1});
  CHECK(k.meta.chunks == Chunks{{1}, {10, 10, 10}, {1}});
  CHECK(task_count(g, "k") == task_count(g, "s"));

  CHECK(layer_of(g, "r").meta.shape == Shape{40, 1, 40});
  CHECK(stage_count(g, "r", 0) == 16);
  CHECK(stage_count(g, "r", 1) == 48);
  CHECK(deps_of(g, "r", 0, 5) == chunks_of("r", {4 * 3 + 0 * 4 + 1 + 0, 4 * 3 + 1 * 4 + 1, 4 * 3 + 2 * 4 + 1}, 1));

  CHECK(layer_of(g, "all").meta.shape == Shape{1, 1, 1});
  CHECK(stage_count(g, "all", 0) == 1);

  CHECK(layer_of(g, "s").meta.dtype == DType::Float64);
  CHECK(layer_of(g, "cnt").meta.dtype == DType::Int64);   // sum of bool
  CHECK(layer_of(g, "im").meta.dtype == DType::Float64);  // mean of int32
  CHECK(layer_of(g, "us").meta.dtype == DType::UInt64);   // sum of uint8
  CHECK(layer_of(g, "umax").meta.dtype == DType::UInt8);
}

// ------------------------------------------------------------------ stencils

TEST_CASE("stencils: an overlap stage gathers each chunk's halo from its neighbours", "[core][expand][stencil]") {
  auto filtered = [](const std::string& params, const Shape& shape = {30, 30}) {
    std::string sh = "[", ch = "[";
    for (size_t a = 0; a < shape.size(); ++a) {
      sh += (a ? ", " : "") + std::to_string(shape[a]);
      ch += (a ? ", " : "") + std::string("10");
    }
    return parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": )" +
                                  sh + R"(], "chunks": )" + ch + R"(]},
      {"id": "f", "input": "a", )" +
                                  params + "}]"));
  };
  SECTION("3x3 grid, constant mode: 9 neighbours inside, 6 on edges, 4 in corners") {
    const Graph g = filtered(R"("op": "gaussian_filter", "sigma": 1, "mode": "constant")");
    CHECK(stage_count(g, "f", 1) == 9);
    CHECK(stage_count(g, "f", 0) == 9);
    for (std::int64_t c = 0; c < 9; ++c) CHECK(deps_of(g, "f", 0, c) == Keys{{"f", 1, c}});
    CHECK(deps_of(g, "f", 1, 4) == chunks_of("a", {0, 1, 2, 3, 4, 5, 6, 7, 8}));
    CHECK(deps_of(g, "f", 1, 0) == chunks_of("a", {0, 1, 3, 4}));
    CHECK(deps_of(g, "f", 1, 1) == chunks_of("a", {0, 1, 2, 3, 4, 5}));
    CHECK(deps_of(g, "f", 1, 8) == chunks_of("a", {4, 5, 7, 8}));
  }
  SECTION("reflect and nearest stay on the near side") {
    for (const char* mode : {"reflect", "nearest"}) {
      INFO(mode);
      const Graph g = filtered(std::string(R"("op": "uniform_filter", "size": 5, "mode": ")") + mode + "\"");
      CHECK(deps_of(g, "f", 1, 0) == chunks_of("a", {0, 1, 3, 4}));
      CHECK(deps_of(g, "f", 1, 4).size() == 9);
    }
  }
  SECTION("wrap mode touches the far side") {
    const Graph g = filtered(R"("op": "gaussian_filter", "sigma": 1, "mode": "wrap")");
    CHECK(deps_of(g, "f", 1, 0) == chunks_of("a", {0, 1, 2, 3, 4, 5, 6, 7, 8}));
    CHECK(deps_of(g, "f", 1, 1) == chunks_of("a", {0, 1, 2, 3, 4, 5, 6, 7, 8}));
  }
  SECTION("sigma 0 on an axis: no halo along it") {
    const Graph g = filtered(R"("op": "gaussian_filter", "sigma": [0, 2])");
    CHECK(deps_of(g, "f", 1, 4) == chunks_of("a", {3, 4, 5}));
    CHECK(deps_of(g, "f", 1, 0) == chunks_of("a", {0, 1}));
  }
  SECTION("a halo deeper than a chunk reaches two chunks away") {
    const Graph g = filtered(R"("op": "gaussian_filter", "sigma": 3, "mode": "constant")", {50});
    // radius int(4 * 3 + 0.5) = 12 > 10
    CHECK(deps_of(g, "f", 1, 2) == chunks_of("a", {0, 1, 2, 3, 4}));
    CHECK(deps_of(g, "f", 1, 0) == chunks_of("a", {0, 1, 2}));
  }
  SECTION("3-d: 27 neighbours in the interior") {
    const Graph g = filtered(R"("op": "uniform_filter")", {30, 30, 30});
    CHECK(layer_of(g, "f").params.size == std::vector<std::int64_t>{3, 3, 3});
    CHECK(deps_of(g, "f", 1, 13).size() == 27);
    CHECK(deps_of(g, "f", 1, 0).size() == 8);
    CHECK(task_count(g, "f") == 54);
  }
  SECTION("parameters and defaults") {
    const Graph g =
        filtered(R"("op": "gaussian_filter", "sigma": [1, 2.5], "truncate": 3, "mode": "constant", "cval": 7)");
    const Layer& f = layer_of(g, "f");
    CHECK(f.params.sigma == std::vector<double>{1, 2.5});
    CHECK(f.params.truncate == 3);
    CHECK(f.params.mode == BoundaryMode::Constant);
    CHECK(f.params.cval == 7);
    CHECK(f.meta.dtype == DType::Float64);
    const Graph d = filtered(R"("op": "gaussian_filter", "sigma": 1)");
    CHECK(layer_of(d, "f").params.truncate == 4.0);
    CHECK(layer_of(d, "f").params.mode == BoundaryMode::Reflect);
  }
}

// ------------------------------------------------------------------ matmul

TEST_CASE("matmul: output chunk (i, j) reads row i of a then column j of b", "[core][expand][matmul]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "random", "shape": [4, 6], "chunks": [2, 3], "dtype": "float32"},
    {"id": "b", "op": "ones", "shape": [6, 8], "chunks": [3, 4], "dtype": "int32"},
    {"id": "m", "op": "matmul", "inputs": ["a", "b"]}])"));
  const Layer& m = layer_of(g, "m");
  CHECK(m.meta.shape == Shape{4, 8});
  CHECK(m.meta.chunks == Chunks{{2, 2}, {4, 4}});
  CHECK(m.meta.dtype == DType::Float64);
  CHECK(task_count(g, "m") == 4);
  CHECK(deps_of(g, "m", 0, 0) == Keys{{"a", 0, 0}, {"a", 0, 1}, {"b", 0, 0}, {"b", 0, 2}});
  CHECK(deps_of(g, "m", 0, 1) == Keys{{"a", 0, 0}, {"a", 0, 1}, {"b", 0, 1}, {"b", 0, 3}});
  CHECK(deps_of(g, "m", 0, 3) == Keys{{"a", 0, 2}, {"a", 0, 3}, {"b", 0, 1}, {"b", 0, 3}});

  SECTION("the inner axis is unified") {
    const Graph u = parse_checked(pipeline(R"([
      {"id": "a", "op": "random", "shape": [4, 6], "chunks": [2, 2]},
      {"id": "b", "op": "random", "shape": [6, 8], "chunks": [3, 8]},
      {"id": "m", "op": "matmul", "inputs": ["a", "b"]}])"),
                                  kNoPush);
    CHECK(layer_of(u, "a>m").meta.chunks == Chunks{{2, 2}, {2, 1, 1, 2}});
    CHECK(layer_of(u, "b>m").meta.chunks == Chunks{{2, 1, 1, 2}, {8}});
    CHECK(deps_of(u, "m", 0, 1).size() == 8);
    CHECK(deps_of(u, "m", 0, 1) == Keys{{"a>m", 0, 4},
                                        {"a>m", 0, 5},
                                        {"a>m", 0, 6},
                                        {"a>m", 0, 7},
                                        {"b>m", 0, 0},
                                        {"b>m", 0, 1},
                                        {"b>m", 0, 2},
                                        {"b>m", 0, 3}});
  }
}

TEST_CASE("matmul(x, x): an operand needing two different unifications gets two rechunk layers",
          "[core][expand][matmul][unify]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "x", "op": "random", "shape": [6, 6], "chunks": [[2, 2, 2], [3, 3]]},
    {"id": "m", "op": "matmul", "inputs": ["x", "x"]}])"));
  // The inner axis unifies x's axis 1 (3+3) with x's axis 0 (2+2+2): 2+1+1+2.
  const Layer& a = layer_of(g, "x>m");
  const Layer& b = layer_of(g, "x>m#2");
  CHECK(a.meta.chunks == Chunks{{2, 2, 2}, {2, 1, 1, 2}});
  CHECK(b.meta.chunks == Chunks{{2, 1, 1, 2}, {3, 3}});
  CHECK(layer_of(g, "m").inputs == std::vector<int>{g.find_layer("x>m"), g.find_layer("x>m#2")});
  CHECK(layer_of(g, "m").meta.chunks == Chunks{{2, 2, 2}, {3, 3}});
  CHECK(deps_of(g, "m", 0, 3) == Keys{{"x>m", 0, 4},
                                      {"x>m", 0, 5},
                                      {"x>m", 0, 6},
                                      {"x>m", 0, 7},
                                      {"x>m#2", 0, 1},
                                      {"x>m#2", 0, 3},
                                      {"x>m#2", 0, 5},
                                      {"x>m#2", 0, 7}});
}

// ------------------------------------------------------------------ 0-d arrays

TEST_CASE("0-d results (full reductions) flow through every op that accepts them", "[core][expand][0d]") {
  const Graph g = parse_checked(pipeline(R"([
    {"id": "a", "op": "random", "shape": [10], "chunks": 5},
    {"id": "s", "op": "sum", "input": "a"},
    {"id": "t", "op": "sum", "input": "s"},
    {"id": "u", "op": "add", "inputs": ["s", 1]},
    {"id": "v", "op": "sqrt", "input": "u"},
    {"id": "w", "op": "transpose", "input": "v"},
    {"id": "x", "op": "slice", "input": "w", "slices": []},
    {"id": "y", "op": "rechunk", "input": "x", "chunks": []},
    {"id": "z", "op": "gaussian_filter", "input": "y", "sigma": 1},
    {"id": "m", "op": "mean", "input": "z", "keepdims": true}])"));
  for (const char* id : {"s", "t", "u", "v", "w", "x", "y", "z", "m"}) {
    INFO(id);
    CHECK(layer_of(g, id).meta.shape.empty());
    CHECK(layer_of(g, id).meta.num_chunks() == 1);
    CHECK(stage_count(g, id, 0) == 1);
  }
  CHECK(deps_of(g, "t", 1, 0) == Keys{{"s", 0, 0}});
  CHECK(deps_of(g, "t", 0, 0) == Keys{{"t", 1, 0}});
  CHECK(deps_of(g, "u", 0, 0) == Keys{{"s", 0, 0}});
  CHECK(deps_of(g, "w", 0, 0) == Keys{{"v", 0, 0}});
  CHECK(deps_of(g, "x", 0, 0) == Keys{{"w", 0, 0}});
  CHECK(deps_of(g, "y", 0, 0) == Keys{{"x", 0, 0}});
  CHECK(deps_of(g, "z", 1, 0) == Keys{{"y", 0, 0}});
  CHECK(deps_of(g, "m", 0, 0) == Keys{{"m", 1, 0}});
}

// ------------------------------------------------------------------ sinks and outputs

TEST_CASE("outputs with a path become sink layers with one task per chunk", "[core][expand][sink]") {
  const std::string layers = R"([
    {"id": "a", "op": "random", "shape": [10, 10], "chunks": [5, 5], "group": "load/raw"},
    {"id": "b", "op": "negative", "input": "a"},
    {"id": "c", "op": "abs", "input": "b"}])";
  const Graph g = parse_checked(pipeline(
      layers, R"("outputs": [{"id": "b", "to_npy": "b.npy"}, {"id": "a", "to_zarr": "/tmp/a.zarr"}, {"id": "c"}])"));
  REQUIRE(g.outputs().size() == 3);
  CHECK(g.outputs()[0].layer == g.find_layer("b"));
  CHECK(g.outputs()[0].to_npy == "b.npy");
  CHECK(g.outputs()[1].to_zarr == "/tmp/a.zarr");
  CHECK(g.outputs()[2].to_npy.empty());
  CHECK(g.outputs()[2].to_zarr.empty());
  const Layer& sb = layer_of(g, "b:to_npy");
  CHECK(sb.op == Op::ToNpy);
  CHECK(sb.kind == OpKind::Sink);
  CHECK(sb.params.path == "b.npy");
  CHECK(layer_of(g, "a:to_zarr").op == Op::ToZarr);
  CHECK(layer_of(g, "a:to_zarr").group == "load/raw");
  CHECK(g.find_layer("c:to_npy") < 0);
  CHECK(task_count(g, "b:to_npy") == 4);
  for (std::int64_t c = 0; c < 4; ++c) {
    CHECK(deps_of(g, "b:to_npy", 0, c) == Keys{{"b", 0, c}});
    CHECK(deps_of(g, "a:to_zarr", 0, c) == Keys{{"a", 0, c}});
  }
  CHECK(g.consumers(g.find_layer("a")) == std::vector<int>{g.find_layer("b"), g.find_layer("a:to_zarr")});

  SECTION("without an outputs section the last layer is the result, kept in memory") {
    const Graph d = parse_checked(pipeline(layers));
    REQUIRE(d.outputs().size() == 1);
    CHECK(d.outputs()[0].layer == d.find_layer("c"));
    CHECK(d.layers().size() == 3);
  }
  SECTION("output paths resolve against the pipeline's folder") {
    Result<Graph> r =
        parse_pipeline_text(pipeline(layers, R"("outputs": [{"id": "c", "to_npy": "out/c.npy"}])"), "p/x.json", "p");
    REQUIRE(r.ok());
    CHECK(r->outputs()[0].to_npy == "p/out/c.npy");
  }
}

// ------------------------------------------------------------------ a whole pipeline

TEST_CASE("the cells pipeline of the issue expands to the expected counts", "[core][expand]") {
  const Graph g = parse_checked(R"({"name": "cells", "layers": [
    {"id": "img", "op": "random", "shape": [32, 512, 512], "chunks": [8, 256, 256], "dtype": "float32", "group": "load"},
    {"id": "blur", "op": "gaussian_filter", "input": "img", "sigma": [0, 2, 2], "group": "denoise"},
    {"id": "mask", "op": "greater", "inputs": ["blur", 0.5], "group": "segment"},
    {"id": "area", "op": "sum", "input": "mask", "axis": [1, 2], "group": "measure"}],
    "outputs": [{"id": "area", "to_npy": "area.npy"}]})");
  CHECK(task_count(g, "img") == 16);
  CHECK(task_count(g, "blur") == 32);
  CHECK(deps_of(g, "blur", 1, 0) == chunks_of("img", {0, 1, 2, 3}));  // 4x2x2 grid: no halo on axis 0
  CHECK(task_count(g, "mask") == 16);
  CHECK(layer_of(g, "area").meta.dtype == DType::Int64);
  CHECK(stage_count(g, "area", 1) == 16);
  CHECK(stage_count(g, "area", 0) == 4);
  CHECK(task_count(g, "area:to_npy") == 4);
  CHECK(g.tasks().size() == 16 + 32 + 16 + 20 + 4);
}

TEST_CASE("a rechunk that cuts across a Zarr source's stored chunks is not pushed into it", "[core][expand][source]") {
  PipelineOptions opt;
  opt.probe_source = [](const Layer&) {
    PipelineOptions::SourceInfo info{{256, 256}, DType::Float64, {}, {256, 4}};  // stored in columns
    return info;
  };
  const std::string text = pipeline(R"([
    {"id": "a", "op": "from_zarr", "path": "col.zarr"},
    {"id": "rows", "op": "rechunk", "input": "a", "chunks": [4, 256]},
    {"id": "b", "op": "from_zarr", "path": "col.zarr"},
    {"id": "wide", "op": "rechunk", "input": "b", "chunks": [-1, 64]},
    {"id": "s", "op": "add", "inputs": ["rows", "wide"]}])");
  Result<Graph> r = parse_pipeline_text(text, "dir/p.json", "dir", opt);
  INFO(r.error());
  REQUIRE(r.ok());
  const Graph& g = *r;
  check_task_graph(g);
  // rows would decode each of the 64 stored chunks 64 times: an in-memory rechunk of the stored chunks
  CHECK(layer_of(g, "a").pushed_into < 0);
  CHECK(layer_of(g, "rows").params.pushed_source < 0);
  CHECK(task_count(g, "a") == 64);
  CHECK(layer_of(g, "a").raw_params["stored_chunks"] == nlohmann::json::parse("[256, 4]"));
  // wide reads unions of stored chunks (each decoded once): pushed as before
  CHECK(layer_of(g, "b").pushed_into == g.find_layer("wide"));
  CHECK(task_count(g, "b") == 0);
}
