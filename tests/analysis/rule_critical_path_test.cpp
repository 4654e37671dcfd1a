#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

TEST_CASE("critical-path: a serial chain that bounds the run is a warning", "[analysis][critical-path]") {
  TraceBuilder b(8, 1000);
  const int s = b.layer("step", "cumulative", "custom", {}, {10}, {1});
  std::int64_t prev = -1;
  for (std::int64_t k = 0; k < 10; ++k)
    prev = b.task(s, k, 10'000'000, 8, prev < 0 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{prev});
  const auto c = testing::find_rule(analyze(b.done()), "critical-path");
  REQUIRE(c);
  CHECK(c->severity == Severity::Warning);
  CHECK(c->layers == std::vector<std::string>{"step"});
  CHECK(c->find("critical_wall_share")->value > 0.99);
  CHECK(c->find("parallel_efficiency")->value < 0.2);
}

TEST_CASE("critical-path is info on a parallel run", "[analysis][critical-path]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {64}, {1});
  const int y = b.layer("y", "exp", "elementwise", {"x"}, {64}, {1});
  auto xs = b.per_chunk(x, 10'000'000, 8, testing::none);
  b.per_chunk(y, 5'000'000, 8, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const Findings f = analyze(b.done());
  const auto c = testing::find_rule(f, "critical-path");
  REQUIRE(c);
  CHECK(c->severity == Severity::Info);
  CHECK(c->layers.front() == "x");
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}
