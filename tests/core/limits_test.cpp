// The limits every reader enforces (core/src/limits.cpp).
#include "chunkscope/core/limits.hpp"

#include <string>

#include <catch2/catch.hpp>

using namespace chunkscope;

TEST_CASE("group_depth counts the non-empty levels of a path", "[core][limits]") {
  CHECK(group_depth("") == 0);
  CHECK(group_depth("/") == 0);
  CHECK(group_depth("denoise") == 1);
  CHECK(group_depth("denoise/blur") == 2);
  CHECK(group_depth("/a//b/") == 2);
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "g/";
  CHECK(group_depth(deep) == 100000);
}

TEST_CASE("regular_chunk_count counts chunks from their sizes, saturating past the cap", "[core][limits]") {
  CHECK(regular_chunk_count({10}, {3}) == 4);
  CHECK(regular_chunk_count({10, 10}, {5, 10}) == 2);
  CHECK(regular_chunk_count({400'000'000}, {1}) == kMaxTasks + 1);  // a 150-byte .zarray's claim
  CHECK(regular_chunk_count({std::int64_t{1} << 50, std::int64_t{1} << 50}, {1, 1}) == kMaxTasks + 1);  // no overflow
  CHECK(regular_chunk_count({1000, 1000}, {1, 1}, 1000) == 1001);
  CHECK(regular_chunk_count({std::int64_t{1} << 62}, {std::int64_t{1} << 62}) == 1);
}
