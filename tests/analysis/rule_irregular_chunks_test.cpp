#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
Trace chunked(Chunks c) {
  TraceBuilder b(4, 1000);
  std::int64_t n = 0;
  for (auto s : c[0]) n += s;
  const int x = b.layer_chunks("x", "random", "source", {}, {n}, c);
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(c[0].size()); ++k)
    b.task(x, k, 1'000'000 * c[0][k] / 100, c[0][k] * 8);
  return b.done();
}
}  // namespace

TEST_CASE("irregular-chunks: uneven chunk sizes along an axis", "[analysis][irregular-chunks]") {
  const auto f = testing::find_rule(analyze(chunked({{100, 400, 100, 400}})), "irregular-chunks");
  REQUIRE(f);
  CHECK(f->layers[0] == "x");
  CHECK(f->find("size_ratio")->value == 4);
  REQUIRE(f->edits.size() == 1);
  CHECK(f->edits[0]["chunks"] == nlohmann::json::parse("[250]"));
}

TEST_CASE("irregular-chunks: a sliver of a last chunk", "[analysis][irregular-chunks]") {
  const auto f = testing::find_rule(analyze(chunked({{512, 512, 10}})), "irregular-chunks");
  REQUIRE(f);
  CHECK(f->message.find("sliver") != std::string::npos);
  CHECK(f->edits[0]["chunks"] == nlohmann::json::parse("[517]"));
}

TEST_CASE("irregular-chunks accepts regular chunks with a smaller last one", "[analysis][irregular-chunks]") {
  CHECK_FALSE(testing::find_rule(analyze(chunked({{512, 512, 488}})), "irregular-chunks"));
  CHECK_FALSE(testing::find_rule(analyze(chunked({{20, 24, 20}})), "irregular-chunks"));
}

TEST_CASE("irregular-chunks writes sizes with thousands separators", "[analysis][irregular-chunks]") {
  const auto f = testing::find_rule(analyze(chunked({{4000, 16384, 4000, 16384}})), "irregular-chunks");
  REQUIRE(f);
  CHECK(f->message.find("range from 4,000 to 16,384") != std::string::npos);  // issue 16 item 9
}
