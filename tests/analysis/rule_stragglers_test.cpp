#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
Trace with_slow_chunk(std::int64_t slow_ns, std::int64_t slow_bytes) {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {1600}, {100});
  const int y = b.layer("y", "log", "elementwise", {"x"}, {1600}, {100});
  auto xs = b.per_chunk(x, 1'000'000, 800, testing::none);
  for (std::int64_t k = 0; k < 16; ++k) b.task(y, k, k == 5 ? slow_ns : 10'000'000, k == 5 ? slow_bytes : 800, {xs[k]});
  return b.done();
}
}  // namespace

TEST_CASE("stragglers: one task far slower than its layer's median", "[analysis][stragglers]") {
  const Findings f = analyze(with_slow_chunk(90'000'000, 800));
  const auto s = testing::find_rule(f, "stragglers");
  REQUIRE(s);
  CHECK(s->layers[0] == "y");
  CHECK(s->severity == Severity::Info);  // same data: a busy machine looks the same
  CHECK(s->find("ratio")->value == Approx(9).epsilon(0.01));
  CHECK(s->message.find("chunk 5") != std::string::npos);
  CHECK(s->advice.find("as much data") != std::string::npos);
}

TEST_CASE("stragglers: a slow task with more data points at uneven chunks", "[analysis][stragglers]") {
  const auto s = testing::find_rule(analyze(with_slow_chunk(90'000'000, 8000)), "stragglers");
  REQUIRE(s);
  CHECK(s->severity != Severity::Info);
  CHECK(s->advice.find("uneven") != std::string::npos);
}

TEST_CASE("stragglers stay quiet on even tasks", "[analysis][stragglers]") {
  const Findings f = analyze(with_slow_chunk(12'000'000, 800));
  CHECK_FALSE(testing::find_rule(f, "stragglers"));
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}
