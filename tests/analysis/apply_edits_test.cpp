#include "chunkscope/core/analysis/apply_edits.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope;

TEST_CASE("apply_edits changes only the edited fields", "[analysis][apply_edits]") {
  const auto doc = nlohmann::json::parse(R"({"name": "p", "description": "keep me",
    "layers": [{"id": "x", "op": "random", "shape": [64, 64], "chunks": [8, 8], "seed": 3, "group": "load"},
               {"id": "s", "op": "sum", "input": "x"}],
    "outputs": [{"id": "s"}]})");
  const std::vector<PipelineEdit> edits{{{{"layer", "x"}, {"chunks", {32, -1}}}, "tiny-chunks"},
                                        {{{"layer", "s"}, {"split_every", 16}}, "reduction-split"}};
  const EditResult r = apply_edits(doc, edits);
  REQUIRE(r.changes.size() == 2);
  CHECK(r.skipped.empty());
  CHECK(r.doc["layers"][0]["chunks"] == nlohmann::json::parse("[32, -1]"));
  CHECK(r.doc["layers"][0]["seed"] == 3);
  CHECK(r.doc["layers"][1]["split_every"] == 16);
  CHECK(r.doc["description"] == "keep me");
  CHECK(r.changes[0].text == "layer \"x\": chunks [8,8] -> [32,-1] (tiny-chunks)");
  CHECK(r.changes[1].before.is_null());
}

TEST_CASE("apply_edits skips unknown layers, wrong fields, conflicts and no-ops", "[analysis][apply_edits]") {
  const auto doc = nlohmann::json::parse(R"({"layers": [{"id": "x", "op": "random", "shape": [64], "chunks": 8},
                                                       {"id": "y", "op": "exp", "input": "x"}]})");
  const std::vector<PipelineEdit> edits{{{{"layer", "x"}, {"chunks", 16}}, "a"},
                                        {{{"layer", "x"}, {"chunks", 32}}, "b"},
                                        {{{"layer", "y"}, {"chunks", 32}}, "c"},
                                        {{{"layer", "x>y"}, {"chunks", 32}}, "d"}};
  const EditResult r = apply_edits(doc, edits);
  REQUIRE(r.changes.size() == 1);
  CHECK(r.doc["layers"][0]["chunks"] == 16);
  REQUIRE(r.skipped.size() == 3);
  CHECK(r.skipped[0].text.find("conflicts") != std::string::npos);
  CHECK(r.skipped[1].text.find("has no field") != std::string::npos);
  CHECK(r.skipped[2].text.find("not in the pipeline") != std::string::npos);
  const EditResult same = apply_edits(r.doc, {{{{"layer", "x"}, {"chunks", 16}}, "a"}});
  CHECK(same.changes.empty());
  CHECK(same.skipped.size() == 1);
}

TEST_CASE("edits_of keeps the findings' order", "[analysis][apply_edits]") {
  Findings f(2);
  f[0].rule = "tiny-chunks";
  f[0].edits.push_back({{"layer", "x"}, {"chunks", {64}}});
  f[1].rule = "huge-chunks";
  f[1].edits.push_back({{"layer", "x"}, {"chunks", {8}}});
  const auto e = edits_of(f);
  REQUIRE(e.size() == 2);
  CHECK(e[0].rule == "tiny-chunks");
}
