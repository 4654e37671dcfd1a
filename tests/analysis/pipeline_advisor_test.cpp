#include "chunkscope/core/analysis/pipeline_advisor.hpp"

#include <catch2/catch.hpp>

#include "chunkscope/core/analysis/chunk_flow.hpp"
#include "chunkscope/core/pipeline.hpp"

using namespace chunkscope;

namespace {
std::vector<LayerAdvice> advise(const char* text, int threads) {
  auto g = parse_pipeline_text(text, "test.json", ".");
  REQUIRE(g.ok());
  PipelineAdviceOptions o;
  o.threads = threads;
  return advise_pipeline(trace_layers_of(*g), o);
}
const LayerAdvice& of(const std::vector<LayerAdvice>& a, const std::string& id) {
  for (const auto& x : a)
    if (x.layer == id) return x;
  FAIL("no advice for " << id);
  return a.front();
}
}  // namespace

TEST_CASE("advise_pipeline grows tiny chunks, keeping reduced axes whole", "[analysis][pipeline_advisor]") {
  const auto a = advise(R"({"layers": [
    {"id": "x", "op": "random", "shape": [4096, 4096], "chunks": [32, 32], "dtype": "float32"},
    {"id": "y", "op": "add", "inputs": ["x", 1]},
    {"id": "rows", "op": "sum", "input": "y", "axis": 1}]})",
                        4);
  const auto& x = of(a, "x");
  CHECK(x.change);
  CHECK(x.proposed[1] == 4096);
  CHECK(x.proposed_bytes ==
        1 << 20);  // the executors' 1 MiB target (kExecutorChunkTarget; 64 MiB over 4 threads x 2 is more)
  REQUIRE(x.edits.size() == 1);
  CHECK(x.edits[0]["chunks"][1] == -1);
  CHECK(x.family == std::vector<std::string>{"y", "rows"});
}

TEST_CASE("advise_pipeline keeps good chunks", "[analysis][pipeline_advisor]") {
  const auto a = advise(R"({"layers": [
    {"id": "x", "op": "random", "shape": [4096, 4096], "chunks": [1024, 1024], "dtype": "float32"},
    {"id": "y", "op": "exp", "input": "x"}]})",
                        4);
  CHECK_FALSE(of(a, "x").change);
  CHECK(of(a, "x").reasons[0].find("Keep") == 0);
}

TEST_CASE("advise_pipeline removes a rechunk by chunking the source upstream", "[analysis][pipeline_advisor]") {
  const auto a = advise(R"({"layers": [
    {"id": "movie", "op": "random", "shape": [48, 512, 512], "chunks": [1, -1, -1], "dtype": "float32"},
    {"id": "tyx", "op": "transpose", "input": "movie", "axes": [1, 2, 0]},
    {"id": "pencils", "op": "rechunk", "input": "tyx", "chunks": [64, 64, -1]},
    {"id": "m", "op": "max", "input": "pencils", "axis": -1}]})",
                        4);
  const auto& m = of(a, "movie");
  CHECK(m.change);
  REQUIRE(m.edits.size() == 1);
  CHECK(m.edits[0] == nlohmann::json::parse(R"({"layer": "movie", "chunks": [-1, 64, 64]})"));
  CHECK(m.reasons[0].find("nothing to move") != std::string::npos);
  const std::string text = pipeline_advice_text("p", a, {});
  CHECK(text.find("movie") != std::string::npos);
  CHECK(pipeline_advice_json("p", a, {})["layers"].size() == a.size());
}
