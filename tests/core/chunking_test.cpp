// Chunk normalisation and unification (core/src/chunking.cpp).
#include "chunkscope/core/chunking.hpp"

#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"

using namespace chunkscope;
using Sizes = std::vector<std::int64_t>;

namespace {

AxisChunkSpec size_spec(std::int64_t n) { return {AxisChunkSpec::Kind::Size, n, {}}; }
AxisChunkSpec whole() { return {AxisChunkSpec::Kind::Whole, 0, {}}; }
AxisChunkSpec autos() { return {AxisChunkSpec::Kind::Auto, 0, {}}; }
AxisChunkSpec explicit_spec(Sizes s) { return {AxisChunkSpec::Kind::Explicit, 0, std::move(s)}; }

std::int64_t max_chunk_bytes(const Chunks& c, int itemsize) {
  std::int64_t b = itemsize;
  for (const auto& axis : c) b *= *std::max_element(axis.begin(), axis.end());
  return b;
}

std::int64_t sum(const Sizes& s) {
  std::int64_t t = 0;
  for (auto x : s) t += x;
  return t;
}

}  // namespace

TEST_CASE("regular_chunks", "[core][chunking]") {
  CHECK(regular_chunks(10, 4) == Sizes{4, 4, 2});
  CHECK(regular_chunks(12, 4) == Sizes{4, 4, 4});
  CHECK(regular_chunks(10, 20) == Sizes{10});
  CHECK(regular_chunks(1, 1) == Sizes{1});
  CHECK(regular_chunks(10, 0).empty());
  CHECK(regular_chunks(0, 3).empty());
  CHECK(regular_chunks(10, INT64_MAX) == Sizes{10});  // no overflow in the size estimate
}

TEST_CASE("normalize_chunks: an int per axis, -1 for the whole axis", "[core][chunking]") {
  CHECK(normalize_chunks({size_spec(4), size_spec(4)}, {10, 7}, 8) == Chunks{{4, 4, 2}, {4, 3}});
  CHECK(normalize_chunks({size_spec(100), whole()}, {10, 7}, 8) == Chunks{{10}, {7}});
  CHECK(normalize_chunks({whole(), size_spec(3)}, {10, 7}, 8) == Chunks{{10}, {3, 3, 1}});
}

TEST_CASE("normalize_chunks: explicit per-axis lists", "[core][chunking]") {
  CHECK(normalize_chunks({explicit_spec({2, 5, 3}), size_spec(7)}, {10, 7}, 8) == Chunks{{2, 5, 3}, {7}});

  SECTION("a list that does not sum to the axis length is an InputError naming the axis and both sizes") {
    try {
      normalize_chunks({explicit_spec({2, 5, 3}), explicit_spec({4, 4})}, {10, 7}, 8);
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK_THAT(e.what(), Catch::Contains("axis 1") && Catch::Contains("sum to 8") && Catch::Contains("length 7"));
    }
    CHECK_THROWS_AS(normalize_chunks({explicit_spec({2, 5})}, {10}, 8), InputError);
  }
  SECTION("non-positive entries are InputErrors") {
    CHECK_THROWS_WITH(normalize_chunks({explicit_spec({5, 0, 5})}, {10}, 8), Catch::Contains("positive"));
    CHECK_THROWS_WITH(normalize_chunks({explicit_spec({12, -2})}, {10}, 8), Catch::Contains("positive"));
  }
}

TEST_CASE("normalize_chunks: bad requests are InputErrors", "[core][chunking]") {
  CHECK_THROWS_WITH(normalize_chunks({size_spec(0)}, {10}, 8),
                    Catch::Contains("axis 0") && Catch::Contains("positive"));
  CHECK_THROWS_WITH(normalize_chunks({size_spec(-3)}, {10}, 8), Catch::Contains("must be positive"));
  CHECK_THROWS_WITH(normalize_chunks({size_spec(4)}, {10, 10}, 8),
                    Catch::Contains("1 entries") && Catch::Contains("2 axes"));
  CHECK_THROWS_AS(normalize_chunks({autos()}, {10}, 8, 0), InputError);
  CHECK(normalize_chunks({size_spec(INT64_MAX)}, {10}, 8) == Chunks{{10}});
}

