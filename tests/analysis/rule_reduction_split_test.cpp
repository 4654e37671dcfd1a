#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
Trace reduction(std::int64_t inputs, int split_every, int tree_fan_in, std::int64_t combine_ns) {
  TraceBuilder b(8, 1000);
  const int x = b.layer("x", "random", "source", {}, {inputs * 1024}, {1024});
  const int s = b.layer("total", "sum", "reduce", {"x"}, {}, {}, "float64", {{"split_every", split_every}});
  auto xs = b.per_chunk(x, 400'000, 8192, testing::none);
  std::vector<std::int64_t> parts;
  for (std::int64_t k = 0; k < inputs; ++k) parts.push_back(b.task(s, k, 100'000, 8, {xs[k]}, 1));
  b.tree(s, parts, tree_fan_in, combine_ns, 8);
  return b.done();
}
}  // namespace

TEST_CASE("reduction-split: a deep tree of tiny combines (split_every too small)", "[analysis][reduction-split]") {
  const Findings f = analyze(reduction(1024, 2, 2, 2'000'000));
  const auto r = testing::find_rule(f, "reduction-split");
  REQUIRE(r);
  CHECK(r->layers[0] == "total");
  CHECK(r->severity != Severity::Info);
  CHECK(r->find("combine_levels")->value == 10);
  REQUIRE(r->edits.size() == 1);
  CHECK(r->edits[0] == nlohmann::json::parse(R"({"layer": "total", "split_every": 32})"));
}

TEST_CASE("reduction-split: one serial combine of many partials (split_every too large)",
          "[analysis][reduction-split]") {
  const Findings f = analyze(reduction(1024, 1000000, 100000, 30'000'000));
  const auto r = testing::find_rule(f, "reduction-split");
  REQUIRE(r);
  CHECK(r->find("final_fan_in")->value == 1024);
  CHECK(r->edits[0]["split_every"] == 32);
  CHECK(r->message.find("one after another") != std::string::npos);
}

TEST_CASE("reduction-split stays quiet on a shallow tree", "[analysis][reduction-split]") {
  const Findings f = analyze(reduction(16, 4, 4, 100'000));
  CHECK_FALSE(testing::find_rule(f, "reduction-split"));
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}
