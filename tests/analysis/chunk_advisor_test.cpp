#include "chunkscope/core/analysis/chunk_advisor.hpp"

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"

using namespace chunkscope;

TEST_CASE("chunk_shape_near: square chunks near the byte target", "[analysis][chunk_advisor]") {
  CHECK(chunk_shape_near({4096, 4096}, 4, 1 << 20) == Shape{512, 512});
  CHECK(chunk_shape_near({20000, 20000}, 8, 128LL << 20) == Shape{4000, 4000});  // 122 MiB, even splits (as "auto")
  CHECK(chunk_shape_near({100}, 8, 128LL << 20) == Shape{100});                  // smaller than the target: whole
}

TEST_CASE("chunk_shape_near keeps the proportions of a base shape and whole axes", "[analysis][chunk_advisor]") {
  CHECK(chunk_shape_near({4096, 4096}, 4, 1 << 20, {}, {32, 32}) == Shape{512, 512});
  CHECK(chunk_shape_near({4096, 4096}, 4, 1 << 20, {{}, {true, 1}}) == Shape{64, 4096});
  // A whole axis that does not fit is given up.
  CHECK(chunk_shape_near({4096, 1 << 30}, 4, 1 << 20, {{}, {true, 1}})[1] < (1 << 30));
  // Minimums are respected.
  CHECK(chunk_shape_near({4096, 4096}, 4, 1 << 10, {{false, 64}, {false, 64}}) == Shape{64, 64});
}

TEST_CASE("advise_chunks: plane, column and any access", "[analysis][chunk_advisor]") {
  ChunkRequest r;
  r.shape = {64, 8192, 8192};
  r.dtype = DType::Float32;
  r.access = Access::Plane;
  auto c = advise_chunks(r);
  REQUIRE(c.size() >= 2);
  CHECK(c[0].label == "recommended");
  CHECK(c[0].chunk == Shape{1, 4096, 8192});  // a plane is 256 MiB: whole rows
  CHECK(c[0].chunk_bytes == 128LL << 20);
  CHECK(c[0].chunks == 128);
  r.access = Access::Column;
  c = advise_chunks(r);
  CHECK(c[0].chunk[0] == 64);
  CHECK(c[0].chunk_bytes <= 160LL << 20);
  CHECK(c[0].chunk_bytes >= 64LL << 20);
  r.access = Access::Any;
  c = advise_chunks(r);
  CHECK(c[0].chunk[1] == c[0].chunk[2]);
}

TEST_CASE("advise_chunks leaves chunks for every thread", "[analysis][chunk_advisor]") {
  ChunkRequest r;
  r.shape = {4096, 4096};
  r.dtype = DType::Float64;  // 128 MiB in all
  r.threads = 16;
  const auto c = advise_chunks(r);
  CHECK(c[0].chunks >= 32);
  CHECK(c[0].why.find("16 threads") != std::string::npos);
  const std::string text = chunk_candidates_text(r, c);
  CHECK(text.find("recommended") != std::string::npos);
  CHECK(text.find("\"chunks\": [") != std::string::npos);
}

TEST_CASE("advise_chunks rejects bad requests", "[analysis][chunk_advisor]") {
  ChunkRequest r;
  CHECK_THROWS_AS(advise_chunks(r), InputError);
  r.shape = {10, 0};
  CHECK_THROWS_AS(advise_chunks(r), InputError);
}

TEST_CASE("chunk specs: -1 for whole axes", "[analysis][chunk_advisor]") {
  CHECK(chunk_spec_json({64, 4096}, {8, 4096}) == nlohmann::json::parse("[8, -1]"));
  CHECK(parallel_target(64LL << 20, 128LL << 20, 1 << 20, 4, 2) == 8LL << 20);
  CHECK(parallel_target(1 << 10, 128LL << 20, 1 << 20, 4, 2) == 1 << 10);
  CHECK(parse_access("plane") == Access::Plane);
  CHECK_FALSE(parse_access("rows"));
}
