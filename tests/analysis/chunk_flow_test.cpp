#include "chunkscope/core/analysis/chunk_flow.hpp"

#include <catch2/catch.hpp>

#include "chunkscope/core/pipeline.hpp"

using namespace chunkscope;

namespace {
std::vector<TraceLayer> parse(const char* text) {
  auto g = parse_pipeline_text(text, "test.json", ".");
  REQUIRE(g.ok());
  return trace_layers_of(*g);
}
int at(const std::vector<TraceLayer>& l, const std::string& id) {
  for (size_t i = 0; i < l.size(); ++i)
    if (l[i].id == id) return static_cast<int>(i);
  FAIL("no layer " << id);
  return -1;
}
}  // namespace

TEST_CASE("chunk origins follow element-wise ops, transposes and reductions", "[analysis][chunk_flow]") {
  const auto l = parse(R"({"layers": [
    {"id": "m", "op": "random", "shape": [8, 16, 32], "chunks": [1, 16, 16]},
    {"id": "t", "op": "transpose", "input": "m", "axes": [1, 2, 0]},
    {"id": "e", "op": "exp", "input": "t"},
    {"id": "s", "op": "sum", "input": "e", "axis": 1},
    {"id": "r", "op": "rechunk", "input": "e", "chunks": [4, 4, -1]},
    {"id": "rs", "op": "max", "input": "r", "axis": -1}],
    "outputs": [{"id": "s"}, {"id": "rs"}]})");
  const auto f = chunk_origins(l);
  const int m = at(l, "m");
  CHECK(f[at(l, "t")].origin == m);
  CHECK(f[at(l, "t")].axis_map == std::vector<int>{1, 2, 0});
  CHECK(f[at(l, "e")].origin == m);
  CHECK(f[at(l, "s")].axis_map == std::vector<int>{1, 0});  // kept axes 0 and 2 of e -> m's 1 and 0
  CHECK(f[at(l, "r")].origin == at(l, "r"));
  CHECK(f[at(l, "r")].editable);
  CHECK(f[at(l, "rs")].origin == at(l, "r"));
  CHECK(reduced_axes(l[at(l, "rs")], 3) == std::vector<int>{2});
}

TEST_CASE("a helper input with one element per block is not where a layer's chunks come from",
          "[analysis][chunk_flow]") {
  // Dask's map_overlap trims each block with a block-info input (one element per block): the trimmed
  // layer's chunks come from the overlapped array, not from the 1×1 "chunks" of the helper.
  std::vector<TraceLayer> l(4);
  l[0].id = "block-info";
  l[0].kind = "source";
  l[0].shape = {8, 2};
  l[0].chunks = {std::vector<std::int64_t>(8, 1), {1, 1}};
  l[1].id = "img";
  l[1].kind = "source";
  l[1].shape = {1024, 1024};
  l[1].chunks = {std::vector<std::int64_t>(8, 128), {512, 512}};
  l[2].id = "overlap";
  l[2].kind = "stencil";
  l[2].inputs = {"img"};
  l[2].shape = {1056, 1028};
  l[2].chunks = {std::vector<std::int64_t>(8, 132), {514, 514}};
  l[3].id = "trim";
  l[3].kind = "stencil";
  l[3].inputs = {"block-info", "overlap"};
  l[3].shape = {1024, 1024};
  l[3].chunks = l[1].chunks;
  const auto f = chunk_origins(l);
  CHECK(f[3].primary_input == 2);
  CHECK(f[3].origin == 1);
}

TEST_CASE("inserted rechunks are origins that cannot be edited; pushed slices follow their source",
          "[analysis][chunk_flow]") {
  const auto l = parse(R"({"layers": [
    {"id": "a", "op": "random", "shape": [100, 60], "chunks": [50, 20]},
    {"id": "b", "op": "random", "shape": [100, 60], "chunks": [50, 30]},
    {"id": "c", "op": "add", "inputs": ["a", "b"]},
    {"id": "z", "op": "zeros", "shape": [100, 100], "chunks": 10},
    {"id": "zs", "op": "slice", "input": "z", "slices": [[0, 50]]},
    {"id": "n", "op": "negative", "input": "zs"}]})");
  const auto f = chunk_origins(l);
  bool saw_inserted = false;
  for (size_t i = 0; i < l.size(); ++i)
    if (l[i].inserted) {
      saw_inserted = true;
      CHECK(f[i].origin == static_cast<int>(i));
      CHECK_FALSE(f[i].editable);
    }
  CHECK(saw_inserted);
  CHECK(f[at(l, "n")].origin == at(l, "z"));
  CHECK(f[at(l, "n")].editable);
  CHECK(l[at(l, "z")].pushed_into == "zs");
}

TEST_CASE("family_access wishes whole reduced axes and halo-sized stencil axes", "[analysis][chunk_flow]") {
  const auto l = parse(R"({"layers": [
    {"id": "img", "op": "random", "shape": [16, 256, 256], "chunks": [4, 64, 64]},
    {"id": "blur", "op": "gaussian_filter", "input": "img", "sigma": [0, 2, 2]},
    {"id": "area", "op": "sum", "input": "blur", "axis": [1, 2]}]})");
  const auto f = chunk_origins(l);
  const FamilyAccess fa = family_access(l, f, at(l, "img"));
  CHECK_FALSE(fa.wishes[0].whole);
  CHECK(fa.wishes[1].whole);
  CHECK(fa.wishes[2].whole);
  CHECK(fa.wishes[1].min == 4 * 16);  // radius int(4 * 2 + 0.5) = 8 each side
  CHECK(fa.wishes[0].min == 1);
}