TEST_CASE("normalize_chunks: absurd chunk counts are refused before allocating", "[core][chunking]") {
  // 2^40 chunks of one element would need 8 TiB just for the size list.
  CHECK_THROWS_WITH(
      normalize_chunks({size_spec(1)}, {std::int64_t{1} << 40}, 8),
      Catch::Contains("axis 0") && Catch::Contains("1099511627776 chunks") && Catch::Contains("use larger chunks"));
  CHECK_THROWS_WITH(normalize_chunks({whole(), autos()}, {1, std::int64_t{1} << 40}, 8, 8),
                    Catch::Contains("axis 1") && Catch::Contains("use larger chunks"));
  CHECK(normalize_chunks({size_spec(1)}, {100000}, 8)[0].size() == 100000);
}

TEST_CASE("normalize_chunks: the count over all axes is refused before any list is made", "[core][chunking]") {
  // Two axes of 10^8 chunks each pass the per-axis limit; together they are 10^16 chunks, and the
  // two lists alone would take 1.6 GB. Refused from the sizes (issue 14, item 3).
  const Shape shape{100'000'000, 100'000'000};
  CHECK_THROWS_WITH(normalize_chunks({size_spec(1), size_spec(1)}, shape, 8),
                    Catch::Contains("more than 200000000 chunks") && Catch::Contains("use larger chunks"));
  CHECK_THROWS_WITH(normalize_chunks({autos(), autos()}, shape, 8, 8), Catch::Contains("more than 200000000 chunks"));
  CHECK(normalize_chunks({size_spec(10'000), size_spec(10'000)}, shape, 8)[1].size() == 10'000);
}

TEST_CASE("normalize_chunks: \"auto\" with the 128 MiB default", "[core][chunking]") {
  CHECK(kDefaultChunkTarget == 128LL * 1024 * 1024);

  SECTION("an array smaller than the target is one chunk") {
    CHECK(normalize_chunks({autos(), autos()}, {100, 100}, 8) == Chunks{{100}, {100}});
  }
  SECTION("square-ish chunks, spread evenly over the same number of chunks") {
    // 128 MiB of float64 = 4096^2 elements: 3 chunks per axis, spread as 3334 + 3334 + 3332.
    const Chunks c = normalize_chunks({autos(), autos()}, {10000, 10000}, 8);
    CHECK(c == Chunks{{3334, 3334, 3332}, {3334, 3334, 3332}});
    CHECK(max_chunk_bytes(c, 8) <= kDefaultChunkTarget);
  }
  SECTION("fixed axes take their part of the budget") {
    const Chunks c = normalize_chunks({whole(), autos()}, {100, 1000000}, 4);
    CHECK(c[0] == Sizes{100});
    CHECK(c[1] == Sizes{333334, 333334, 333332});
    CHECK(max_chunk_bytes(c, 4) <= kDefaultChunkTarget);
    CHECK(max_chunk_bytes(c, 4) > kDefaultChunkTarget * 9 / 10);
  }
  SECTION("an axis shorter than its share is taken whole and the rest shared by the others") {
    const Chunks c = normalize_chunks({autos(), autos(), autos()}, {4, 100000, 100000}, 8);
    CHECK(c[0] == Sizes{4});
    CHECK(c[1].front() == 2041);
    CHECK(c[1].size() == 49);
    CHECK(c[2] == c[1]);
    CHECK(max_chunk_bytes(c, 8) <= kDefaultChunkTarget);
  }
}

TEST_CASE("normalize_chunks: \"auto\" with custom targets stays near but not above the target", "[core][chunking]") {
  CHECK(normalize_chunks({autos(), autos()}, {1000, 1000}, 4, 1 << 20) == Chunks{{500, 500}, {500, 500}});
  CHECK(normalize_chunks({autos()}, {1000}, 8, 1) == Chunks{Sizes(1000, 1)});  // below one element: 1-element chunks

  struct Case {
    Shape shape;
    int itemsize;
    std::int64_t target;
  };
  const std::vector<Case> cases{
      {{10000, 10000}, 8, 64LL << 20}, {{10000, 10000}, 4, 1 << 20},      {{777, 1234, 55}, 2, 1 << 20},
      {{123456789}, 8, 100 << 20},     {{3000, 3000, 3000}, 1, 10 << 20}, {{17, 4096, 4096}, 8, 32 << 20},
      {{1 << 20, 7}, 4, 1 << 16},      {{65536, 65536}, 1, 1 << 30},
  };
  for (const auto& k : cases) {
    INFO("shape " << format_shape(k.shape) << ", itemsize " << k.itemsize << ", target " << k.target);
    const Chunks c = normalize_chunks(ChunkSpec(k.shape.size(), autos()), k.shape, k.itemsize, k.target);
    const std::int64_t bytes = max_chunk_bytes(c, k.itemsize);
    CHECK(bytes <= k.target);
    // Near: each axis loses at most about half of its share to rounding (plus the floor).
    CHECK(bytes * (std::int64_t{1} << (k.shape.size() + 1)) >= k.target);
    for (size_t a = 0; a < c.size(); ++a) {
      CHECK(sum(c[a]) == k.shape[a]);
      // Equal-ish: equal chunks except a last one that is at most (count - 1) smaller.
      for (size_t i = 0; i + 1 < c[a].size(); ++i) CHECK(c[a][i] == c[a][0]);
      CHECK(c[a].front() - c[a].back() < static_cast<std::int64_t>(c[a].size()));
    }
  }
}

TEST_CASE("common_refinement merges the chunk boundaries of two chunkings", "[core][chunking]") {
  CHECK(common_refinement({5, 5}, {3, 7}) == Sizes{3, 2, 5});
  CHECK(common_refinement({3, 7}, {5, 5}) == Sizes{3, 2, 5});
  CHECK(common_refinement({4, 4, 2}, {4, 4, 2}) == Sizes{4, 4, 2});
  CHECK(common_refinement({10}, {2, 8}) == Sizes{2, 8});
  CHECK(common_refinement({4, 4, 4}, {6, 6}) == Sizes{4, 2, 2, 4});
  CHECK(common_refinement({1, 1, 1}, {3}) == Sizes{1, 1, 1});
}

TEST_CASE("stored_chunk_decodes: reads that cut across stored chunks decode them repeatedly", "[core][chunking]") {
  // 4096 x 4096 stored in (4096, 32): read as stored, each of the 128 stored chunks once.
  const Shape shape{4096, 4096}, stored{4096, 32};
  CHECK(stored_chunk_count(shape, stored) == 128);
  CHECK(stored_chunk_decodes({regular_chunks(4096, 4096), regular_chunks(4096, 32)}, stored) == 128);
  // read as (32, 4096) rows: each of the 128 row chunks decodes all 128 stored chunks.
  CHECK(stored_chunk_decodes({regular_chunks(4096, 32), regular_chunks(4096, 4096)}, stored) == 128 * 128);
  // unions of stored chunks: once each
  CHECK(stored_chunk_decodes({regular_chunks(4096, 4096), regular_chunks(4096, 256)}, stored) == 128);
  // offset borders: 100-chunks read as 150-chunks of a 300 axis touch 2 + 2 stored chunks
  CHECK(stored_chunk_decodes({{150, 150}}, {100}) == 4);
  CHECK(stored_chunk_count({300}, {100}) == 3);
  // a smaller last chunk
  CHECK(stored_chunk_count({250}, {100}) == 3);
  CHECK(stored_chunk_decodes({{50, 50, 50, 50, 50}}, {100}) == 5);
}
