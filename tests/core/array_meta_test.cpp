// Chunk-grid arithmetic of ArrayMeta (core/src/array_meta.cpp).
#include "chunkscope/core/array_meta.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope;

TEST_CASE("grid, counts and sizes of a regular 2-d array", "[core][array_meta]") {
  const ArrayMeta a{{100, 60}, {{50, 50}, {32, 28}}, DType::Float64};
  CHECK(a.ndim() == 2);
  CHECK(a.grid() == Shape{2, 2});
  CHECK(a.num_chunks() == 4);
  CHECK(a.size() == 6000);
  CHECK(a.nbytes() == 48000);
  CHECK(a.chunk_shape(3) == Shape{50, 28});
  CHECK(a.chunk_bytes(3) == 50 * 28 * 8);
  CHECK(a.chunk_bytes(0) == 50 * 32 * 8);
  CHECK(a.max_chunk_shape() == Shape{50, 32});
  CHECK(a.max_chunk_bytes() == 50 * 32 * 8);
  CHECK(a.regular());
}

TEST_CASE("flat index <-> chunk coordinates are C order and inverse of each other", "[core][array_meta]") {
  const ArrayMeta a{{10, 9, 4}, {{5, 5}, {3, 3, 3}, {1, 1, 1, 1}}, DType::UInt8};
  CHECK(a.num_chunks() == 24);
  CHECK(a.chunk_coords(0) == Shape{0, 0, 0});
  CHECK(a.chunk_coords(1) == Shape{0, 0, 1});
  CHECK(a.chunk_coords(4) == Shape{0, 1, 0});
  CHECK(a.chunk_coords(12) == Shape{1, 0, 0});
  CHECK(a.chunk_coords(23) == Shape{1, 2, 3});
  for (std::int64_t f = 0; f < a.num_chunks(); ++f) CHECK(a.chunk_flat(a.chunk_coords(f)) == f);
  CHECK(a.chunk_flat({1, 2, 3}) == 23);
}

TEST_CASE("irregular chunks: shapes, offsets and bytes per chunk", "[core][array_meta]") {
  const ArrayMeta a{{10, 7}, {{2, 5, 3}, {4, 3}}, DType::Int32};
  CHECK(a.grid() == Shape{3, 2});
  CHECK(a.chunk_shape(0) == Shape{2, 4});
  CHECK(a.chunk_shape(3) == Shape{5, 3});
  CHECK(a.chunk_offset(0) == Shape{0, 0});
  CHECK(a.chunk_offset(3) == Shape{2, 4});
  CHECK(a.chunk_offset(4) == Shape{7, 0});
  CHECK(a.chunk_offset(5) == Shape{7, 4});
  CHECK(a.chunk_bytes(2) == 5 * 4 * 4);
  CHECK(a.max_chunk_shape() == Shape{5, 4});
  CHECK(a.max_chunk_bytes() == 5 * 4 * 4);
  CHECK_FALSE(a.regular());
  // The sum of all chunk bytes is the array's bytes.
  std::int64_t total = 0;
  for (std::int64_t f = 0; f < a.num_chunks(); ++f) total += a.chunk_bytes(f);
  CHECK(total == a.nbytes());
}

TEST_CASE("regular() follows Zarr's rule: equal chunks, a smaller last one allowed", "[core][array_meta]") {
  CHECK(ArrayMeta{{10}, {{4, 4, 2}}, DType::Float32}.regular());
  CHECK(ArrayMeta{{10}, {{10}}, DType::Float32}.regular());
  CHECK_FALSE(ArrayMeta{{10}, {{4, 2, 4}}, DType::Float32}.regular());
  CHECK_FALSE(ArrayMeta{{10}, {{3, 7}}, DType::Float32}.regular());
  CHECK_FALSE(ArrayMeta{{8, 10}, {{8}, {3, 7}}, DType::Float32}.regular());
}

TEST_CASE("0-d arrays have one chunk of one element", "[core][array_meta]") {
  const ArrayMeta a{{}, {}, DType::Float64};
  CHECK(a.ndim() == 0);
  CHECK(a.grid().empty());
  CHECK(a.num_chunks() == 1);
  CHECK(a.size() == 1);
  CHECK(a.nbytes() == 8);
  CHECK(a.chunk_coords(0).empty());
  CHECK(a.chunk_flat({}) == 0);
  CHECK(a.chunk_shape(0).empty());
  CHECK(a.chunk_offset(0).empty());
  CHECK(a.chunk_bytes(0) == 8);
  CHECK(a.max_chunk_bytes() == 8);
  CHECK(a.regular());
  CHECK(format_shape(a.shape) == "()");
  CHECK(format_chunk_shape(a.chunks) == "()");
}

TEST_CASE("chunk_bounds are the running sums of the sizes", "[core][array_meta]") {
  CHECK(chunk_bounds({}) == std::vector<std::int64_t>{0});
  CHECK(chunk_bounds({5}) == std::vector<std::int64_t>{0, 5});
  CHECK(chunk_bounds({2, 5, 3}) == std::vector<std::int64_t>{0, 2, 7, 10});
}

TEST_CASE("format_shape and format_chunk_shape", "[core][array_meta]") {
  CHECK(format_shape({16, 512, 512}) == "16×512×512");
  CHECK(format_shape({7}) == "7");
  CHECK(format_chunk_shape({{16, 16}, {512}, {512, 512, 100}}) == "16×512×512");
  CHECK(format_chunk_shape({{16, 16}, {100, 512, 512}}) == "16×100..512");
  CHECK(format_chunk_shape({{3, 3, 3, 1}}) == "3");
  CHECK(format_chunk_shape({{10, 54}, {64}}) == "10..54×64");  // a larger last chunk is irregular
  CHECK(format_chunk_shape({{54, 10}, {64}}) == "54×64");
}
