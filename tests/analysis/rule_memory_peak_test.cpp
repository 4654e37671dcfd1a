#include <catch2/catch.hpp>

#include "chunkscope/core/units.hpp"
#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
// x (8 chunks of 8 MiB) -> y = x * 2 (float64 of the same size) kept until the end.
Trace run(std::int64_t limit) {
  TraceBuilder b(4, 1000);
  if (limit) b.set_limit(limit);
  const int x = b.layer("x", "random", "source", {}, {8, 1 << 20}, {1, 1 << 20});
  const int y = b.layer("y", "multiply", "elementwise", {"x"}, {8, 1 << 20}, {1, 1 << 20});
  auto xs = b.per_chunk(x, 5'000'000, 8 << 20, testing::none);
  b.per_chunk(y, 5'000'000, 8 << 20, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  return b.done();
}
}  // namespace

TEST_CASE("memory-peak is always reported, as info when memory is fine", "[analysis][memory-peak]") {
  const Trace t = run(0);
  const auto m = testing::find_rule(analyze(t), "memory-peak");
  REQUIRE(m);
  CHECK(m->severity == Severity::Info);
  CHECK(m->find("peak_bytes")->value == static_cast<double>(t.memory.peak_bytes));
  CHECK(m->find("input_bytes")->value == 64.0 * (1 << 20));
  CHECK(m->find("held_at_peak:y"));
}

TEST_CASE("memory-peak warns near the memory limit", "[analysis][memory-peak]") {
  const Trace t = run(0);
  const auto m = testing::find_rule(analyze(run(t.memory.peak_bytes + (1 << 20))), "memory-peak");
  REQUIRE(m);
  CHECK(m->severity != Severity::Info);
  CHECK(m->layers[0] == t.layers[t.memory.peak_layer].id);
}

TEST_CASE("memory-peak warns on a large amplification of the input", "[analysis][memory-peak]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {1024}, {128}, "float32");
  const int big = b.layer("big", "full", "source", {}, {64, 1 << 20}, {8, 1 << 20});  // not input data: generated
  b.at(big).kind = "elementwise";  // pretend it is computed from x (amplification of x)
  b.at(big).inputs = {"x"};
  auto xs = b.per_chunk(x, 1'000'000, 512, testing::none);
  b.per_chunk(big, 5'000'000, 64 << 20, [&](std::int64_t) { return std::vector<std::int64_t>{xs[0]}; });
  const auto m = testing::find_rule(analyze(b.done()), "memory-peak");
  REQUIRE(m);
  CHECK(m->severity == Severity::Warning);
  CHECK(m->find("amplification")->value > 4);
  // The factor as people write it: "131,072×", never "1.3e+05×" (issue 16 item 9).
  CHECK(m->message.find("e+") == std::string::npos);
  CHECK(m->message.find(format_ratio(m->find("amplification")->value) + " the ") != std::string::npos);
}
