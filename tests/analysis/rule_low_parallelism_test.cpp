#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

TEST_CASE("low-parallelism names the layer the idle workers waited for", "[analysis][low-parallelism]") {
  TraceBuilder b(8, 1000);
  const int a = b.layer("a", "random", "source", {}, {8192}, {1024});
  const int s = b.layer("slow", "random", "source", {}, {16}, {16});
  const int c = b.layer("c", "add", "elementwise", {"a", "slow"}, {16}, {16});
  auto as = b.per_chunk(a, 10'000'000, 8192, testing::none);
  const auto st = b.task(s, 0, 100'000'000, 128);
  b.task(c, 0, 1'000'000, 128, {as[0], st});
  const Findings f = analyze(b.done());
  const auto p = testing::find_rule(f, "low-parallelism");
  REQUIRE(p);
  CHECK(p->severity == Severity::Critical);
  REQUIRE_FALSE(p->layers.empty());
  CHECK(p->layers[0] == "slow");
  CHECK(p->find("idle_share")->value > 0.5);
  CHECK(p->find("idle_during:slow"));
}

TEST_CASE("low-parallelism stays quiet when every worker has work", "[analysis][low-parallelism]") {
  TraceBuilder b(8, 1000);
  const int a = b.layer("a", "random", "source", {}, {65536}, {1024});
  const int y = b.layer("y", "exp", "elementwise", {"a"}, {65536}, {1024});
  auto as = b.per_chunk(a, 10'000'000, 8192, testing::none);
  b.per_chunk(y, 10'000'000, 8192, [&](std::int64_t k) { return std::vector<std::int64_t>{as[k]}; });
  const Findings f = analyze(b.done());
  CHECK_FALSE(testing::find_rule(f, "low-parallelism"));
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}
