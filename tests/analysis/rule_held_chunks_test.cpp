#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
// x (8 x 16 MiB) is summed per chunk early (a) and multiplied by z later (b); z is slow, so x's
// chunks wait in memory for b.
Trace fork(std::int64_t z_ns) {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {8, 1 << 21}, {1, 1 << 21});
  const int z = b.layer("z", "random", "source", {}, {8, 1 << 21}, {8, 1 << 21}, "float64", {{"seed", 2}});
  const int a = b.layer("a", "sum", "reduce", {"x"}, {8}, {1}, "float64", {{"axis", 1}});
  const int m = b.layer("b", "multiply", "elementwise", {"x", "z"}, {8, 1 << 21}, {1, 1 << 21});
  auto xs = b.per_chunk(x, 10'000'000, 16 << 20, testing::none);
  const auto zt = b.task(z, 0, z_ns, 8);
  for (std::int64_t k = 0; k < 8; ++k) b.task(a, k, 1'000'000, 8, {xs[k]}, 0);
  b.per_chunk(m, 10'000'000, 16 << 20, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k], zt}; });
  return b.done();
}
}  // namespace

TEST_CASE("held-chunks: chunks used once wait at the peak for a consumer blocked by another input",
          "[analysis][held-chunks]") {
  const auto h = testing::find_rule(analyze(fork(200'000'000)), "held-chunks");
  REQUIRE(h);
  CHECK(h->severity == Severity::Warning);
  REQUIRE(h->layers.size() == 3);
  CHECK(h->layers[0] == "x");
  CHECK(h->layers[1] == "b");
  CHECK(h->layers[2] == "z");
  CHECK(h->find("held_share")->value >= 0.25);
  CHECK(h->advice.find("\"z\"") != std::string::npos);
}

TEST_CASE("held-chunks stays quiet when consumers run right after the producer", "[analysis][held-chunks]") {
  const Findings f = analyze(fork(1'000'000));
  INFO(findings_text(f));
  CHECK_FALSE(testing::find_rule(f, "held-chunks"));
}
