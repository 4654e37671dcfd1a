#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
Trace chain(const std::string& executor, bool fused) {
  TraceBuilder b(4, 1000, executor);
  const int x = b.layer("x", "random", "source", {}, {64, 1 << 20}, {8, 1 << 20});
  const int a = b.layer("a", "add", "elementwise", {"x"}, {64, 1 << 20}, {8, 1 << 20});
  const int c = b.layer("c", "sqrt", "elementwise", {"a"}, {64, 1 << 20}, {8, 1 << 20});
  auto xs = b.per_chunk(x, 20'000'000, 64 << 20, testing::none);
  auto as = b.per_chunk(a, 20'000'000, 64 << 20, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  b.per_chunk(
      c, 20'000'000, 64 << 20, [&](std::int64_t k) { return std::vector<std::int64_t>{as[k]}; }, fused);
  return b.done();
}
}  // namespace

TEST_CASE("unfused-chain: a Dask trace whose element-wise chain was not fused", "[analysis][unfused-chain]") {
  const auto u = testing::find_rule(analyze(chain("dask", false)), "unfused-chain");
  REQUIRE(u);
  CHECK(u->layers == std::vector<std::string>{"x", "a", "c"});
  CHECK(u->find("intermediate_bytes")->value == 2.0 * 8 * (64 << 20));
  CHECK(u->advice.find("Dask") != std::string::npos);
}

TEST_CASE("unfused-chain: chunkscope's executor, chain not fused", "[analysis][unfused-chain]") {
  const auto u = testing::find_rule(analyze(chain("cpu", false)), "unfused-chain");
  REQUIRE(u);
  CHECK(u->layers == std::vector<std::string>{"a", "c"});
}

TEST_CASE("unfused-chain stays quiet on a fused chain", "[analysis][unfused-chain]") {
  CHECK_FALSE(testing::find_rule(analyze(chain("cpu", true)), "unfused-chain"));
}
