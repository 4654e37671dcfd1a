#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {

// x (1024x1024 float64) -> y = x + 1 -> s = y.sum(axis=1); every task about 1 µs.
Trace tiny_trace(Shape chunk, std::int64_t dur_ns) {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {1024, 1024}, chunk);
  const int y = b.layer("y", "add", "elementwise", {"x"}, {1024, 1024}, chunk);
  const int s = b.layer("s", "sum", "reduce", {"y"}, {1024}, {chunk[0]}, "float64", {{"axis", 1}});
  const std::int64_t bytes = chunk[0] * chunk[1] * 8;
  auto xs = b.per_chunk(x, dur_ns, bytes, testing::none);
  auto ys = b.per_chunk(y, dur_ns, bytes, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const std::int64_t cols = 1024 / chunk[1];
  const std::int64_t rows = 1024 / chunk[0];
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<std::int64_t> parts;
    for (std::int64_t c = 0; c < cols; ++c)
      parts.push_back(b.task(s, r * cols + c, dur_ns, chunk[0] * 8, {ys[r * cols + c]}, 1));
    b.task(s, r, dur_ns, chunk[0] * 8, parts, 0);
  }
  return b.done();
}

}  // namespace

TEST_CASE("tiny-chunks fires on the source whose chunks are too small, with a concrete edit",
          "[analysis][tiny-chunks]") {
  const Trace t = tiny_trace({16, 16}, 1000);
  const Findings f = analyze(t);
  const auto x = testing::find_rule(f, "tiny-chunks");
  REQUIRE(x);
  CHECK(x->severity == Severity::Critical);
  REQUIRE(x->layers.size() >= 3);
  CHECK(x->layers[0] == "x");
  CHECK(x->find("overhead_share")->value > 0.5);
  REQUIRE(x->edits.size() == 1);
  CHECK(x->edits[0]["layer"] == "x");
  // s reduces axis 1: whole rows, so no combining tree; about 1 MiB per chunk (the minimum).
  CHECK(x->edits[0]["chunks"] == nlohmann::json::parse("[128, -1]"));
  CHECK(x->find("advised_chunk_bytes")->value == Approx(1 << 20));
  CHECK(x->find("advised_chunks")->value == 8);
  CHECK(x->advice.find("no combining tree") != std::string::npos);
  // The most important finding comes first.
  CHECK(f.front().rule == "tiny-chunks");
}

TEST_CASE("tiny-chunks uses the per-task overhead given in the options", "[analysis][tiny-chunks]") {
  const Trace t = tiny_trace({16, 16}, 1000);
  AnalysisOptions o;
  o.task_overhead_ns = 50e3;  // Dask-like
  const auto x = testing::find_rule(analyze(t, o), "tiny-chunks");
  REQUIRE(x);
  CHECK(x->find("task_overhead_ns")->value == 50e3);
  // 1% of 50 µs-overhead tasks needs 5 ms tasks: much bigger chunks, but capped for 4 workers x 2.
  CHECK(x->find("advised_chunks")->value == 8);
}

TEST_CASE("tiny-chunks stays quiet on well-sized chunks", "[analysis][tiny-chunks]") {
  const Trace t = tiny_trace({256, 1024}, 4'000'000);
  const Findings f = analyze(t);
  CHECK_FALSE(testing::find_rule(f, "tiny-chunks"));
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}

TEST_CASE("tiny-chunks on chunks chunkscope inserted gives advice but no edit", "[analysis][tiny-chunks]") {
  TraceBuilder b(4, 1000);
  const int a = b.layer("a", "random", "source", {}, {1024, 1024}, {16, 1024});
  const int r = b.layer("a>c", "rechunk", "rechunk", {"a"}, {1024, 1024}, {16, 16});
  b.at(r).inserted = true;
  b.at(a).pushed_into = "a>c";
  const int c = b.layer("c", "negative", "elementwise", {"a>c"}, {1024, 1024}, {16, 16});
  auto rs = b.per_chunk(r, 1000, 2048, testing::none);
  b.per_chunk(c, 1000, 2048, [&](std::int64_t k) { return std::vector<std::int64_t>{rs[k]}; });
  const auto x = testing::find_rule(analyze(b.done()), "tiny-chunks");
  REQUIRE(x);
  CHECK(x->layers[0] == "a>c");
  CHECK(x->edits.empty());
  CHECK(x->advice.find("inserted") != std::string::npos);
}
