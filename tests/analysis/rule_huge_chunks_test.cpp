#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

TEST_CASE("huge-chunks fires when a few chunks fill the memory limit", "[analysis][huge-chunks]") {
  TraceBuilder b(4, 1000);
  b.set_limit(2LL << 30);
  const int x = b.layer("x", "random", "source", {}, {16384, 16384}, {8192, 8192});
  const int y = b.layer("y", "sqrt", "elementwise", {"x"}, {16384, 16384}, {8192, 8192});
  const std::int64_t chunk = 8192LL * 8192 * 8;
  auto xs = b.per_chunk(x, 800'000'000, chunk, testing::none);
  b.per_chunk(y, 400'000'000, chunk, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const Trace t = b.done();
  AnalysisOptions dask_target;  // Dask's 128 MiB target: the limit's share is what caps the advice
  dask_target.target_chunk_bytes = 128LL << 20;
  const Findings f = analyze(t, dask_target);
  const auto h = testing::find_rule(f, "huge-chunks");
  REQUIRE(h);
  CHECK(h->severity == Severity::Critical);  // 4 workers x 512 MiB = the whole limit
  CHECK(h->layers[0] == "x");
  REQUIRE(h->edits.size() == 1);
  CHECK(h->edits[0]["layer"] == "x");
  const double advised = h->find("advised_chunk_bytes")->value;
  CHECK(advised <= 64.0 * (1 << 20));  // a quarter of the limit's share per worker
  CHECK(advised >= 16.0 * (1 << 20));
  // With the default target of a chunkscope trace (1 MiB, kExecutorChunkTarget): at most that.
  const auto d = testing::find_rule(analyze(t), "huge-chunks");
  REQUIRE(d);
  CHECK(d->find("advised_chunk_bytes")->value <= 1.0 * (1 << 20));
}

TEST_CASE("huge-chunks fires when there are fewer chunks than workers", "[analysis][huge-chunks]") {
  TraceBuilder b(8, 1000);
  const int x = b.layer("x", "random", "source", {}, {4096, 4096}, {2048, 4096});
  const int y = b.layer("y", "exp", "elementwise", {"x"}, {4096, 4096}, {2048, 4096});
  auto xs = b.per_chunk(x, 200'000'000, 2048LL * 4096 * 8, testing::none);
  b.per_chunk(y, 200'000'000, 2048LL * 4096 * 8, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const auto h = testing::find_rule(analyze(b.done()), "huge-chunks");
  REQUIRE(h);
  CHECK(h->severity != Severity::Info);
  CHECK(h->layers[0] == "x");
  CHECK(h->find("advised_chunks")->value >= 16);  // 2 per worker
  CHECK(h->message.find("8 workers") != std::string::npos);
}

TEST_CASE("huge-chunks stays quiet with enough moderate chunks", "[analysis][huge-chunks]") {
  TraceBuilder b(8, 1000);
  const int x = b.layer("x", "random", "source", {}, {4096, 4096}, {512, 2048});
  const int y = b.layer("y", "exp", "elementwise", {"x"}, {4096, 4096}, {512, 2048});
  auto xs = b.per_chunk(x, 20'000'000, 512LL * 2048 * 8, testing::none);
  b.per_chunk(y, 20'000'000, 512LL * 2048 * 8, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const Findings f = analyze(b.done());
  CHECK_FALSE(testing::find_rule(f, "huge-chunks"));
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}
