// Advice on Dask traces (core/src/analysis/dask_terms.cpp): edits carry the line of Dask code the
// user changes, never a chunkscope flag, never a layer Dask made, never a split of a dropped axis.
#include <catch2/catch.hpp>

#include "chunkscope/core/analysis/chunk_flow.hpp"
#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {

// from-zarr x (1024x1024 float64, 16x16 chunks) -> y = x + 1 -> s = y.sum(); 1 µs tasks.
Trace tiny_dask_trace(const std::string& source_op, bool source_inserted) {
  TraceBuilder b(4, 1000, "dask-threaded");
  const Shape chunk{16, 16};
  const int x = b.layer("x", source_op, source_op == "rechunk-merge" ? "rechunk" : "source", {}, {1024, 1024}, chunk);
  b.at(x).inserted = source_inserted;
  const int y = b.layer("y", "add", "elementwise", {"x"}, {1024, 1024}, chunk);
  const int s = b.layer("s", "sum", "reduce", {"y"}, {}, {});
  const std::int64_t bytes = 16 * 16 * 8;
  auto xs = b.per_chunk(x, 1000, bytes, testing::none);
  auto ys = b.per_chunk(y, 1000, bytes, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  b.tree(s, ys, 32, 1000, 8);
  return b.done();
}

}  // namespace

TEST_CASE("on a Dask trace a chunk edit is the call that created the array", "[analysis][dask]") {
  const auto f = testing::find_rule(analyze(tiny_dask_trace("from-zarr", false)), "tiny-chunks");
  REQUIRE(f);
  REQUIRE(f->edits.size() == 1);
  const auto& e = f->edits[0];
  CHECK(e["layer"] == "x");
  REQUIRE(e.contains("python"));
  const std::string line = e["python"];
  CHECK(line.rfind("da.from_zarr(..., chunks=(", 0) == 0);
  CHECK(f->advice.find(line) != std::string::npos);
  CHECK(f->advice.find("--") == std::string::npos);
  CHECK(f->advice.find("set the chunks of") == std::string::npos);  // chunkscope's pipeline wording
}

TEST_CASE("Dask lines for random sources, rechunks and the same trace on chunkscope's executor", "[analysis][dask]") {
  auto line_of = [](const Trace& t) {
    const auto f = testing::find_rule(analyze(t), "tiny-chunks");
    REQUIRE(f);
    REQUIRE(f->edits.size() == 1);
    return f->edits[0].value("python", std::string());
  };
  CHECK(line_of(tiny_dask_trace("random_sample", false)).rfind("da.random.random_sample(..., chunks=(", 0) == 0);
  CHECK(line_of(tiny_dask_trace("rechunk-merge", false)).rfind(".rechunk((", 0) == 0);
  Trace own = tiny_dask_trace("random", false);
  own.meta.executor = "cpu";
  CHECK(line_of(own).empty());  // chunkscope's own traces keep pipeline edits
}

TEST_CASE("no edit names a layer Dask inserted", "[analysis][dask]") {
  const auto f = testing::find_rule(analyze(tiny_dask_trace("rechunk-merge", true)), "tiny-chunks");
  REQUIRE(f);
  CHECK(f->edits.empty());
  CHECK(f->advice.find("chunkscope") == std::string::npos);
}

TEST_CASE("axes a block function drops stay whole in chunk advice", "[analysis][dask][chunk_flow]") {
  TraceBuilder b(4, 1000, "dask-threaded");
  b.layer("x", "random_sample", "source", {}, {8, 1 << 20}, {8, 1 << 20});
  b.layer("s", "lambda", "elementwise", {"x"}, {8}, {8}, "float64", {{"dropped_axes", {1}}});
  b.layer("t", "lambda", "elementwise", {"x"}, {1 << 20}, {1 << 20}, "float64", {{"dropped_axes", {0}}});
  const Trace t = b.done();
  const auto flow = chunk_origins(t.layers);
  CHECK(flow[1].axis_map == std::vector<int>{0});
  CHECK(flow[2].axis_map == std::vector<int>{1});  // axis 0 of t is axis 1 of x
  CHECK(dropped_axes(t.layers[1], 2) == std::vector<int>{1});
  CHECK(dropped_axes(t.layers[0], 2).empty());
  // Only s reads x: axis 1 must stay whole; with t too, both axes do.
  std::vector<TraceLayer> only_s(t.layers.begin(), t.layers.begin() + 2);
  const FamilyAccess fa = family_access(only_s, chunk_origins(only_s), 0);
  CHECK(fa.wishes[1].whole);
  CHECK(fa.wishes[1].min == (1 << 20));
  CHECK_FALSE(fa.wishes[0].whole);
  const Shape c = chunk_shape_near(only_s[0].shape, 8, 1 << 20, fa.wishes, {8, 1 << 20});
  CHECK(c[1] == (1 << 20));
  CHECK(fa.why(c, only_s[0].shape).find("\"s\" drops stay whole") != std::string::npos);
}
